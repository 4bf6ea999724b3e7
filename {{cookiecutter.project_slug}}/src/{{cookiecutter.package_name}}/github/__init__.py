"""GitHub's REST API: the deployments that record what each slot runs, the pull-request comment, and the
issues a status or datasets report raises (alerts).

Standard library only, and nothing of the package: a workflow job that holds a write token runs it with
a bare `python3 -m <package>.github` (src/ on PYTHONPATH) and installs nothing.
"""

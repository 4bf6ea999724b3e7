"""Confinement of untrusted code: a check's run of a pickle and a build's training alike.

isolation.py finds what this machine allows and wraps a command in it (confine.py runs inside the
namespaces before the confined program starts); cgroups.py or tree.py hold the limits (limits.py)
for the whole process tree.
"""

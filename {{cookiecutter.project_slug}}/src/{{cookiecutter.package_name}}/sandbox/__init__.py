"""Confinement of untrusted code: a check's run of a pickle and a build's training alike.

isolation.py finds what this machine allows and wraps a command in it: a bubblewrap sandbox
(bubblewrap.py) where it works; cgroups.py or tree.py hold the limits (limits.py) for the whole process
tree, quota.py the scratch folder's disk quota; scratch.py is how the parent reads what the confined
program left, trusting none of it.
"""

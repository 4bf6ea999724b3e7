"""The libraries whose versions tie a pickle to the image it runs in: the one list of each kind.

A pickle holds objects of these libraries (or is loaded through them); Numerai's image installs the
versions its lock names, so a build must use exactly those.
"""

# A build takes each of these at the image's pinned version: the build environment installs them from
# the lock, the manifest records them, deploy refuses a pickle built with another version of one, and
# `numerai-deploy runtimes` and scripts/refresh_runtimes.py report their pins by name.
IMAGE_PINNED_LIBRARIES = ("numpy", "pandas", "scikit-learn", "lightgbm", "cloudpickle", "scipy", "pyarrow")

# Of those, the ones whose pickled objects are tied to their binary layout: `check` calls a pickle built
# with another version of one an error (of any other library, a warning: a pickle seldom holds its objects).
LAYOUT_BOUND_LIBRARIES = ("numpy", "pandas", "scikit-learn", "lightgbm", "cloudpickle")

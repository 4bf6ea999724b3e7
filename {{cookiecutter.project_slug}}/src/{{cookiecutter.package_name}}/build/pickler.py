"""Cloudpickle the predict function with this package's modules embedded by value."""

from __future__ import annotations

import importlib
from pathlib import Path

import cloudpickle

from ..bundle.predictor import make_predict
from ..files import write_atomic

PACKAGE = __name__.split(".")[0]


def dumps_by_value(obj) -> bytes:
    """Pickle `obj` so that this package's code travels inside it: the image does not have it."""
    package = importlib.import_module(PACKAGE)
    cloudpickle.register_pickle_by_value(package)
    try:
        return cloudpickle.dumps(obj)
    finally:
        cloudpickle.unregister_pickle_by_value(package)


def write_pickle(bundle: dict, path: Path) -> bytes:
    """Write the callable Numerai loads; returns its bytes."""
    data = dumps_by_value(make_predict(bundle))
    write_atomic(path, data)
    return data

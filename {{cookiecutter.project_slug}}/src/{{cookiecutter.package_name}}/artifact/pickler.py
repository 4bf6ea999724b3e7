"""Cloudpickle the predict function with this package's modules embedded by value."""

from __future__ import annotations

import importlib
from typing import Any

import cloudpickle

from ..bundle.predictor import make_predict

PACKAGE = __name__.split(".")[0]


def dumps_by_value(obj: object) -> bytes:
    """Pickle `obj` so that this package's code travels inside it: the image does not have it."""
    package = importlib.import_module(PACKAGE)
    cloudpickle.register_pickle_by_value(package)
    try:
        pickled: bytes = cloudpickle.dumps(obj)
        return pickled
    finally:
        cloudpickle.unregister_pickle_by_value(package)


def pickle_bytes_of(bundle: dict[str, Any]) -> bytes:
    """The callable Numerai loads, pickled (artifact/manifest.write_build writes it with its manifest)."""
    return dumps_by_value(make_predict(bundle))

"""numerai_predict runtimes: the vendored image catalogue and its locked versions."""

from .catalogue import Runtime, default_runtime, load_catalogue, normalise, read_lock, resolve_runtime

__all__ = ["Runtime", "default_runtime", "load_catalogue", "normalise", "read_lock", "resolve_runtime"]

"""numerai_predict runtimes: the vendored image catalogue and its locked versions."""

from .catalogue import (
    Runtime,
    default_runtime,
    image_for,
    load_catalogue,
    lock_file_name,
    normalise,
    python_of_image,
    read_lock,
    resolve_runtime,
)

__all__ = ["Runtime", "default_runtime", "image_for", "load_catalogue", "lock_file_name", "normalise",
           "python_of_image", "read_lock", "resolve_runtime"]

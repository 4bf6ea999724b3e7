"""Which of an image's distributions provide a top-level module: check reads a pickle's imports with it,
validate a spec's estimator library."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata

from .catalogue import Runtime
from .constraints import normalise

# Import names that differ from the distribution's name (the rest match once normalised).
IMPORT_ALIASES = {
    "sklearn": ("scikit-learn",),
    "yaml": ("pyyaml",),
    "PIL": ("pillow",),
    "dateutil": ("python-dateutil",),
    "attr": ("attrs",),
    "bs4": ("beautifulsoup4",),
    "google": ("protobuf", "google-api-core", "google-auth", "google-cloud-storage"),
    "tensorflow_decision_forests": ("tensorflow-decision-forests",),
    "tf_keras": ("tf-keras",),
    "pytorch_lightning": ("pytorch-lightning",),
    "skorch": ("skorch",),
    "cv2": ("opencv-python", "opencv-python-headless"),
    "skimage": ("scikit-image",),
    "jwt": ("pyjwt",),
    "dotenv": ("python-dotenv",),
}


@lru_cache(maxsize=1)
def installed_providers() -> Mapping[str, list[str]]:
    """{import name: [distribution]} of this environment: knows the mappings the aliases lack."""
    return metadata.packages_distributions()


def distributions_for(module: str, runtime: Runtime) -> list[str]:
    """The image's distributions that provide top-level `module` (empty when it has none)."""
    direct = sorted(name for name in {normalise(module), *IMPORT_ALIASES.get(module, ())} if name in runtime.packages)
    if direct:
        return direct
    provided = {normalise(name) for name in installed_providers().get(module, [])}
    return sorted(name for name in provided if name in runtime.packages)

"""The manifest beside every pickle: what it is, what it was built with, how it scored."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from importlib import metadata
from pathlib import Path

from ..files import write_atomic
from ..runtimes import Runtime
from .references import top_level_modules

# Always recorded: what every pickle of this package needs to load, whatever its model.
BASE_LIBRARIES = ("numpy", "pandas", "cloudpickle")


def library_versions(pickle_bytes: bytes) -> dict[str, str]:
    """Installed versions of the distributions providing the modules the pickle references."""
    providers = metadata.packages_distributions()
    modules = top_level_modules(pickle_bytes) - set(sys.stdlib_module_names)
    names = set(BASE_LIBRARIES)
    for module in modules:
        names.update(providers.get(module, []))
    versions = {}
    for name in sorted(names, key=str.lower):
        try:
            versions[name.lower()] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # this package itself, embedded by value
    return versions


def build_manifest(*, slot: str, fingerprint: str, runtime: Runtime, pickle_bytes: bytes, data_version: str,
                   synthetic: bool, data_stamp: str, features: list[str], benchmark_inputs: list[str],
                   targets: list[str], training: dict, metrics: dict | None) -> dict:
    return {
        "slot": slot,
        "fingerprint": fingerprint,
        "python": {"version": platform.python_version(), "minor": f"{sys.version_info[0]}.{sys.version_info[1]}"},
        "runtime": {"name": runtime.name, "python": runtime.python, "image": runtime.image, "tag": runtime.tag},
        "libraries": library_versions(pickle_bytes),
        "modules": sorted(top_level_modules(pickle_bytes)),
        "data": {"version": data_version, "synthetic": synthetic, "stamp": data_stamp},
        "features": features,
        "benchmark_inputs": benchmark_inputs,
        "targets": targets,
        "training": training,
        "metrics": metrics,
        "pickle": {"sha256": hashlib.sha256(pickle_bytes).hexdigest(), "bytes": len(pickle_bytes)},
    }


def manifest_path(pickle_path: Path) -> Path:
    return Path(pickle_path).with_suffix(".json")


def write_manifest(manifest: dict, pickle_path: Path) -> Path:
    return write_atomic(manifest_path(pickle_path), json.dumps(manifest, indent=2) + "\n")


def read_manifest(pickle_path: Path) -> dict:
    return json.loads(manifest_path(pickle_path).read_text(encoding="utf-8"))

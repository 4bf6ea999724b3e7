"""The manifest beside every pickle: what it is, what it was built with, how it scored.

One typed model, written and read here only; build writes it, check, plan, summary and deploy read it.
A manifest that does not match the model is reported like a spec: file, key, what was expected.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
from collections.abc import Collection, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import UsageError
from ..files import temporary_sibling, write_atomic
from ..logs import get_logger
from ..runtimes import Runtime
from ..runtimes.image import BuiltImage
from .references import top_level_modules

log = get_logger(__name__)

# Always recorded: what every pickle of this package needs to load, whatever its model.
BASE_LIBRARIES = ("numpy", "pandas", "cloudpickle")


class Part(BaseModel):
    # Fields a later version adds are kept when an older one rewrites a manifest (summary --record).
    model_config = ConfigDict(extra="allow", frozen=True)


class PythonInfo(Part):
    version: str
    minor: str


class DataInfo(Part):
    version: str
    synthetic: bool = False
    stamp: str | None = None


class PickleInfo(Part):
    sha256: str
    bytes: int


class EnvironmentInfo(Part):
    """The interpreter a build ran in: its Python and key libraries, and whether they are the image's."""

    python: str
    minor: str
    libraries: dict[str, str | None] = Field(default_factory=dict)
    matches_image: bool


class CheckInfo(Part):
    """The outcome of `check` on this very pickle (sha256), against an image."""

    passed: bool
    image: str
    sha256: str
    errors: int = 0
    at: str = ""


class Metrics(Part):
    validation: dict[str, Any] | None = None


class Manifest(Part):
    slot: str
    fingerprint: str
    runtime: BuiltImage  # the image the pickle was built for (name, image, tag, python)
    data: DataInfo
    python: PythonInfo | None = None
    libraries: dict[str, str] = Field(default_factory=dict)
    modules: list[str] = Field(default_factory=list)
    features: list[str] = Field(default_factory=list)
    benchmark_inputs: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=list)
    training: dict[str, Any] = Field(default_factory=dict)
    metrics: Metrics | None = None
    pickle: PickleInfo | None = None
    environment: EnvironmentInfo | None = None
    check: CheckInfo | None = None

    @property
    def validation(self) -> dict[str, Any]:
        """The validation metrics ({} when there are none)."""
        return (self.metrics.validation if self.metrics else None) or {}

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2) + "\n"


class ManifestError(UsageError):
    """A manifest file that is missing, not JSON, or not a manifest."""


def manifest_path(pickle_path: Path) -> Path:
    return Path(pickle_path).with_suffix(".json")


def module_providers() -> dict[str, list[str]]:
    """{top-level module: [distribution]}. Python 3.10 reads only top_level.txt, which some wheels
    lack (LightGBM's): there their modules come from their files' folders, as 3.11 and later do."""
    providers = dict(metadata.packages_distributions())
    if sys.version_info >= (3, 11):
        return providers
    for distribution in metadata.distributions():
        if distribution.read_text("top_level.txt") is None:
            for folder in {path.parts[0] for path in distribution.files or () if len(path.parts) > 1}:
                if "." not in folder:
                    providers.setdefault(folder, []).append(distribution.metadata["Name"])
    return providers


def library_versions(pickle_bytes: bytes) -> dict[str, str]:
    """Installed versions of the distributions providing the modules the pickle references."""
    providers = module_providers()
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
                   targets: list[str], training: dict[str, Any], metrics: dict[str, Any] | None,
                   environment: dict[str, Any] | None = None) -> Manifest:
    return Manifest(
        slot=slot,
        fingerprint=fingerprint,
        python=PythonInfo(version=platform.python_version(), minor=f"{sys.version_info[0]}.{sys.version_info[1]}"),
        runtime=BuiltImage(name=runtime.name, image=runtime.image, tag=runtime.tag, python=runtime.python),
        libraries=library_versions(pickle_bytes),
        modules=sorted(top_level_modules(pickle_bytes)),
        data=DataInfo(version=data_version, synthetic=synthetic, stamp=data_stamp),
        features=features,
        benchmark_inputs=benchmark_inputs,
        targets=targets,
        training=training,
        metrics=metrics,
        pickle=PickleInfo(sha256=hashlib.sha256(pickle_bytes).hexdigest(), bytes=len(pickle_bytes)),
        environment=environment,
    )


def write_build(pickle_bytes: bytes, manifest: Manifest, pickle_path: Path) -> Path:
    """A build's pickle and manifest as one unit, both or neither: each is written under a temporary name
    first, then the pickle is renamed into place and the manifest last (readers take a pickle without its
    manifest for no build, see built_pickles); when the manifest cannot be put in place, the pickle goes
    again. The manifest's path."""
    pickle_path, manifest_file = Path(pickle_path), manifest_path(pickle_path)
    temporaries = [temporary_sibling(pickle_path), temporary_sibling(manifest_file)]
    try:
        temporaries[0].write_bytes(pickle_bytes)
        temporaries[1].write_text(manifest.to_json(), encoding="utf-8")
        os.replace(temporaries[0], pickle_path)
        try:
            os.replace(temporaries[1], manifest_file)
        except BaseException:
            pickle_path.unlink(missing_ok=True)
            raise
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    return manifest_file


def built_pickles(folder: Path) -> list[Path]:
    """The pickles in `folder` that have their manifest: a pickle without one is a build cut short."""
    folder = Path(folder)
    return sorted(path for path in folder.glob("*.pkl") if manifest_path(path).is_file()) if folder.is_dir() else []


def write_manifest(manifest: Manifest, pickle_path: Path) -> Path:
    """Rewrite the manifest beside `pickle_path` (check records its verdict in it). When that folder
    cannot take it (read-only, full), the manifest is written to a temporary folder and the log says
    where, so that the verdict is not lost (deploy, which reads it beside the pickle, will not see it)."""
    target = manifest_path(pickle_path)
    try:
        return write_atomic(target, manifest.to_json())
    except OSError as error:
        written = write_atomic(Path(tempfile.gettempdir()) / "numerai-deploy" / target.name, manifest.to_json())
        log.warning(f"could not write {target} ({error.strerror or error}): the manifest, with the check's "
                    f"verdict, is in {written} instead")
        return written


def with_check(manifest: Manifest, check: CheckInfo) -> Manifest:
    return manifest.model_copy(update={"check": check})


def write_manifest_file(manifest: Manifest, path: Path) -> Path:
    """A manifest kept under another name (summary --record keeps them as <slot>.json)."""
    return write_atomic(Path(path), manifest.to_json())


def problem_of(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"File {path} ==> At key {key} ==> {first['msg'].lower()} ==> rebuild the pickle (numerai-deploy build)"


def parse_manifest(path: Path, document: object) -> Manifest:
    try:
        return Manifest.model_validate(document)
    except ValidationError as error:
        raise ManifestError(problem_of(path, error)) from None


def load_manifest_file(path: Path) -> Manifest:
    """A manifest file, or ManifestError saying which file and what is wrong with it."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"File {path} ==> expected the manifest `build` writes beside each pickle ==> "
                            "rebuild it with numerai-deploy build") from None
    except (OSError, ValueError) as error:
        raise ManifestError(f"File {path} ==> not valid JSON ({error}) ==> rebuild the pickle") from None
    return parse_manifest(path, document)


def read_manifest(pickle_path: Path) -> Manifest:
    """The manifest beside `pickle_path`."""
    return load_manifest_file(manifest_path(pickle_path))


def is_manifest_document(document: object) -> bool:
    return isinstance(document, dict) and {"slot", "fingerprint"} <= document.keys()


def read_manifests(folder: Path, current: Mapping[str, Collection[str]] | None = None) -> dict[str, Manifest]:
    """{slot: manifest} of every pickle manifest under `folder` (any depth); other JSON files are skipped.

    A slot with several builds (a local dist/ after edits) gets the one whose fingerprint `current` lists
    for it (what the current spec builds), else the newest file: never merely the last name in order.
    """
    found: dict[str, list[tuple[Path, Manifest]]] = {}
    for path in sorted(Path(folder).rglob("*.json")) if Path(folder).is_dir() else []:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if is_manifest_document(document):
            manifest = parse_manifest(path, document)
            found.setdefault(manifest.slot, []).append((path, manifest))
    return {slot: chosen_build(builds, (current or {}).get(slot, ())) for slot, builds in found.items()}


def chosen_build(builds: list[tuple[Path, Manifest]], wanted: Collection[str]) -> Manifest:
    """The build whose fingerprint is wanted (a real-data one first), else the newest file's."""
    matching = [manifest for _path, manifest in builds if manifest.fingerprint in wanted]
    if matching:
        return min(matching, key=lambda manifest: manifest.data.synthetic)
    return max(builds, key=lambda build: build[0].stat().st_mtime_ns)[1]

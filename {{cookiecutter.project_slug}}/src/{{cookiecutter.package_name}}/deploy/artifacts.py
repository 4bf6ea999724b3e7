"""Built pickles waiting to be deployed: which one is the checked build of the current spec.

`build` writes `dist/<slot>-<fingerprint>.pkl` with a manifest beside it; `check` records its verdict
in that manifest. Deploy takes, for each slot, the build whose fingerprint is what the current spec
(and runtime) builds, and only when it is sound: its sha256 matches its manifest, its own check
passed against the image it will run in, and it was built with that image's Python and pins.
Anything else is refused with the reason and the fix; nothing is uploaded for that slot.

The uploaded file keeps the name, so the pickle assigned on Numerai says which build it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..artifact.fingerprint import fingerprint, parse_uploaded_name, uploaded_name
from ..artifact.manifest import Manifest, built_pickles, read_manifest
from ..errors import UsageError
from ..modelspec import LoadedSpec
from ..runtimes import Runtime
from ..runtimes.libraries import IMAGE_PINNED_LIBRARIES


@dataclass(frozen=True)
class Artifact:
    """One built pickle and its manifest."""

    path: Path
    manifest: Manifest

    @property
    def slot(self) -> str:
        return self.manifest.slot

    @property
    def fingerprint(self) -> str:
        return self.manifest.fingerprint

    @property
    def data_stamp(self) -> str | None:
        return self.manifest.data.stamp

    @property
    def filename(self) -> str:
        """The uploaded name: a retrain on new data (same fingerprint, new stamp) is a new pickle."""
        return uploaded_name(self.slot, self.fingerprint, self.data_stamp)

    def built_as(self, filename: str | None) -> bool:
        """Whether an uploaded pickle named `filename` is this very build: same recipe, same data."""
        return parse_uploaded_name(filename) == (self.fingerprint, self.data_stamp)

    @property
    def synthetic(self) -> bool:
        return self.manifest.data.synthetic


class Refused(Exception):
    """This slot's build may not be uploaded; the message says why and what to do."""


def find_artifacts(folder: Path) -> dict[str, list[Artifact]]:
    """{slot: its built pickles, newest first} in `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(
            f"{folder} does not exist ==> build first (numerai-deploy build) or pass --artifacts DIR"
        )
    found: dict[str, list[Artifact]] = {}
    for path in sorted(built_pickles(folder), key=lambda item: item.stat().st_mtime, reverse=True):
        artifact = Artifact(path, read_manifest(path))
        found.setdefault(artifact.slot, []).append(artifact)
    return found


def current_build(item: LoadedSpec, runtime: Runtime, package_dir: Path, candidates: list[Artifact]) -> Artifact:
    """The newest of `candidates` that the current spec builds (for real data, else synthetic)."""
    wanted = {synthetic: fingerprint(item.spec, runtime, package_dir, synthetic) for synthetic in (False, True)}
    matching = [artifact for artifact in candidates if artifact.fingerprint == wanted[artifact.synthetic]]
    if matching:
        return next((artifact for artifact in matching if not artifact.synthetic), matching[0])
    slot = item.spec.slot
    if not candidates:
        raise Refused(f"slot {slot}: no build of it ==> run `numerai-deploy build {slot}` first")
    names = ", ".join(artifact.path.name for artifact in candidates)
    raise Refused(f"slot {slot}: the builds at hand ({names}) are stale: models/{item.path.name} (or the code, "
                  f"or the runtime's pins) changed since; the current spec builds {wanted[False]} ==> run "
                  f"`numerai-deploy build {slot}`")


def soundness_problems(artifact: Artifact, runtime: Runtime) -> list[str]:
    """Why `artifact` may not run on `runtime`'s image, if it may not."""
    manifest, problems = artifact.manifest, []
    actual = hashlib.sha256(artifact.path.read_bytes()).hexdigest()
    if manifest.pickle is None or manifest.pickle.sha256 != actual:
        problems.append("its sha256 differs from its manifest's: the file changed after the build")
    if manifest.runtime.reference != runtime.reference:
        problems.append(f"it was built for {manifest.runtime.reference}, not {runtime.reference}")
    if manifest.python is None or manifest.python.minor != runtime.python:
        built_with = manifest.python.version if manifest.python else "an unknown Python"
        problems.append(f"it was built with Python {built_with}; the image runs {runtime.python}")
    for name in IMAGE_PINNED_LIBRARIES:
        built, pinned = manifest.libraries.get(name), runtime.version_of(name)
        if built and pinned and built != pinned:
            problems.append(f"it was built with {name} {built}; the image has {pinned}")
    check = manifest.check
    if check is None:
        problems.append("it was never checked")
    elif check.sha256 != actual:
        problems.append("its check was of another file")
    elif check.image != runtime.reference:
        problems.append(f"it was checked against {check.image}, not {runtime.reference}")
    elif not check.passed:
        problems.append(f"its check failed ({check.errors} error(s))")
    return problems


def checked_bytes(artifact: Artifact) -> bytes:
    """The pickle's bytes, read once, when they are the ones its manifest and its check name: the
    caller uploads these very bytes, never the path again (a file replaced meanwhile is refused)."""
    content = artifact.path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    manifest = artifact.manifest
    if manifest.pickle is None or manifest.pickle.sha256 != actual or manifest.check is None \
            or manifest.check.sha256 != actual:
        raise Refused(f"slot {artifact.slot}: {artifact.path.name} changed after it was checked (its sha256 is "
                      f"now {actual[:12]}...) ==> nothing was uploaded; rebuild it with `numerai-deploy build "
                      f"{artifact.slot}` and find out what replaced the file")
    return content


def deployable(item: LoadedSpec, runtime: Runtime, package_dir: Path, candidates: list[Artifact]) -> Artifact:
    """The checked build of the current spec, or Refused saying why not and what to do."""
    artifact = current_build(item, runtime, package_dir, candidates)
    problems = soundness_problems(artifact, runtime)
    if problems:
        raise Refused(f"slot {item.spec.slot}: {artifact.path.name} is not deployed: {'; '.join(problems)} ==> "
                      f"`numerai-deploy build {item.spec.slot}` builds and checks it again "
                      f"(`numerai-deploy check {artifact.path}` repeats the check)")
    return artifact

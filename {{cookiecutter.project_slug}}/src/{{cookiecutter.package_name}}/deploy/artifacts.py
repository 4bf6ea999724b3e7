"""Built pickles waiting to be deployed, and the fingerprint that travels in their file name.

`build` writes `dist/<slot>-<fingerprint>.pkl` with a manifest beside it. The same name is the
uploaded file's name, so the pickle assigned on Numerai says which build it is: deploy skips a slot
whose assigned pickle has the fingerprint at hand, and status compares it with the local spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..build.fingerprint import parse_uploaded_name, uploaded_name
from ..build.manifest import Manifest, read_manifest
from ..errors import UsageError


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


def find_artifacts(folder: Path) -> dict[str, Artifact]:
    """{slot: its newest built pickle} in `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(
            f"{folder} does not exist ==> build first (numerai-deploy build) or pass --artifacts DIR"
        )
    newest: dict[str, Artifact] = {}
    for path in sorted(folder.glob("*.pkl"), key=lambda item: item.stat().st_mtime):
        artifact = Artifact(path, read_manifest(path))
        newest[artifact.slot] = artifact
    return newest

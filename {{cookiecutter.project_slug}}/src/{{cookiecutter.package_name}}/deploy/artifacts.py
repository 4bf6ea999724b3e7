"""Built pickles waiting to be deployed, and the fingerprint that travels in their file name.

`build` writes `dist/<slot>-<fingerprint>.pkl` with a manifest beside it. The same name is the
uploaded file's name, so the pickle assigned on Numerai says which build it is: deploy skips a slot
whose assigned pickle has the fingerprint at hand, and status compares it with the local spec.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..bundle.manifest import manifest_path, read_manifest
from ..errors import UsageError
from ..plan.fingerprint import LENGTH

# Numerai may prefix the stored name (a folder, an upload id): match the end of it. The uploaded name
# is `<slot>-<fingerprint>-<data stamp>.pkl`: the recipe, then the data it learned from.
PICKLE_NAME = re.compile(
    r"(?P<slot>[a-z0-9_]{1,50})-(?P<fingerprint>[0-9a-f]{" + str(LENGTH) + r"})(?:-(?P<stamp>[0-9a-f]{8}))?\.pkl$"
)


@dataclass(frozen=True)
class Artifact:
    """One built pickle and its manifest."""

    path: Path
    manifest: dict

    @property
    def slot(self) -> str:
        return self.manifest["slot"]

    @property
    def fingerprint(self) -> str:
        return self.manifest["fingerprint"]

    @property
    def data_stamp(self) -> str | None:
        return self.manifest.get("data", {}).get("stamp")

    @property
    def filename(self) -> str:
        """The uploaded name: a retrain on new data (same fingerprint, new stamp) is a new pickle."""
        stamp = f"-{self.data_stamp}" if self.data_stamp else ""
        return f"{self.slot}-{self.fingerprint}{stamp}.pkl"

    def built_as(self, filename: str | None) -> bool:
        """Whether an uploaded pickle named `filename` is this very build: same recipe, same data."""
        match = PICKLE_NAME.search(filename or "")
        return bool(match) and (match.group("fingerprint"), match.group("stamp")) == (
            self.fingerprint, self.data_stamp)

    @property
    def synthetic(self) -> bool:
        return bool(self.manifest.get("data", {}).get("synthetic"))


def fingerprint_in(filename: str | None) -> str | None:
    """The fingerprint encoded in an uploaded pickle's file name, if it has one."""
    match = PICKLE_NAME.search(filename or "")
    return match.group("fingerprint") if match else None


def read_artifact(path: Path) -> Artifact:
    try:
        manifest = read_manifest(path)
    except FileNotFoundError:
        raise UsageError(
            f"{path} has no manifest {manifest_path(path).name} beside it ==> "
            f"rebuild it with numerai-deploy build"
        ) from None
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{manifest_path(path)} is not valid JSON ({error}) ==> rebuild the pickle"
        ) from None
    missing = [key for key in ("slot", "fingerprint", "runtime", "data") if key not in manifest]
    if missing:
        raise UsageError(f"{manifest_path(path)} lacks {', '.join(missing)} ==> rebuild the pickle")
    return Artifact(Path(path), manifest)


def find_artifacts(folder: Path) -> dict[str, Artifact]:
    """{slot: its newest built pickle} in `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(
            f"{folder} does not exist ==> build first (numerai-deploy build) or pass --artifacts DIR"
        )
    newest: dict[str, Artifact] = {}
    for path in sorted(folder.glob("*.pkl"), key=lambda item: item.stat().st_mtime):
        artifact = read_artifact(path)
        newest[artifact.slot] = artifact
    return newest

"""The parent's take of what a build's training child wrote: the pickle and manifest of each slot it
was asked for, read from the child's private output folder as untrusted data, never executed.

Each is opened without following links, relative to that folder, must be a regular file under a cap
(sandbox.scratch); the manifest must be of that slot and fingerprint and name the pickle's very
sha256; any check verdict in it is dropped (only `check`, run by the parent, records one). The parent
then writes both into dist/ itself, which the child could not write to.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import WorkFailed
from ..files import write_atomic
from ..sandbox import scratch
from .manifest import manifest_path, parse_manifest, write_build

PICKLE_AT_MOST = 8 * 2**30
MANIFEST_AT_MOST = 16 * 2**20
PREDICTIONS_AT_MOST = 2 * 2**30  # every validation id's prediction: a few hundred MB at Numerai's scale


def refused(name: str, why: str) -> WorkFailed:
    return WorkFailed(f"build: the training child's {name} is not taken: {why} ==> nothing of it was written "
                      "to the output folder; build again, and find out what in the model's code wrote it")


def collect(private: Path, name: str, out_dir: Path) -> Path:
    """The pickle `name` (`<slot>-<fingerprint>.pkl`) and its manifest, from `private` into `out_dir`."""
    manifest_name = manifest_path(Path(name)).name
    try:
        content = scratch.read_regular(private, name, PICKLE_AT_MOST + 1)
        document = json.loads(scratch.read_regular(private, manifest_name, MANIFEST_AT_MOST + 1))
    except (scratch.Untrusted, ValueError) as error:
        raise refused(name, str(error)) from None
    if len(content) > PICKLE_AT_MOST:
        raise refused(name, f"more than {PICKLE_AT_MOST} bytes")
    manifest = parse_manifest(private / manifest_name, document)
    digest = hashlib.sha256(content).hexdigest()
    expected = name.removesuffix(".pkl")
    if f"{manifest.slot}-{manifest.fingerprint}" != expected or manifest.pickle is None \
            or manifest.pickle.sha256 != digest:
        raise refused(name, "its manifest names another slot, fingerprint or file")
    target = Path(out_dir) / name
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    collect_predictions(private, name, manifest.validation, target)
    write_build(content, manifest.model_copy(update={"check": None}), target)
    return target


def collect_predictions(private: Path, name: str, validation: dict[str, Any], target: Path) -> None:
    """The validation predictions the manifest records (diagnostics uploads them), when it records any:
    the file it names beside the pickle, of the sha256 it gives."""
    record = validation.get("predictions")
    if not isinstance(record, dict):
        return
    wanted = Path(name).with_suffix(".validation.parquet").name
    if record.get("file") != wanted:
        raise refused(name, f"its manifest records validation predictions in {record.get('file')!r}, not {wanted}")
    try:
        content = scratch.read_regular(private, wanted, PREDICTIONS_AT_MOST + 1)
    except scratch.Untrusted as error:
        raise refused(wanted, str(error)) from None
    if len(content) > PREDICTIONS_AT_MOST or hashlib.sha256(content).hexdigest() != record.get("sha256"):
        raise refused(wanted, "it is not the file its manifest names (size or sha256)")
    write_atomic(target.with_name(wanted), content)

"""What a deploy or a rollback did to each slot, as the record GitHub deployments are made from.

`deploy --record FILE` and `rollback --record FILE` write it in the job that holds the Numerai key; a
separate job that may write deployments, and never sees the key, turns it into one GitHub deployment per
slot (`python3 -m <package>.github record FILE`). A slot that reached Numerai is recorded: deployed or
unchanged (success), failed (failure); a refused, disabled or dry-run slot changed nothing and is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..artifact.manifest import Manifest
from ..files import write_atomic
from ..github.deployments import FAILURE, SUCCESS, entry, record_document
from .artifacts import Artifact
from .history import Rollback
from .summary import Outcome

# How a build was made in detail (feature lists, module lists, training details): left out of the payload.
BULKY = {"features", "modules", "benchmark_inputs", "targets", "training", "environment", "metrics"}
STATES = {"deployed": SUCCESS, "unchanged": SUCCESS, "failed": FAILURE}
ROLLED_BACK = "rolled back"


def slim(manifest: Manifest) -> dict[str, Any]:
    return manifest.model_dump(mode="json", exclude=BULKY)


def deploy_entries(outcomes: list[Outcome], artifacts: dict[str, Artifact]) -> list[dict[str, Any]]:
    """An entry per slot whose build was sent to Numerai (its artifact), in the outcomes' order."""
    entries = []
    for outcome in outcomes:
        artifact, state = artifacts.get(outcome.slot), STATES.get(outcome.action)
        if artifact is None or state is None:
            continue
        manifest = artifact.manifest
        entries.append(entry(
            slot=outcome.slot, action=outcome.action, state=state, pickle_id=outcome.pickle_id,
            filename=artifact.filename, fingerprint=artifact.fingerprint, image=manifest.runtime.reference,
            data_version=manifest.data.version, metrics=manifest.validation or None, manifest=slim(manifest),
            detail=outcome.detail, gate=outcome.gate,
        ))
    return entries


def rollback_entries(outcome: Rollback) -> list[dict[str, Any]]:
    """The rollback's entry; its build's manifest and metrics come from that build's own deployment."""
    if not outcome.changed:
        return []
    target = outcome.target
    return [entry(slot=outcome.slot, action=ROLLED_BACK, state=SUCCESS, pickle_id=target.pickle_id,
                  filename=target.filename, fingerprint=target.fingerprint or "", data_version=target.data_version,
                  detail=f"rolled back from pickle {outcome.previous or '-'}")]


def write_record(path: Path, entries: list[dict[str, Any]]) -> Path:
    return write_atomic(Path(path), json.dumps(record_document(entries), indent=1) + "\n")

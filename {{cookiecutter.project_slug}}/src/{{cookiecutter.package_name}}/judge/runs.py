"""Numerai's diagnostics of a slot's build: upload the validation predictions the build scored, wait for
Numerai's figures, and read them back beside those of the pickle deployed on the slot now.

The predictions are the file the build wrote beside the pickle (`<slot>-<fingerprint>.validation.parquet`:
every validation id once, made by the very model the pickle carries); a build trained on synthetic data
is refused (Numerai scores only its own ids). The verdict is recorded beside the pickle
(`<slot>-<fingerprint>.diagnostics.json`), where `deploy` finds it.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..artifact.manifest import Manifest
from ..diagnostic_names import DiagnosticNames
from ..errors import UsageError
from ..files import write_atomic
from ..logs import get_logger
from ..modelspec import LoadedSpec
from ..numerai.client import NumeraiClient
from ..numerai.errors import ApiError
from ..numerai.polling import polls
from ..numerai.statuses import DIAGNOSTICS_DONE, DIAGNOSTICS_FAILED
from ..settings import Settings
from .gate import Verdict, judge

log = get_logger(__name__)

RECORD_SUFFIX = ".diagnostics.json"


class DiagnosticsFailed(Exception):
    """Numerai's diagnostics of this slot did not give figures; the message says why."""


@dataclass
class SlotDiagnostics:
    """One slot's diagnostics: Numerai's figures of the build, of the deployed pickle, the gate's verdict."""

    slot: str
    build: str
    diagnostics_id: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    per_era: list[dict[str, Any]] = field(default_factory=list)
    trained_on_val: bool = False
    deployed_pickle: dict[str, Any] | None = None
    deployed: dict[str, Any] | None = None
    deployed_per_era: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdict: Verdict | None = None
    error: str = ""
    exit_code: int = 0
    predictions_sha256: str = ""
    change: dict[str, Any] | None = None  # what changed in the live predictions (judge/change.py), when compared

    def to_json(self) -> dict[str, Any]:
        return {"slot": self.slot, "build": self.build, "diagnostics_id": self.diagnostics_id,
                "figures": self.figures, "per_era": self.per_era, "trained_on_val": self.trained_on_val,
                "deployed_pickle": self.deployed_pickle, "deployed": self.deployed,
                "deployed_per_era": self.deployed_per_era, "notes": self.notes,
                "gate": self.verdict.to_json() if self.verdict else None, "error": self.error,
                "exit_code": self.exit_code, "predictions_sha256": self.predictions_sha256,
                "change": self.change}


def record_path(pickle_path: Path) -> Path:
    return Path(pickle_path).with_suffix(RECORD_SUFFIX)


def predictions_file(pickle_path: Path, manifest: Manifest) -> tuple[Path, str]:
    """The build's validation predictions and their sha256, or UsageError saying why there are none."""
    slot = manifest.slot
    if manifest.data.synthetic:
        raise UsageError(f"slot {slot}: {Path(pickle_path).name} was trained on synthetic data; Numerai scores "
                         f"only its own validation ids ==> build on Numerai's data (numerai-deploy build {slot})")
    record = (manifest.validation or {}).get("predictions") or {}
    path = Path(pickle_path).parent / str(record.get("file") or "")
    if not record.get("file") or not path.is_file():
        raise UsageError(f"slot {slot}: no validation predictions beside {Path(pickle_path).name} (data."
                         f"validation_metrics off, or built before they were kept) ==> numerai-deploy build {slot}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != record.get("sha256"):
        raise UsageError(f"slot {slot}: {path.name} changed after the build ==> numerai-deploy build {slot}")
    return path, digest


def csv_of(path: Path) -> bytes:
    """The predictions as Numerai's upload takes them: columns id and prediction, one row per id."""
    frame = pd.read_parquet(path)
    buffer = io.StringIO()
    frame["prediction"].rename_axis("id").reset_index().to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def wait_for(client: NumeraiClient, model_id: str, diagnostics_id: str, names: DiagnosticNames,
             settings: Settings, slot: str) -> dict[str, Any]:
    """The finished run, or DiagnosticsFailed with Numerai's message or the deadline passed."""
    started, status = time.monotonic(), "pending"
    for attempt in polls(settings.diagnostics_timeout, settings.poll_interval):
        run = client.diagnostics(model_id, diagnostics_id, list(names.figures), list(names.per_era))
        status = str((run or {}).get("status") or "pending").lower()
        if run and status in DIAGNOSTICS_DONE:
            return run
        if run and status in DIAGNOSTICS_FAILED:
            raise DiagnosticsFailed(f"slot {slot}: Numerai's diagnostics {diagnostics_id} failed: "
                                    f"{run.get('message') or 'no message'}")
        if attempt % 6 == 0:
            log.info(f"{slot}: waiting for Numerai's diagnostics {diagnostics_id}: {status} "
                     f"({time.monotonic() - started:.0f} s)")
    raise DiagnosticsFailed(f"slot {slot}: Numerai's diagnostics {diagnostics_id} still {status} after "
                            f"{settings.diagnostics_timeout:g} s ==> look again later, or raise "
                            f"NUMERAI_DIAGNOSTICS_TIMEOUT")


def figures_of(run: dict[str, Any], names: DiagnosticNames) -> dict[str, Any]:
    return {name: run.get(name) for name in names.figures}


def per_era_of(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in run.get("perEraDiagnostics") or [] if isinstance(item, dict)]


def read_deployed(client: NumeraiClient, model_id: str, names: DiagnosticNames, result: SlotDiagnostics) -> None:
    """The diagnostics Numerai made of the pickle assigned to the slot now, when there are some."""
    pickle = client.assigned_diagnostics(model_id)
    if not pickle:
        result.notes.append("nothing is deployed on the slot: no figures to compare with")
        return
    result.deployed_pickle = {"id": pickle.get("id"), "filename": pickle.get("filename")}
    diagnostics_id = pickle.get("diagnosticsId")
    if not diagnostics_id:
        result.notes.append(f"the deployed pickle {pickle.get('id')} has no diagnostics on Numerai "
                            f"({pickle.get('diagnosticsStatus') or 'none made'})")
        return
    run = client.diagnostics(model_id, str(diagnostics_id), list(names.figures), list(names.per_era))
    status = str((run or {}).get("status") or "").lower()
    if not run or status not in DIAGNOSTICS_DONE:
        result.notes.append(f"the deployed pickle's diagnostics are {status or 'missing'}"
                            f"{': ' + str(run.get('message')) if run and run.get('message') else ''}")
        return
    result.deployed, result.deployed_per_era = figures_of(run, names), per_era_of(run)


def diagnose(client: NumeraiClient, account: dict[str, str], item: LoadedSpec, pickle_path: Path,
             manifest: Manifest, names: DiagnosticNames, settings: Settings) -> SlotDiagnostics:
    """Numerai's diagnostics of the build beside the deployed pickle's, and the gate's verdict on them.
    A failure is the result's `error` and `exit_code` (1), never an exception; bad input raises UsageError."""
    slot = item.spec.slot
    result = SlotDiagnostics(slot=slot, build=Path(pickle_path).name)
    path, result.predictions_sha256 = predictions_file(pickle_path, manifest)
    model_id = account.get(slot)
    if model_id is None:
        raise UsageError(f"slot {slot}: the account has no model of this name ==> create it on numer.ai "
                         f"(or deploy with deploy.create: true), then run diagnostics again")
    try:
        content = csv_of(path)
        log.info(f"{slot}: uploading {path.name} ({len(content) / 1024:.0f} KiB) to Numerai's diagnostics")
        result.diagnostics_id = client.upload_diagnostics(content, filename=f"{Path(pickle_path).stem}-validation.csv",
                                                          model_id=model_id)
        run = wait_for(client, model_id, result.diagnostics_id, names, settings, slot)
        result.figures, result.per_era = figures_of(run, names), per_era_of(run)
        result.trained_on_val = bool(run.get("trainedOnVal"))
        read_deployed(client, model_id, names, result)
    except (DiagnosticsFailed, ApiError) as error:
        result.error, result.exit_code = str(error), 1
        return result
    result.verdict = judge(item.spec.gate, result.figures, result.deployed, trained_on_val=result.trained_on_val)
    if not result.verdict.passed:
        result.exit_code = 1
    write_atomic(record_path(pickle_path), json.dumps(result.to_json(), indent=1) + "\n")
    return result


def synthetic_skipped(slot: str, pickle_path: Path) -> SlotDiagnostics:
    """A build on synthetic data, noted instead of refused (diagnostics --skip-synthetic: trial runs)."""
    return SlotDiagnostics(slot=slot, build=Path(pickle_path).name,
                           error=f"not scored: {Path(pickle_path).name} was trained on synthetic data, and Numerai "
                                 f"scores only its own validation ids")


def recorded(pickle_path: Path, manifest: Manifest) -> dict[str, Any] | None:
    """The diagnostics recorded for this very build (its predictions unchanged since), or None."""
    path = record_path(pickle_path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        _, digest = predictions_file(pickle_path, manifest)
    except (OSError, ValueError, UsageError):
        return None
    if not isinstance(document, dict) or document.get("predictions_sha256") != digest or document.get("error"):
        return None
    return document


def gate_for_deploy(client: NumeraiClient, account: dict[str, str], item: LoadedSpec, pickle_path: Path,
                    manifest: Manifest, names: DiagnosticNames, settings: Settings,
                    assigned_id: str | None) -> tuple[Verdict, str]:
    """The gate's verdict on the build for deploy, and where it comes from: the diagnostics `diagnostics`
    recorded for this very build when they were compared with the pickle assigned now, else a run now.
    Numerai's diagnostics failing or not finishing is DiagnosticsFailed."""
    document = recorded(pickle_path, manifest)
    if document is not None and ((document.get("deployed_pickle") or {}).get("id") or None) == (assigned_id or None):
        verdict = judge(item.spec.gate, document.get("figures") or {}, document.get("deployed"),
                        trained_on_val=bool(document.get("trained_on_val")))
        return verdict, f"the diagnostics recorded in {record_path(pickle_path).name}"
    result = diagnose(client, account, item, pickle_path, manifest, names, settings)
    if result.error or result.verdict is None:
        raise DiagnosticsFailed(result.error or f"slot {item.spec.slot}: no verdict")
    return result.verdict, f"Numerai's diagnostics {result.diagnostics_id}"

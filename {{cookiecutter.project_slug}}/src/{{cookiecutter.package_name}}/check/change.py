"""The candidate's live predictions beside those of the pickle deployed now: both pickles run under the
check's isolation on the same live data (the deployed one downloaded from Numerai), then compared
(judge/change.py: Pearson, rank correlation, ids whose rank moved, and the label)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from ..artifact.manifest import Manifest
from ..judge.change import compare
from ..judge.runs import SlotDiagnostics
from ..logs import get_logger
from ..numerai.client import NumeraiClient
from ..numerai.errors import ApiError
from ..repo import Repo
from ..runtimes import Runtime
from .live import live_data
from .pipeline import check_pickle

log = get_logger(__name__)


def live_predictions(repo: Repo, pickle_path: Path, runtime: Runtime, dataset: Path, benchmarks: Path,
                     keep: Path) -> pd.Series | None:
    """The pickle's predictions on the live files, run as `check` runs it; None when the run failed."""
    report = check_pickle(repo, pickle_path, runtime, dataset=str(dataset), benchmarks=str(benchmarks),
                          keep_predictions=keep)
    if not report.ok or not keep.is_file():
        return None
    return pd.read_csv(keep).set_index("id")["prediction"]


def add_change(repo: Repo, client: NumeraiClient, account: dict[str, str], result: SlotDiagnostics,
               pickle_path: Path, manifest: Manifest, runtime: Runtime) -> None:
    """Set `result.change` (or a note saying why there is none) from both pickles' live predictions."""
    deployed = result.deployed_pickle or {}
    model_id = account.get(result.slot)
    if result.error or not deployed.get("id") or model_id is None:
        return
    try:
        content = client.download_pickle(model_id, str(deployed["id"]))
    except ApiError as error:
        result.notes.append(f"the deployed pickle could not be downloaded to compare predictions: {error}")
        return
    live = live_data(repo.data_cache, manifest)
    with tempfile.TemporaryDirectory(prefix="numerai-change-") as scratch:
        folder = Path(scratch)
        (folder / "deployed.pkl").write_bytes(content)
        log.info(f"{result.slot}: running the build and the deployed pickle on {live.source}")
        ours = live_predictions(repo, pickle_path, runtime, live.dataset, live.benchmarks, folder / "candidate.csv")
        theirs = live_predictions(repo, folder / "deployed.pkl", runtime, live.dataset, live.benchmarks,
                                  folder / "deployed.csv")
    if ours is None or theirs is None:
        which = "the build" if ours is None else "the deployed pickle"
        result.notes.append(f"no comparison of live predictions: {which} did not run cleanly under the check")
        return
    result.change = compare(ours, theirs).to_json()

"""Runs of a slot's assigned pickle: the latest one explained (`logs`), or a new one started and
waited for (`trigger`).

A run is one of Numerai's triggers of the pickle: its round (when Numerai names it), its statuses
with Numerai's own descriptions, and the log lines of the container (triggerLogs). A status in
neither the failed nor the succeeded set (numerai/statuses.py) is a run still going, never a success.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..errors import UsageError, WorkFailed
from ..logs import get_logger
from ..numerai.account import model_id_of
from ..numerai.client import NumeraiClient
from ..numerai.errors import ApiError
from ..numerai.polling import polls
from ..numerai.statuses import (
    RUN_FAILED,
    WAITING,
    latest_trigger,
    run_finished,
    run_status,
    says_no_open_round,
    status_history,
    validation_of,
)
from ..settings import Settings

log = get_logger(__name__)


@dataclass
class Run:
    slot: str
    model_id: str
    pickle_id: str
    filename: str
    validation: str
    trigger_id: str = ""
    kind: str = ""
    round_id: str = ""
    status: str = ""
    started_at: str = ""
    statuses: list[dict[str, Any]] = field(default_factory=list)  # {status, description, at}, oldest first
    logs: list[dict[str, Any]] = field(default_factory=list)  # {at, message}
    logs_problem: str = ""
    problem: str = ""  # why the command fails: the run failed, or did not finish in time

    @property
    def waiting(self) -> bool:
        """The run found no open round: the pickle runs at the next one (not a failure)."""
        return says_no_open_round(self.description)

    @property
    def failed(self) -> bool:
        return self.status in RUN_FAILED and not self.waiting

    @property
    def finished(self) -> bool:
        return run_finished(self.status) or self.waiting

    @property
    def description(self) -> str:
        """Numerai's words for where the run stands: its latest status description."""
        described = [entry["description"] for entry in self.statuses if entry.get("description")]
        return described[-1] if described else ""

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "failed": self.failed, "finished": self.finished, "waiting": self.waiting,
                "description": self.description}


def log_time(value: object) -> str:
    """An InvocationLog timestamp (an Int: seconds, or milliseconds, since the epoch) in ISO 8601, UTC."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value or "")
    seconds = value / 1000 if value > 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return str(value)


def run_of(slot: str, model_id: str, pickle: dict[str, Any], trigger: dict[str, Any] | None) -> Run:
    run = Run(slot, model_id, str(pickle.get("id") or ""), str(pickle.get("filename") or "").rsplit("/", 1)[-1],
              validation_of(pickle))
    if not trigger:
        return run
    history = status_history(trigger)
    run.trigger_id = str(trigger.get("id") or "")
    run.kind = str(trigger.get("type") or "")
    run.round_id = str(trigger.get("roundId") or "")
    run.status = run_status(trigger)
    run.started_at = str(trigger.get("insertedAt") or (history[0].get("insertedAt") if history else "") or "")
    run.statuses = [{"status": str(entry.get("status") or ""), "description": str(entry.get("description") or ""),
                     "at": str(entry.get("insertedAt") or "")} for entry in history]
    return run


def read_logs(client: NumeraiClient, run: Run) -> Run:
    """The run's log lines; a failure to read them is noted, not fatal (the statuses still tell)."""
    if not run.trigger_id:
        return run
    try:
        lines = client.trigger_logs(run.trigger_id)
    except ApiError as error:
        if error.exit_code == 2:
            raise
        run.logs_problem = str(error)
        return run
    run.logs = [{"at": log_time(line.get("timestamp")), "message": str(line.get("message") or "")} for line in lines]
    return run


def assigned_pickle(client: NumeraiClient, slot: str, model_id: str) -> dict[str, Any]:
    assigned = (client.model_state(model_id).get("computePickleUpload") or {}).get("id")
    if not assigned:
        raise WorkFailed(f"slot {slot}: no pickle is assigned, so Numerai runs nothing ==> deploy it "
                         f"(numerai-deploy deploy {slot}), or assign an earlier upload "
                         f"(numerai-deploy rollback {slot})")
    found = [item for item in client.uploads(model_id, str(assigned)) if str(item.get("id")) == str(assigned)]
    if not found:
        raise WorkFailed(f"slot {slot}: Numerai lists no upload {assigned}, the pickle it reports assigned ==> "
                         "look at the slot on numer.ai")
    return found[0]


def triggers_of(pickle: dict[str, Any]) -> list[dict[str, Any]]:
    return [trigger for trigger in pickle.get("triggers") or [] if isinstance(trigger, dict)]


def failure(run: Run) -> str:
    return (f"slot {run.slot}: run {run.trigger_id} of pickle {run.pickle_id} {run.status}: "
            f"{run.description or 'Numerai gave no description'} ==> the log lines say why; fix the spec or code, "
            f"then `numerai-deploy build {run.slot}` (it runs the pickle as Numerai does) and deploy; or go back to "
            f"an earlier upload with `numerai-deploy rollback {run.slot}`")


def latest_run(client: NumeraiClient, slot: str, trigger_id: str | None = None) -> Run:
    """The latest run of the slot's assigned pickle (or the run `trigger_id` of any of its uploads)."""
    model_id = model_id_of(client, slot)
    if trigger_id:
        for pickle in client.uploads(model_id):
            for trigger in triggers_of(pickle):
                if str(trigger.get("id")) == trigger_id:
                    run = read_logs(client, run_of(slot, model_id, pickle, trigger))
                    run.problem = failure(run) if run.failed else ""
                    return run
        raise UsageError(f"slot {slot}: none of its uploads has a run {trigger_id} ==> `numerai-deploy logs {slot}` "
                         "shows the latest run of the assigned pickle")
    pickle = assigned_pickle(client, slot, model_id)
    run = read_logs(client, run_of(slot, model_id, pickle, latest_trigger(pickle)))
    run.problem = failure(run) if run.failed else ""
    return run


def start_run(client: NumeraiClient, slot: str, settings: Settings, *, validation: bool = False) -> Run:
    """Start a run of the slot's assigned pickle and wait for its outcome (NUMERAI_POLL_INTERVAL,
    at most NUMERAI_VALIDATION_TIMEOUT seconds)."""
    model_id = model_id_of(client, slot)
    pickle = assigned_pickle(client, slot, model_id)
    pickle_id = str(pickle["id"])
    what = "a validation run" if validation else "a run"
    log.info(f"{slot}: starting {what} of pickle {pickle_id} ({pickle.get('filename')})")
    pickle, before = client.start_run(model_id, pickle_id, validation=validation)
    trigger_id, shown = None, None
    for attempt in polls(settings.validation_timeout, settings.poll_interval):
        if attempt:  # every look but the first reads the pickle's runs anew
            found = [item for item in client.uploads(model_id, pickle_id) if str(item.get("id")) == pickle_id]
            pickle = found[0] if found else pickle
        new = [trigger for trigger in triggers_of(pickle) if str(trigger.get("id")) not in before]
        if trigger_id is None and new:
            trigger_id = str((latest_trigger({"triggers": new}) or {}).get("id"))
            log.info(f"{slot}: run {trigger_id} started")
        trigger = next((item for item in triggers_of(pickle) if str(item.get("id")) == trigger_id), None)
        run = run_of(slot, model_id, pickle, trigger)
        if trigger is not None and (run.status, run.description) != shown:
            shown = (run.status, run.description)
            log.info(f"{slot}: run {trigger_id}: {run.status or 'no status yet'}"
                     + (f" ({run.description})" if run.description else ""))
        if trigger is not None and run.finished:
            run = read_logs(client, run)
            run.problem = failure(run) if run.failed else ""
            return run
    where = f"run {trigger_id}" if trigger_id else "the new run (Numerai lists none yet)"
    run.problem = (f"slot {slot}: {where} did not finish within {settings.validation_timeout:g}s (last status: "
                   f"{run.status or 'none'}) ==> it goes on at Numerai; see it later with "
                   f"`numerai-deploy logs {slot}" + (f" --trigger {trigger_id}`" if trigger_id else "`"))
    return read_logs(client, run)


def text_of(run: Run) -> str:
    """The run as a user reads it: what ran, the status history with Numerai's descriptions, the logs."""
    if not run.trigger_id:
        return (f"{run.slot}: pickle {run.pickle_id} ({run.filename}, validation {run.validation}) has no run yet "
                f"==> numerai-deploy trigger {run.slot}")
    header = [
        f"slot:       {run.slot}",
        f"pickle:     {run.pickle_id} ({run.filename}, validation {run.validation})",
        f"run:        {run.trigger_id}" + (f" ({run.kind})" if run.kind else ""),
        f"round:      {run.round_id or 'not known'}",
        f"started:    {run.started_at or 'not known'}",
        f"status:     {run.status or 'none'}" + ("" if run.finished else " (not finished)"),
        *([f'outcome:    {WAITING} (Numerai: "{run.description}")'] if run.waiting else []),
        "statuses:",
    ]
    header += [f"  {entry['at']}  {entry['status']}" + (f": {entry['description']}" if entry["description"] else "")
               for entry in run.statuses] or ["  (none)"]
    if run.logs_problem:
        header.append(f"logs: could not be read: {run.logs_problem}")
    elif run.logs:
        header.append("logs:")
        header += [f"  {line['at']}  {line['message']}".rstrip() for line in run.logs]
    else:
        header.append("logs: (none)")
    return "\n".join(header)

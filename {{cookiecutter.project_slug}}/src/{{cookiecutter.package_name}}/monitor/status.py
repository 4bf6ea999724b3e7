"""What is live on each slot compared with what git says it should be: one state per slot, the latest
run's outcome and round, and the problems a scheduled check alerts on.

States (git is the desired state, Numerai the live one):
- in sync: the assigned pickle's file name carries the fingerprint the spec builds now (real or
  synthetic data);
- out of date: it carries an earlier fingerprint of this slot (this repo built it from an older spec);
- drifted: a pickle this repo did not build for this slot is assigned (a name without the
  `<slot>-<fingerprint>(-<stamp>).pkl` pattern, or another slot's), a submission webhook is set, or
  the slot is archived or missing on the account;
- not deployed: nothing is assigned; missing (to create): the account lacks the slot and its spec
  has `deploy: {create: true}`, so `deploy` creates it.
A slot whose latest run (or the assigned pickle's validation) failed is failing, whatever its state;
a run that found no round open did not fail (it waits for the next round). Each slot also shows
whether it submitted for the round open now and for the last one that closed (monitor/rounds.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .. import tables
from ..artifact.fingerprint import PICKLE_NAME, fingerprint
from ..logs import get_logger
from ..modelspec import LoadedSpec
from ..numerai import queries
from ..numerai.client import NumeraiClient
from ..numerai.errors import ApiError
from ..numerai.statuses import (
    WAITING,
    failure_description,
    latest_status,
    latest_trigger,
    run_failed,
    run_status,
    validation_of,
    waits_for_round,
)
from ..repo import Repo
from ..runtimes import Runtime
from .rounds import Calendar, SlotRounds, read_calendar, slot_rounds

log = get_logger(__name__)

IN_SYNC, OUT_OF_DATE, DRIFTED = "in sync", "out of date", "drifted"
NOT_DEPLOYED, TO_CREATE, UNKNOWN = "not deployed", "missing (deploy creates it)", "unknown"
# Problem kinds; the health workflow opens an issue for DRIFT and FAILING, and one for rounds.MISSED
# and rounds.LATE (github/alerts.py).
DRIFT, FAILING = "drifted", "failing"
LOG_LINES = 30  # of a failed run, the last ones
COLUMNS = ("slot", "state", "pickle id", "fingerprint", "validation", "last run", "round", "at", "this round",
           "last round")


@dataclass
class Problem:
    kind: str
    message: str


@dataclass
class SlotStatus:
    slot: str
    spec: str = ""
    enabled: bool = True
    checked: bool = True  # False: Numerai could not be asked, so nothing is known about the slot
    state: str = ""
    pickle_id: str = ""
    filename: str = ""
    fingerprint: str = ""
    local: str = ""  # the fingerprint the spec builds now (real data)
    validation: str = ""
    last_run: str = ""
    last_run_at: str = ""
    round: str = ""  # the latest run's round: its number (the id when Numerai lists no such round)
    description: str = ""
    logs: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # SlotRounds.as_json(): the current and last round, submitted or not
    rounds: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # worth saying, not a problem
    exit_code: int = 0

    def problem(self, kind: str, message: str) -> None:
        self.problems.append(Problem(kind, f"slot {self.slot}: {message}"))

    def row(self) -> tuple[str, ...]:
        state = self.state + ("" if self.enabled else " (disabled)")
        rounds = SlotRounds(self.rounds.get("current"), self.rounds.get("last"), problem=self.rounds.get("problem", ""))
        return (self.slot, state, self.pickle_id or "-", self.fingerprint or "-", self.validation or "-",
                self.last_run or "-", self.round or "-", self.last_run_at or "-",
                *(rounds.cells() if self.rounds else ("-", "-")))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def state_of_name(slot: str, filename: str, current: tuple[str, str]) -> tuple[str, str]:
    """(state, fingerprint) of the assigned file name against the fingerprints the spec builds now."""
    match = PICKLE_NAME.search(filename)
    if not match:
        return DRIFTED, ""
    found = match.group("fingerprint")
    if match.group("slot") != slot:
        return DRIFTED, found
    return (IN_SYNC if found in current else OUT_OF_DATE), found


def status_of(client: NumeraiClient, item: LoadedSpec, model: dict[str, Any], current: tuple[str, str],
              calendar: Calendar) -> SlotStatus:
    slot = item.spec.slot
    found = SlotStatus(slot, spec=f"models/{item.path.name}", enabled=item.spec.deploy.enabled, local=current[0])
    pickle = model.get("computePickleUpload")
    if model.get("archived"):
        found.problem(DRIFT, "the model is archived on numer.ai ==> unarchive it there, or remove its spec")
    if model.get("submissionWebhook"):
        found.problem(DRIFT, "a submission webhook was set, so Numerai may not run the uploaded pickle ==> "
                             "remove it at numer.ai, or set `deploy: {webhook: clear}` and run deploy")
    if not pickle:
        found.state, found.validation = NOT_DEPLOYED, "no pickle assigned"
        found.problem(NOT_DEPLOYED, f"no pickle is assigned ==> run deploy (the spec builds {current[0]})")
    else:
        fill_pickle(client, found, pickle, current)
        found.round = calendar.number_of(found.round)
    rounds = slot_rounds(client, calendar, slot, str(model.get("id") or ""), (pickle or {}).get("insertedAt"))
    found.rounds = rounds.as_json()
    if rounds.problem:
        found.notes.append(f"slot {slot}: its rounds are not known: {rounds.problem}")
    for kind, message in rounds.problems:
        found.problem(kind, message)
    if any(problem.kind == DRIFT for problem in found.problems):
        found.state = DRIFTED
    found.exit_code = 1 if found.problems else 0
    return found


def fill_pickle(client: NumeraiClient, found: SlotStatus, pickle: dict[str, Any], current: tuple[str, str]) -> None:
    slot = found.slot
    trigger = latest_trigger(pickle)
    found.pickle_id, found.filename = str(pickle.get("id") or ""), str(pickle.get("filename") or "")
    found.state, found.fingerprint = state_of_name(slot, found.filename, current)
    found.validation = validation_of(pickle)
    found.last_run = run_status(trigger) or str(pickle.get("triggerStatus") or "")
    found.last_run_at = str(latest_status(trigger).get("insertedAt") or "")
    found.round = str((trigger or {}).get("roundId") or "")
    found.description = str(latest_status(trigger).get("description") or "")
    shown = found.filename.rsplit("/", 1)[-1]
    if found.state == DRIFTED:
        found.problem(DRIFT, f"pickle {found.pickle_id} ({shown}) is assigned, which this repository did not "
                             f"build for this slot (assigned by hand or by another tool) ==> run deploy to "
                             f"re-assert the spec's build ({current[0]})")
    elif found.state == OUT_OF_DATE:
        found.problem(OUT_OF_DATE, f"the assigned pickle was built from an earlier spec ({found.fingerprint}; "
                                   f"the spec builds {current[0]}) ==> run deploy")
    if waits_for_round(trigger) and not run_failed(pickle):
        found.last_run = WAITING
        found.notes.append(f'slot {slot}: pickle {found.pickle_id} {WAITING} (Numerai: "{found.description}")')
    elif run_failed(pickle):
        found.description = failure_description(pickle)
        found.logs = run_logs(client, trigger)
        found.problem(FAILING, f"the latest run of pickle {found.pickle_id} failed: {found.description}")


def run_logs(client: NumeraiClient, trigger: dict[str, Any] | None) -> list[str]:
    if not trigger or not trigger.get("id"):
        return []
    try:
        entries = client.trigger_logs(trigger["id"])
    except ApiError as error:
        if error.exit_code == 2:
            raise
        return [f"(the run's logs could not be read: {error})"]
    lines = [f"{entry.get('timestamp') or ''} {entry.get('message') or ''}".strip() for entry in entries]
    return lines[-LOG_LINES:]


def missing_slot(item: LoadedSpec, account: dict[str, str]) -> SlotStatus:
    slot = item.spec.slot
    found = SlotStatus(slot, spec=f"models/{item.path.name}", enabled=item.spec.deploy.enabled,
                       validation="not on the account")
    if item.spec.deploy.create:
        found.state = TO_CREATE
        found.problem(TO_CREATE, "the account has no such model yet ==> run deploy: `deploy: {create: true}` "
                                 "creates it")
    else:
        known = ", ".join(sorted(account)) or "(none)"
        found.state = DRIFTED
        found.problem(DRIFT, f"this Numerai account has no model named {slot!r} ==> its models are: {known}; "
                             f"fix `slot:` in models/{item.path.name}, or set `deploy.create: true` there")
    found.exit_code = 1
    return found


def slot_statuses(client: NumeraiClient, repo: Repo, chosen: list[tuple[LoadedSpec, Runtime]]) -> list[SlotStatus]:
    """What is live on each chosen slot, compared with what its spec builds now."""
    account = client.account_models()
    calendar = read_calendar(client) if any(item.spec.slot in account for item, _runtime in chosen) else None
    rows = []
    for item, runtime in chosen:
        slot = item.spec.slot
        if slot not in account:
            rows.append(missing_slot(item, account))
        else:
            current = (fingerprint(item.spec, runtime, repo.package_dir, False),
                       fingerprint(item.spec, runtime, repo.package_dir, True))
            try:
                model = client.query_field(queries.MODEL_STATUS, {"modelId": account[slot]}, dict) or {}
                assert calendar is not None  # read whenever a slot is on the account
                rows.append(status_of(client, item, model, current, calendar))
            except ApiError as error:
                if error.exit_code == 2:
                    raise  # the key itself: every slot would fail the same way
                row = SlotStatus(slot, spec=f"models/{item.path.name}", enabled=item.spec.deploy.enabled,
                                 checked=False, state=UNKNOWN, validation="unknown", exit_code=1)
                row.problems.append(Problem(UNKNOWN, f"slot {slot}: {error}"))
                rows.append(row)
        if not rows[-1].enabled:  # shown, but neither a failure nor an alert
            rows[-1].problems, rows[-1].exit_code = [], 0
    return rows


def exit_code(rows: list[SlotStatus]) -> int:
    return max((row.exit_code for row in rows), default=0)


def report(rows: list[SlotStatus], *, all_slots: bool) -> dict[str, Any]:
    """The JSON of `status --json` / `--report`: what github/alerts.py turns into GitHub issues."""
    code = exit_code(rows)
    return {"healthy": code == 0, "exit_code": code, "all_slots": all_slots,
            "slots": [row.as_json() for row in rows]}


def text_table(rows: list[SlotStatus]) -> str:
    return tables.text_table(COLUMNS, (row.row() for row in rows))

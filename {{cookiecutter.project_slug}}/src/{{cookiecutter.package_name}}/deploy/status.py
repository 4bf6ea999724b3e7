"""What is live on each slot: the assigned pickle, its build, its validation and its latest run."""

from __future__ import annotations

from dataclasses import dataclass

from ..build.fingerprint import fingerprint, fingerprint_in
from ..numerai.client import NumeraiClient
from ..numerai.errors import ApiError
from ..numerai.statuses import (
    failure_description,
    latest_status,
    latest_trigger,
    run_failed,
    run_status,
    validation_of,
)
from ..repo import Repo
from ..runtimes import Runtime
from ..spec import LoadedSpec

COLUMNS = ("slot", "pickle id", "fingerprint", "validation", "last run", "at", "local spec")


@dataclass
class SlotStatus:
    slot: str
    pickle_id: str = ""
    fingerprint: str = ""
    validation: str = ""
    last_run: str = ""
    last_run_at: str = ""
    local: str = ""
    failed: bool = False
    problem: str = ""
    exit_code: int = 0

    def row(self) -> tuple[str, ...]:
        return (
            self.slot,
            self.pickle_id or "-",
            self.fingerprint or "-",
            self.validation or "-",
            self.last_run or "-",
            self.last_run_at or "-",
            self.local or "-",
        )


def local_match(assigned: str | None, local: str, local_synthetic: str) -> str:
    """Whether the assigned build is what the local spec builds (synthetic builds fingerprint apart)."""
    if not assigned:
        return "unknown (no fingerprint in the file name)"
    if assigned == local:
        return "matches"
    if assigned == local_synthetic:
        return "matches (synthetic build)"
    return f"differs (local {local})"


def status_of(slot: str, model: dict, local: str, local_synthetic: str) -> SlotStatus:
    pickle = model.get("computePickleUpload")
    if not pickle:
        return SlotStatus(slot, validation="no pickle assigned", local=f"not deployed (local {local})")
    trigger = latest_trigger(pickle)
    fingerprint = fingerprint_in(pickle.get("filename"))
    found = SlotStatus(
        slot,
        pickle_id=str(pickle.get("id") or ""),
        fingerprint=fingerprint or "",
        validation=validation_of(pickle),
        last_run=run_status(trigger) or str(pickle.get("triggerStatus") or ""),
        last_run_at=str(latest_status(trigger).get("insertedAt") or ""),
        local=local_match(fingerprint, local, local_synthetic),
        failed=run_failed(pickle),
    )
    found.exit_code = 1 if found.failed else 0
    if found.failed:
        found.problem = (
            f"slot {slot}: the latest run of pickle {found.pickle_id} failed: {failure_description(pickle)}"
        )
    if model.get("submissionWebhook"):
        found.problem = (
            found.problem + "; " if found.problem else f"slot {slot}: "
        ) + "a submission webhook is set, so Numerai may not run the uploaded pickle"
    return found


def missing_slot(item: LoadedSpec, account: dict[str, str]) -> SlotStatus:
    slot = item.spec.slot
    known = ", ".join(sorted(account)) or "(none)"
    return SlotStatus(
        slot,
        validation="not on the account",
        exit_code=2,
        problem=f"slot {slot}: this Numerai account has no model named {slot!r} ==> "
        f"its models are: {known}; fix `slot:` in models/{item.path.name}",
    )


def slot_statuses(client: NumeraiClient, repo: Repo, chosen: list[tuple[LoadedSpec, Runtime]]) -> list[SlotStatus]:
    """What is live on each chosen slot, compared with what its spec builds now."""
    account = client.account_models()
    rows = []
    for item, runtime in chosen:
        slot = item.spec.slot
        if slot not in account:
            rows.append(missing_slot(item, account))
            continue
        local = fingerprint(item.spec, runtime, repo.package_dir, False)
        local_synthetic = fingerprint(item.spec, runtime, repo.package_dir, True)
        try:
            rows.append(status_of(slot, client.model_state(account[slot]), local, local_synthetic))
        except ApiError as error:
            if error.exit_code == 2:
                raise  # the key itself: every slot would fail the same way
            rows.append(SlotStatus(slot, validation="unknown", exit_code=1, problem=f"slot {slot}: {error}"))
    return rows


def text_table(rows: list[SlotStatus]) -> str:
    cells = [COLUMNS, *(row.row() for row in rows)]
    widths = [max(len(line[column]) for line in cells) for column in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)

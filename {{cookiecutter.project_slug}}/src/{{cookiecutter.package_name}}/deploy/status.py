"""What is live on each slot: the assigned pickle, its build, its validation and its latest run."""

from __future__ import annotations

from dataclasses import dataclass

from .artifacts import fingerprint_in
from .runs import failure_description, latest_status, latest_trigger, run_failed, run_status, validation_of

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


def assigned_fingerprints(client, account: dict[str, str], slots: list[str]) -> dict[str, str | None]:
    """{slot: fingerprint of the pickle assigned to it}; None for a slot without one or not on the account.

    `client` is a deploy.client.NumeraiClient and `account` its account_models(); plan uses this to
    leave out slots whose assigned pickle is already the build at hand.
    """
    found = {}
    for slot in slots:
        model = client.model_state(account[slot]) if slot in account else {}
        found[slot] = fingerprint_in((model.get("computePickleUpload") or {}).get("filename"))
    return found


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


def text_table(rows: list[SlotStatus]) -> str:
    cells = [COLUMNS, *(row.row() for row in rows)]
    widths = [max(len(line[column]) for line in cells) for column in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)

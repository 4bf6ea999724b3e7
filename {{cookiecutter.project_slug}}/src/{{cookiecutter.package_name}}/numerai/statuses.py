"""Reading Numerai's record of a pickle: its validation and the runs (triggers) it went through."""

from __future__ import annotations

from typing import Any

VALIDATED = "validated"
# Validation outcomes that will not change by waiting.
REJECTED = frozenset({"invalid", "failed", "error"})
# Trigger (run) statuses that mean the run failed.
RUN_FAILED = frozenset({"failed", "error", "model_failed", "invalid"})
# Numerai's description of a run made while no round is open. Its upload guide calls that a pickle
# that validated and waits for the next round, not a failure, whatever status the run ended with.
NO_OPEN_ROUND = "No currently open rounds!"
WAITING = "validated, waiting for the next round"


def validation_of(pickle: dict[str, Any] | None) -> str:
    return str((pickle or {}).get("validationStatus") or "pending").lower()


def latest_status(trigger: dict[str, Any] | None) -> dict[str, Any]:
    """A trigger's newest status entry ({status, description, insertedAt}), or {}."""
    statuses = [entry for entry in (trigger or {}).get("statuses") or [] if isinstance(entry, dict)]
    if not statuses:
        return {}
    return max(enumerate(statuses), key=lambda pair: (pair[1].get("insertedAt") or "", pair[0]))[1]


def latest_trigger(pickle: dict[str, Any] | None) -> dict[str, Any] | None:
    """The pickle's most recent run; list order breaks ties between equal times."""
    triggers = [trigger for trigger in (pickle or {}).get("triggers") or [] if isinstance(trigger, dict)]
    if not triggers:
        return None
    return max(
        enumerate(triggers), key=lambda pair: (latest_status(pair[1]).get("insertedAt") or "", pair[0])
    )[1]


def run_status(trigger: dict[str, Any] | None) -> str:
    if not trigger:
        return ""
    return str(trigger.get("status") or latest_status(trigger).get("status") or "").lower()


def says_no_open_round(description: str | None) -> bool:
    """Whether a run's description is Numerai's "No currently open rounds!" (case and punctuation aside)."""
    return NO_OPEN_ROUND.lower().rstrip("!") in str(description or "").lower()


def waits_for_round(trigger: dict[str, Any] | None) -> bool:
    """Whether the run ended finding no open round: the pickle runs at the next round."""
    return says_no_open_round(latest_status(trigger).get("description"))


def run_failed(pickle: dict[str, Any] | None) -> bool:
    """Whether the pickle's latest run (or its validation, which is a run too) failed; a run that
    found no open round did not."""
    trigger = latest_trigger(pickle)
    if waits_for_round(trigger) and validation_of(pickle) not in REJECTED:
        return False
    status = run_status(trigger)
    trigger_status = str((pickle or {}).get("triggerStatus") or "").lower()
    if status:
        return status in RUN_FAILED
    return trigger_status in RUN_FAILED or validation_of(pickle) in REJECTED


def failure_description(pickle: dict[str, Any] | None) -> str:
    """Numerai's own words for why the latest run failed."""
    trigger = latest_trigger(pickle)
    for entry in reversed((trigger or {}).get("statuses") or []):
        if isinstance(entry, dict) and entry.get("description"):
            return str(entry["description"])
    return "no description given"


# Run statuses that mean the run is over and went well (Numerai's docs: Success; a pickle's
# triggerStatus: submission_succeeded). Any status in neither set is a run still going.
RUN_SUCCEEDED = frozenset({"success", "succeeded", "submission_succeeded", "validated"})


def run_finished(status: str) -> bool:
    return status.lower() in RUN_FAILED | RUN_SUCCEEDED


def status_history(trigger: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A run's status entries ({status, description, insertedAt}), oldest first."""
    entries = [entry for entry in (trigger or {}).get("statuses") or [] if isinstance(entry, dict)]
    return [entry for _index, entry in sorted(enumerate(entries), key=lambda pair: (pair[1].get("insertedAt") or "",
                                                                                   pair[0]))]

# A diagnostics run's `status`: finished with figures, or failed with a `message` (anything else: still going).
DIAGNOSTICS_DONE = frozenset({"done", "complete", "completed", "succeeded", "success"})
DIAGNOSTICS_FAILED = frozenset({"failed", "error", "errored"})

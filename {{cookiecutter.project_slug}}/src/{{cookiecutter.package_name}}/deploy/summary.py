"""The per-slot outcome of a deploy, as a table for the terminal and for the GitHub step summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import load_settings

COLUMNS = ("slot", "action", "pickle id", "status", "seconds")


@dataclass
class Outcome:
    slot: str
    action: str = "failed"
    pickle_id: str = ""
    status: str = ""
    seconds: float = 0.0
    exit_code: int = 0
    detail: str = ""

    def fail(self, status: str, exit_code: int, detail: str) -> None:
        self.action, self.status, self.exit_code, self.detail = "failed", status, exit_code, detail

    def row(self) -> tuple[str, ...]:
        return (self.slot, self.action, self.pickle_id or "-", self.status or "-", f"{self.seconds:.1f}")


def text_table(outcomes: list[Outcome]) -> str:
    rows = [COLUMNS, *(outcome.row() for outcome in outcomes)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown(outcomes: list[Outcome], title: str) -> str:
    lines = [f"### {title}", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in outcome.row()) + " |" for outcome in outcomes
    ]
    notes = [f"- **{outcome.slot}**: {outcome.detail}" for outcome in outcomes if outcome.detail]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def append_step_summary(text: str) -> Path | None:
    """Append to $GITHUB_STEP_SUMMARY (GitHub Actions renders it on the run's page) when set."""
    target = load_settings().github_step_summary
    if not target:
        return None
    with open(target, "a", encoding="utf-8") as stream:
        stream.write(text + "\n")
    return Path(target)

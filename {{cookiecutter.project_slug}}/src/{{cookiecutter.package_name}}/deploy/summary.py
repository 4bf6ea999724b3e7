"""The per-slot outcome of a deploy, as a table for the terminal and as Markdown for the GitHub step summary."""

from __future__ import annotations

from dataclasses import dataclass

from .. import tables

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
    gate: str = ""  # the gate's verdict on the build, or why it was skipped

    def fail(self, status: str, exit_code: int, detail: str) -> None:
        self.action, self.status, self.exit_code, self.detail = "failed", status, exit_code, detail

    def row(self) -> tuple[str, ...]:
        return (self.slot, self.action, self.pickle_id or "-", self.status or "-", f"{self.seconds:.1f}")


def text_table(outcomes: list[Outcome]) -> str:
    return tables.text_table(COLUMNS, (outcome.row() for outcome in outcomes))


def markdown(outcomes: list[Outcome], title: str) -> str:
    lines = [f"### {title}", "", *tables.markdown_table(COLUMNS, (outcome.row() for outcome in outcomes))]
    notes = [f"- **{outcome.slot}**: {outcome.detail}" for outcome in outcomes if outcome.detail]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"

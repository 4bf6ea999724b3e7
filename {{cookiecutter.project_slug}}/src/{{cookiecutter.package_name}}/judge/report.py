"""Numerai's diagnostics of each slot side by side (candidate, deployed, difference, gate), for the terminal
and as Markdown for the pull-request comment (with a per-era chart of the cumulative CORR)."""

from __future__ import annotations

import json
from typing import Any

from .. import tables
from ..diagnostic_names import DiagnosticNames
from .gate import FAIL, IN_SAMPLE, NO_GATE, PASS, number
from .runs import SlotDiagnostics

COLUMNS = ("figure", "candidate", "deployed", "difference", "gate")
# Points of the per-era chart: Mermaid draws a few dozen clearly.
CHART_POINTS = 40
VERDICT_WORDS = {PASS: "pass", FAIL: "FAIL", IN_SAMPLE: "not enforced (in-sample)", NO_GATE: "no gate in the spec"}


def cell(value: object) -> str:
    found = number(value)
    if found is None:
        return "-"
    return f"{int(found)}" if float(found).is_integer() and abs(found) >= 1 else f"{found:.4f}"


def difference(candidate: object, deployed: object) -> str:
    ours, theirs = number(candidate), number(deployed)
    return "-" if ours is None or theirs is None else f"{ours - theirs:+.4f}"


def bound_text(result: SlotDiagnostics, gate: dict[str, Any], name: str) -> str:
    bound = gate.get(name)
    if bound is None:
        return ""
    failures = result.verdict.failures if result.verdict else ()
    failed = {failure.bound for failure in failures if failure.metric == name}
    parts = [f"{kind} {limit:g}{' FAILS' if kind in failed else ''}"
             for kind, limit in (("min", bound.min), ("max", bound.max), ("min_vs_deployed", bound.min_vs_deployed))
             if limit is not None]
    return ", ".join(parts)


def rows(result: SlotDiagnostics, gate: dict[str, Any], names: DiagnosticNames) -> list[tuple[str, ...]]:
    shown = [*names.headline, *(name for name in gate if name not in names.headline)]
    deployed = result.deployed or {}
    return [(name, cell(result.figures.get(name)), cell(deployed.get(name)),
             difference(result.figures.get(name), deployed.get(name)), bound_text(result, gate, name))
            for name in shown]


def heading(result: SlotDiagnostics) -> str:
    deployed = result.deployed_pickle or {}
    beside = f", beside the deployed pickle {deployed.get('filename')}" if deployed else ""
    return f"{result.slot}: {result.build} scored by Numerai (diagnostics {result.diagnostics_id}){beside}"


def verdict_lines(result: SlotDiagnostics) -> list[str]:
    verdict = result.verdict
    if verdict is None:
        return []
    lines = [f"gate: {VERDICT_WORDS[verdict.status]}"]
    lines += [f"  failed: {failure}" for failure in verdict.failures]
    lines += [f"  note: {note}" for note in verdict.notes]
    return lines


def text(results: list[SlotDiagnostics], gates: dict[str, dict[str, Any]], names: DiagnosticNames) -> str:
    blocks = []
    for result in results:
        if result.error:
            blocks.append(f"{result.slot}: {result.error}")
            continue
        lines = [heading(result)]
        if result.trained_on_val:
            lines.append("in-sample: Numerai reports trainedOnVal (the model trained on these eras)")
        lines += [tables.text_table(COLUMNS, rows(result, gates.get(result.slot, {}), names))]
        lines += [f"note: {note}" for note in result.notes]
        if result.change:
            lines.append(f"predictions against the deployed pickle's, on live data: {result.change['text']}")
        lines += verdict_lines(result)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def cumulative(per_era: list[dict[str, Any]], key: str = "validationCorr") -> list[tuple[str, float]]:
    total, points = 0.0, []
    for item in sorted(per_era, key=lambda entry: str(entry.get("era"))):
        value = number(item.get(key))
        if value is not None:
            total += value
            points.append((str(item.get("era")), round(total, 4)))
    if len(points) > CHART_POINTS:
        step = (len(points) - 1) / (CHART_POINTS - 1)
        points = [points[round(index * step)] for index in range(CHART_POINTS)]
    return points


def chart(result: SlotDiagnostics) -> list[str]:
    """A Mermaid line chart of the cumulative per-era validationCorr (candidate; deployed when known)."""
    ours = cumulative(result.per_era)
    if not ours:
        return []
    theirs = dict(cumulative(result.deployed_per_era))
    eras = [era for era, _ in ours]
    lines = ["```mermaid", "xychart-beta", '  title "Cumulative validationCorr per era (candidate; deployed)"',
             f"  x-axis [{', '.join(json.dumps(era) for era in eras)}]",
             f"  line [{', '.join(str(value) for _, value in ours)}]"]
    if theirs and all(era in theirs for era in eras):
        lines.append(f"  line [{', '.join(str(theirs[era]) for era in eras)}]")
    return [*lines, "```"]


def markdown(results: list[SlotDiagnostics], gates: dict[str, dict[str, Any]], names: DiagnosticNames) -> str:
    lines = ["### Numerai's diagnostics", ""]
    for result in results:
        if result.error:
            lines += [f"**{result.slot}**: {result.error}", ""]
            continue
        verdict = result.verdict
        status = VERDICT_WORDS[verdict.status] if verdict else "-"
        lines += [f"#### {result.slot}: gate {status}", "", heading(result).split(": ", 1)[1] + ".", ""]
        if result.trained_on_val:
            lines += ["> In-sample: Numerai reports `trainedOnVal` (the model trained on these eras).", ""]
        lines += tables.markdown_table(COLUMNS, rows(result, gates.get(result.slot, {}), names))
        failures = [f"- failed: {failure}" for failure in (verdict.failures if verdict else ())]
        notes = [f"- {note}" for note in [*result.notes, *(verdict.notes if verdict else ())]]
        change = [f"- predictions against the deployed pickle's, on live data: **{result.change['label']}** "
                  f"({result.change['text'].split(' (', 1)[1]}" if result.change else ""]
        lines += ["", *[line for line in change if line], *failures, *notes, "", *chart(result), ""]
    return "\n".join(line for line in lines).rstrip() + "\n"

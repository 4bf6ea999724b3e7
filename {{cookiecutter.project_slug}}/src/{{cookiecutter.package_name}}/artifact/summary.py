"""Markdown of built pickles' validation metrics beside the deployed versions', with a chart.

For each built slot: one row in the overview table; then CORR, MMC and BMC with their mean, standard
deviation, Sharpe and max drawdown (or why one was not scored), and a Mermaid `xychart-beta` of the
cumulative per-era validation CORR of the build and, when known, of the deployed version (GitHub
renders Mermaid in Markdown, job summaries included).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..tables import markdown_table
from .manifest import Manifest, read_manifests, write_manifest_file

SCORES = (("corr", "CORR"), ("mmc", "MMC"), ("bmc", "BMC"))
STATISTICS = (("mean", "Mean"), ("std", "Std"), ("sharpe", "Sharpe"), ("max_drawdown", "Max drawdown"))
OVERVIEW = (("corr_mean", "CORR mean"), ("corr_sharpe", "CORR sharpe"), ("mmc_mean", "MMC mean"),
            ("bmc_mean", "BMC mean"))
# Lines of the chart: this build, then the deployed version (xychart-beta draws no legend).
COLOURS = ("#2563eb", "#9ca3af")


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def scores_of(manifest: Manifest | None) -> dict[str, Any]:
    """The validation metrics; a CORR drawdown recorded by an older version under `max_drawdown` too."""
    if manifest is None:
        return {}
    scores = dict(manifest.validation)
    if "max_drawdown" in scores:
        scores.setdefault("corr_max_drawdown", scores["max_drawdown"])
    return scores


def cell(new: dict[str, Any], old: dict[str, Any] | None, key: str) -> str:
    """'0.0213' alone, or beside the deployed value with the change: '0.0213 (0.0190, +0.0023)'."""
    value, before = new.get(key), (old or {}).get(key)
    if old is None or before is None:
        return number(value)
    if value is None:
        return f"– ({number(before)})"
    return f"{number(value)} ({number(before)}, {value - before:+.4f})"


def overview_row(slot: str, manifest: Manifest, before: Manifest | None) -> list[str]:
    scores, old_scores = scores_of(manifest), (scores_of(before) if before else None)
    data_label = manifest.data.version + (" (synthetic)" if manifest.data.synthetic else "")
    image = f"{manifest.runtime.image.rsplit('/', 1)[-1]}:{manifest.runtime.tag}"
    return [slot, f"`{manifest.fingerprint}`", image, data_label, str(scores.get("eras", "–")),
            *(cell(scores, old_scores, key) for key, _ in OVERVIEW), f"`{before.fingerprint}`" if before else "–"]


def overview(built: dict[str, Manifest], deployed: dict[str, Manifest]) -> list[str]:
    headers = ["Slot", "Fingerprint", "Image", "Data", "Eras", *(label for _, label in OVERVIEW), "Deployed"]
    return markdown_table(headers, (overview_row(slot, manifest, deployed.get(slot))
                                    for slot, manifest in sorted(built.items())))


def metric_row(scores: dict[str, Any], old_scores: dict[str, Any] | None, name: str, label: str) -> list[str]:
    """One metric's eras and statistics, or why it was not scored."""
    if f"{name}_mean" not in scores:
        why = (scores.get("not_scored") or {}).get(name, "not recorded by the build that made this pickle")
        return [label, "–", f"not scored: {why}", *([""] * (len(STATISTICS) - 1))]
    against = f" (against {scores['bmc_benchmark']})" if name == "bmc" and scores.get("bmc_benchmark") else ""
    return [f"{label}{against}", str(scores.get(f"{name}_eras", "–")),
            *(cell(scores, old_scores, f"{name}_{key}") for key, _ in STATISTICS)]


def details(scores: dict[str, Any], old_scores: dict[str, Any] | None) -> list[str]:
    """CORR, MMC and BMC: eras, mean, std, Sharpe, max drawdown, or why a metric was not scored."""
    headers = ["Metric", "Eras", *(label for _, label in STATISTICS)]
    return markdown_table(headers, (metric_row(scores, old_scores, name, label) for name, label in SCORES))


def value_at(curve: list[list[Any]], era: str) -> float:
    """The cumulative score at `era`: the last point at or before it (0 before the first)."""
    value = 0.0
    for point_era, point_value in curve:
        if str(point_era) > era:
            break
        value = point_value
    return value


def chart(slot: str, curve: list[list[Any]], deployed_curve: list[list[Any]] | None) -> list[str]:
    """A Mermaid xychart-beta of the cumulative per-era validation CORR, this build's line first."""
    curves = [curve, *([deployed_curve] if deployed_curve else [])]
    eras = sorted({str(era) for line in curves for era, _ in line})
    theme = {"themeVariables": {"xyChart": {"plotColorPalette": ", ".join(COLOURS[:len(curves)])}}}
    lines = ["```mermaid", "%%{init: " + json.dumps(theme) + "}%%", "xychart-beta",
             f'    title "{slot}: cumulative validation CORR"',
             "    x-axis [" + ", ".join(f'"{era}"' for era in eras) + "]",
             '    y-axis "cumulative CORR"']
    for line in curves:
        lines.append("    line [" + ", ".join(f"{value_at(line, era):.4f}" for era in eras) + "]")
    lines.append("```")
    legend = "Blue: this build" + ("; grey: the deployed version." if deployed_curve else ".")
    return [*lines, "", legend]


def slot_section(slot: str, manifest: Manifest, before: Manifest | None) -> list[str]:
    scores, old_scores = scores_of(manifest), (scores_of(before) if before else None)
    lines = ["", f"#### {slot}", ""]
    if not scores:
        return [*lines, "No validation metrics (the spec turns them off, or the build had no validation eras)."]
    lines += details(scores, old_scores)
    if scores.get("in_sample"):
        lines += ["", "In-sample: the model trained on these validation eras."]
    if scores.get("corr_curve"):
        deployed_curve = (old_scores or {}).get("corr_curve")
        lines += ["", *chart(slot, scores["corr_curve"], deployed_curve)]
    return lines


def table(built: dict[str, Manifest], deployed: dict[str, Manifest], title: str) -> str:
    lines = [f"### {title}", ""]
    if not built:
        return "\n".join([*lines, "Nothing was built: every model is up to date.", ""])
    lines += overview(built, deployed)
    lines += ["", "Per-era scores on validation eras (numerai-tools: CORR, and MMC against the meta model, "
              "BMC against a benchmark model when the data version has them); in brackets the deployed "
              "version's, and the change."]
    for slot, manifest in sorted(built.items()):
        lines += slot_section(slot, manifest, deployed.get(slot))
    return "\n".join(lines) + "\n"


def record(manifests: dict[str, Manifest], folder: Path) -> None:
    """Keep manifests as <slot>.json: the baseline later summaries and plans compare with."""
    for slot, manifest in manifests.items():
        write_manifest_file(manifest, Path(folder) / f"{slot}.json")


def built_manifests(folder: Path, current: dict[str, set[str]], from_plan: bool = False) -> dict[str, Manifest]:
    """The manifests under --artifacts (of a slot built more than once, the current spec's build); a
    missing folder, or one without any, is a mistake in the call (unless a plan says what was to be
    built: then its slots without a build are failures to report)."""
    if from_plan:
        return read_manifests(folder, current)
    if not folder.is_dir():
        raise UsageError(f"--artifacts {folder}: no such folder ==> pass the folder `build` wrote (default: dist/) "
                         "or the downloaded artifacts")
    built = read_manifests(folder, current)
    if not built:
        raise UsageError(f"--artifacts {folder}: no pickle manifests (<slot>-<fingerprint>.json) in it ==> "
                         "run `numerai-deploy build` first, or pass the folder that holds them")
    return built

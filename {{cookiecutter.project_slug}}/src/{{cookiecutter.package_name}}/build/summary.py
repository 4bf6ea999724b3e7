"""A Markdown table of built pickles' validation metrics beside the deployed versions'."""

from __future__ import annotations

from pathlib import Path

from .manifest import Manifest, write_manifest_file

METRICS = (("corr_mean", "CORR mean"), ("corr_sharpe", "Sharpe"), ("max_drawdown", "Max drawdown"))


def number(value) -> str:
    return "–" if value is None else f"{value:.4f}"


def cell(new: dict, old: dict | None, key: str) -> str:
    """'0.0213' alone, or beside the deployed value with the change: '0.0213 (0.0190, +0.0023)'."""
    value, before = new.get(key), (old or {}).get(key)
    if old is None or before is None:
        return number(value)
    if value is None:
        return f"– ({number(before)})"
    return f"{number(value)} ({number(before)}, {value - before:+.4f})"


def table(built: dict[str, Manifest], deployed: dict[str, Manifest], title: str) -> str:
    lines = [f"### {title}", ""]
    if not built:
        return "\n".join([*lines, "Nothing was built: every model is up to date.", ""])
    names = " | ".join(label for _, label in METRICS)
    lines += [
        f"| Slot | Fingerprint | Image | Data | Eras | {names} | Deployed |",
        "|" + " --- |" * (6 + len(METRICS)),
    ]
    for slot, manifest in sorted(built.items()):
        before = deployed.get(slot)
        scores, old_scores = manifest.validation, (before.validation if before else None)
        data_label = manifest.data.version + (" (synthetic)" if manifest.data.synthetic else "")
        cells = " | ".join(cell(scores, old_scores, key) for key, _ in METRICS)
        deployed_label = f"`{before.fingerprint}`" if before else "–"
        image = f"{manifest.runtime.image.rsplit('/', 1)[-1]}:{manifest.runtime.tag}"
        lines.append(f"| {slot} | `{manifest.fingerprint}` | {image} | {data_label} | "
                     f"{scores.get('eras', '–')} | {cells} | {deployed_label} |")
    lines += ["", "Per-era CORR on validation eras; in brackets the deployed version's, and the change."]
    return "\n".join(lines) + "\n"


def record(manifests: dict[str, Manifest], folder: Path) -> None:
    """Keep manifests as <slot>.json: the baseline later summaries and plans compare with."""
    for slot, manifest in manifests.items():
        write_manifest_file(manifest, Path(folder) / f"{slot}.json")

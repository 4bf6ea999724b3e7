"""Write a Markdown table of built pickles' validation metrics beside the deployed versions'.

Reads the manifests under --artifacts (any depth: one folder per downloaded artifact) and, for
comparison, the manifests of the deployed versions under --baseline when there are any. The
table goes to $GITHUB_STEP_SUMMARY when set (the job's summary page), and to stdout.
--record DIR also keeps the manifests read as DIR/<slot>.json: the baseline of later summaries
(the deploy workflow records what it deployed; pull requests compare with it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..files import write_atomic

METRICS = (("corr_mean", "CORR mean"), ("corr_sharpe", "Sharpe"), ("max_drawdown", "Max drawdown"))


def add_arguments(parser) -> None:
    parser.add_argument("--artifacts", default="dist", metavar="DIR",
                        help="where built pickles and their manifests are (default: dist/)")
    parser.add_argument("--baseline", default=None, metavar="DIR",
                        help="manifests of the deployed versions, one <slot>.json each")
    parser.add_argument("--record", default=None, metavar="DIR",
                        help="also keep the manifests read as DIR/<slot>.json (after a deploy)")
    parser.add_argument("--title", default="Numerai models", help="heading of the table")


def read_manifests(folder: Path) -> dict[str, dict]:
    """{slot: manifest} of every pickle manifest under `folder`; other JSON files are skipped."""
    found = {}
    for path in sorted(Path(folder).rglob("*.json")) if Path(folder).is_dir() else []:
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and {"slot", "fingerprint"} <= manifest.keys():
            found[manifest["slot"]] = manifest
    return found


def validation(manifest: dict | None) -> dict:
    return ((manifest or {}).get("metrics") or {}).get("validation") or {}


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


def table(built: dict[str, dict], deployed: dict[str, dict], title: str) -> str:
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
        runtime, data = manifest.get("runtime") or {}, manifest.get("data") or {}
        scores, old_scores = validation(manifest), (validation(before) if before else None)
        data_label = data.get("version", "?") + (" (synthetic)" if data.get("synthetic") else "")
        cells = " | ".join(cell(scores, old_scores, key) for key, _ in METRICS)
        deployed_label = f"`{before['fingerprint']}`" if before else "–"
        image = f"{runtime.get('image', '?').rsplit('/', 1)[-1]}:{runtime.get('tag', '?')}"
        lines.append(f"| {slot} | `{manifest['fingerprint']}` | {image} | {data_label} | "
                     f"{scores.get('eras', '–')} | {cells} | {deployed_label} |")
    lines += ["", "Per-era CORR on validation eras; in brackets the deployed version's, and the change."]
    return "\n".join(lines) + "\n"


def record(manifests: dict[str, dict], folder: Path) -> None:
    for slot, manifest in manifests.items():
        write_atomic(Path(folder) / f"{slot}.json", json.dumps(manifest, indent=2) + "\n")


def run(args) -> int:
    built = read_manifests(Path(args.artifacts))
    deployed = read_manifests(Path(args.baseline)) if args.baseline else {}
    text = table(built, deployed, args.title)
    print(text, end="")
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(text)
    if args.record:
        record(built, Path(args.record))
    return 0


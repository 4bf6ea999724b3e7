"""List the dataset versions of datasets/ and the specs on each; report drift from what Numerai offers.

Asks Numerai which dataset versions it publishes (list_datasets) and, with NUMERAI_PUBLIC_ID and
NUMERAI_SECRET_KEY set, which ones model uploads take (computePickleDataVersions, deprecated ones
too). Drift: a newer version than a spec trains on, or one a spec trains on that uploads no longer
take or mark deprecated. `--json` prints the report; `--report FILE` writes it as well (the health
workflow turns each finding into a GitHub issue with `python3 -m <package>.github alert datasets`); `--offline`
asks nothing. Exit 0 whatever the drift (news, not a failure); 2 for bad input or a rejected key.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..data.drift import drift_report
from ..files import write_atomic
from ..modelspec.versions import versions_for
from ..numerai.credentials import read_credentials
from ..settings import Settings
from .common import load_all, repo_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offline", action="store_true", help="list datasets/ only; ask Numerai nothing")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--report", type=Path, default=None, metavar="FILE",
                        help="also write the report to FILE (for `python3 -m <package>.github alert datasets "
                             "--report FILE`)")


def text(report: dict[str, Any]) -> list[str]:
    lines = []
    for name, facts in report["vendored"].items():
        specs = ", ".join(report["specs"].get(name, [])) or "no spec"
        lines.append(f"{name:6} {facts['status']:10} released {facts['released']}, facts checked {facts['checked']}: "
                     f"{specs}")
    lines += [f"{name:6} {'not in datasets/':10} {', '.join(specs)}" for name, specs in report["specs"].items()
              if name not in report["vendored"]]
    if report["published"] is not None:
        lines.append(f"Numerai publishes: {', '.join(report['published'])}")
    if report["uploads"] is not None:
        lines.append("model uploads take: " + ", ".join(
            item["name"] + "".join(f" ({flag})" for flag in ("default", "deprecated") if item[flag])
            for item in report["uploads"]))
    lines += [f"note: {note}" for note in report["notes"]]
    if not report["checked"]:
        lines.append("drift: unknown (Numerai was not asked or did not answer)")
    else:
        lines += [f"drift: {finding['message']}" for finding in report["findings"]] or [
            "no drift: no newer version than the specs train on, none of theirs deprecated"]
    return lines


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    specs, _ = load_all(repo)
    credentials = None if args.offline else read_credentials(settings)
    report = drift_report(specs, versions_for(repo.models), repo.data_cache, credentials, settings,
                          offline=args.offline)
    if args.report is not None:
        write_atomic(args.report, json.dumps(report, separators=(",", ":")) + "\n")
    print(json.dumps(report, indent=2) if args.json else "\n".join(text(report)))
    return 0

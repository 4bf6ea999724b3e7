"""List the numerai_predict runtimes (Python minor, image, tag) and mark the default.

With NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY set, asks Numerai which images it offers
(computePickleDockerImages, deprecated and experimental ones included) and compares them with the
vendored catalogue: a new image, another tag, another default or flags, an image no longer listed.
Any of these is drift: `--json` says `"drift": true` and lists the `changes`; `--report FILE` writes
that JSON to a file too; `scripts/refresh_runtimes.py --report FILE` applies it (the scheduled
health workflow does both and proposes the result as a pull request). Without keys, or with
`--offline`, it shows the vendored catalogue and `"drift"` is null (unknown).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..files import write_atomic
from ..runtimes.report import runtimes_report
from ..settings import Settings
from .common import repo_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offline", action="store_true", help="use only the vendored catalogue, even with credentials")
    parser.add_argument("--json", action="store_true",
                        help="print the catalogue, Numerai's images and the drift between them as JSON")
    parser.add_argument("--report", type=Path, default=None, metavar="FILE",
                        help="also write that JSON to FILE (for scripts/refresh_runtimes.py --report FILE)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    report = runtimes_report(repo_from(args, settings).runtimes, settings, offline=args.offline)
    document = json.dumps(report.as_json(), indent=2)
    if args.report is not None:
        write_atomic(args.report, document + "\n")
    print(document if args.json else report.text())
    return 0

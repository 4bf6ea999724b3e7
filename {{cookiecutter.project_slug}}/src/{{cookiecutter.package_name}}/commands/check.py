"""Check pickles against the numerai_predict image they will run in, before anything is uploaded.

Static checks (modules the pickle imports vs. the image's packages; the manifest's Python and
library versions vs. the image's pins), then a run in a cached environment with the image's Python
minor and pinned versions: loaded with pandas.read_pickle in a fresh process, called with 1 or 2
arguments as predict.py does, on live-shaped data, with no network, 1 CPU, 4 GB, 10 minutes. Then
predict.py's checks in its order and words, and what Numerai's later validation judges.
Exit 0 when every pickle passes, 1 when one fails, 2 on bad arguments.

The real container (GitHub Actions and local debugging use this one command):

    numerai-deploy check --print-container-command dist/<slot>-<fingerprint>.pkl

prints `docker run --rm --platform linux/amd64 --network none --memory 4g --memory-swap 4g --cpus 1
-v DIR:DIR:ro ... IMAGE:TAG --debug --model PICKLE --dataset LIVE --benchmarks BENCHMARKS`, with the
image and tag from runtimes/catalogue.json and the same live files the check uses (download
Numerai's first, e.g. by a build on real data, so that the container needs no network).
"""

from __future__ import annotations

import argparse
import json

from ..check.container import container_command, shell_line
from ..check.live import live_data
from ..check.pipeline import check_pickle, existing_pickles, read_manifest_beside, runtime_for
from ..check.report import render_text
from ..runtimes import load_catalogue
from ..sandbox.limits import checked_limits
from ..settings import Settings
from .common import repo_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pickles", nargs="+", metavar="PICKLE", help="pickle(s) to check, e.g. dist/*.pkl")
    parser.add_argument("--runtime", default=None, metavar="PY",
                        help="image to check against, e.g. py3.12 (default: the manifest's, else the default)")
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                        help="wall time limit of the run (default: 600, as on Numerai)")
    parser.add_argument("--memory", default="4g", metavar="SIZE", help="memory limit (default: 4g, as on Numerai)")
    parser.add_argument("--cpus", type=int, default=1, metavar="N", help="CPUs and threads (default: 1, as on Numerai)")
    parser.add_argument("--allow-network", action="store_true",
                        help="let the pickle use the network (Numerai does not)")
    parser.add_argument("--dataset", default=None, metavar="FILE",
                        help="live features parquet (default: cached, else synthetic)")
    parser.add_argument("--benchmarks", default=None, metavar="FILE", help="live benchmark models parquet")
    parser.add_argument("--print-container-command", action="store_true",
                        help="print the `docker run` of the real image for each pickle, and run nothing")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    catalogue = load_catalogue(repo.runtimes)
    limits = checked_limits(args.timeout, args.memory, args.cpus, args.allow_network)
    pickles = existing_pickles(args.pickles)
    if args.print_container_command:
        for pickle_path in pickles:
            manifest, _ = read_manifest_beside(pickle_path)
            live = live_data(repo.data_cache, manifest, args.dataset, args.benchmarks)
            runtime = runtime_for(pickle_path, args.runtime, catalogue)
            print(shell_line(container_command(runtime, pickle_path, live, limits)))
        return 0
    reports = []
    for pickle_path in pickles:
        runtime = runtime_for(pickle_path, args.runtime, catalogue)
        report = check_pickle(repo, pickle_path, runtime, limits=limits, dataset=args.dataset,
                              benchmarks=args.benchmarks)
        reports.append(report)
        if not args.json:
            print(render_text(report))
    if args.json:
        print(json.dumps({"ok": all(report.ok for report in reports),
                          "reports": [report.as_dict() for report in reports]}, indent=2))
    return 0 if all(report.ok for report in reports) else 1

"""Numerai's own diagnostics of each slot's build, beside the deployed pickle's, judged by the spec's gate.

For each slot (default: every spec with a build at hand), the build of its current spec in dist/ (or
--artifacts) has its validation predictions (every validation id once, written by build beside the
pickle) uploaded to Numerai's diagnostics under the slot's model; the command waits for Numerai's
figures (NUMERAI_DIAGNOSTICS_TIMEOUT, polling every NUMERAI_POLL_INTERVAL) and prints them beside those
of the pickle deployed on the slot now, under Numerai's own names, with the verdict of the spec's
`gate:`. The verdict is recorded beside the pickle, where deploy finds it. Exit 1 when a bound fails, or
Numerai's diagnostics fail or are not done in time; 2 for bad input (no build, a synthetic build).
--json prints the same as data; --markdown FILE also writes the pull request's comment section;
--skip-synthetic notes a build on synthetic data instead of refusing it; --compare-live also runs the build
and the deployed pickle on live data and labels the change: unchanged, minor or new model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..check.change import add_change
from ..deploy.slots import current_builds
from ..diagnostic_names import load_names
from ..files import write_atomic
from ..github_actions import append_summary
from ..judge import report
from ..judge.runs import diagnose, synthetic_skipped
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import Settings
from .common import load_all, repo_from, runtime_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to diagnose (default: every built one)")
    parser.add_argument("--artifacts", default=None, metavar="DIR",
                        help="folder of built pickles and their manifests (default: dist/)")
    parser.add_argument("--json", action="store_true", help="print the figures and verdicts as JSON")
    parser.add_argument("--markdown", default=None, metavar="FILE",
                        help="also write the figures as Markdown (the pull request's comment section)")
    parser.add_argument("--compare-live", action="store_true",
                        help="also run the build and the deployed pickle on live data under the check's isolation "
                             "and say what changed in the predictions (unchanged, minor, new model)")
    parser.add_argument("--skip-synthetic", action="store_true",
                        help="note a build on synthetic data instead of refusing it (trial runs of the workflows)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    specs, catalogue = load_all(repo)
    builds = current_builds(specs, catalogue, repo.package_dir, Path(args.artifacts) if args.artifacts else repo.dist,
                            args.slots)
    names = load_names(repo.datasets)
    client = NumeraiClient(require_credentials(settings), settings)
    account = client.account_models()
    results = [synthetic_skipped(item.spec.slot, build.path) if args.skip_synthetic and build.synthetic
               else diagnose(client, account, item, build.path, build.manifest, names, settings)
               for item, build in builds]
    for (item, build), result in zip(builds, results, strict=True) if args.compare_live else ():
        add_change(repo, client, account, result, build.path, build.manifest, runtime_of(item, catalogue))
    gates = {item.spec.slot: item.spec.gate for item, _build in builds}
    if args.json:
        print(json.dumps([result.to_json() for result in results], indent=1))
    else:
        print(report.text(results, gates, names))
    section = report.markdown(results, gates, names)
    if args.markdown:
        write_atomic(Path(args.markdown), section)
    append_summary(settings, section)
    return max((result.exit_code for result in results), default=0)

"""Write Markdown of built pickles' validation metrics beside the deployed versions', with charts.

Per built slot: CORR, MMC and BMC (mean, std, Sharpe, max drawdown; or why one was not scored) and
a Mermaid chart of the cumulative per-era validation CORR, the deployed version's beside it.

Reads the manifests under --artifacts (any depth: one folder per downloaded artifact; of a slot built
more than once, the build of its current spec, else the newest) and, for
comparison, the manifests of the deployed versions under --baseline when there are any. The
table goes to $GITHUB_STEP_SUMMARY when set (the job's summary page), and to stdout.
--record DIR also keeps the manifests read as DIR/<slot>.json. The deploy workflow reads the baseline
from GitHub's deployments (`python3 -m <package>.github baseline --out DIR`).
--plan MATRIX (the plan job's output) with --comment FILE also writes a pull request's review: the plan,
each planned slot's check verdict (a slot whose build never came back counts as failed) and the table.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..artifact.fingerprint import fingerprint
from ..artifact.manifest import read_manifests
from ..artifact.review import planned, review
from ..artifact.summary import built_manifests, record, table
from ..errors import UsageError
from ..files import write_atomic
from ..github_actions import append_summary
from ..settings import Settings
from .common import load_all, repo_from, runtime_of

STDOUT_IS_DATA = True  # the table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--artifacts", default="dist", metavar="DIR",
                        help="where built pickles and their manifests are (default: dist/)")
    parser.add_argument("--baseline", default=None, metavar="DIR",
                        help="manifests of the deployed versions, one <slot>.json each")
    parser.add_argument("--record", default=None, metavar="DIR",
                        help="also keep the manifests read as DIR/<slot>.json (after a deploy)")
    parser.add_argument("--title", default="Numerai models", help="heading of the table")
    parser.add_argument("--plan", default=None, metavar="MATRIX",
                        help="the plan's matrix JSON: every planned slot gets a verdict (no build needed for it)")
    parser.add_argument("--comment", default=None, metavar="FILE",
                        help="with --plan: also write the pull request's review (plan, verdicts, table) to FILE")


def current_fingerprints(args: argparse.Namespace, settings: Settings) -> dict[str, set[str]]:
    """{slot: what its current spec builds, on real and on synthetic data}; nothing outside a repository."""
    if not (Path(args.repo) / "models").is_dir():
        return {}
    repo = repo_from(args, settings)
    specs, catalogue = load_all(repo)
    return {item.spec.slot: {fingerprint(item.spec, runtime_of(item, catalogue), repo.package_dir, synthetic)
                             for synthetic in (False, True)} for item in specs}


def run(args: argparse.Namespace, settings: Settings) -> int:
    entries = planned(args.plan) if args.plan is not None else None
    if args.comment and entries is None:
        raise UsageError("--comment needs --plan (the plan job's matrix), to give every planned slot its verdict")
    built = built_manifests(Path(args.artifacts), current_fingerprints(args, settings), from_plan=entries is not None)
    deployed = read_manifests(Path(args.baseline)) if args.baseline else {}
    text = table(built, deployed, args.title)
    print(text, end="")
    append_summary(settings, text.rstrip("\n"))
    if args.record:
        record(built, Path(args.record))
    if args.comment and entries is not None:  # --comment without --plan is refused above
        write_atomic(Path(args.comment), review(entries, built, text))
    return 0

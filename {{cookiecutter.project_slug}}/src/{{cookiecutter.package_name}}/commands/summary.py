"""Write Markdown of built pickles' validation metrics beside the deployed versions', with charts.

Per built slot: CORR, MMC and BMC (mean, std, Sharpe, max drawdown; or why one was not scored) and
a Mermaid chart of the cumulative per-era validation CORR, the deployed version's beside it.

Reads the manifests under --artifacts (any depth: one folder per downloaded artifact) and, for
comparison, the manifests of the deployed versions under --baseline when there are any. The
table goes to $GITHUB_STEP_SUMMARY when set (the job's summary page), and to stdout.
--record DIR also keeps the manifests read as DIR/<slot>.json: the baseline of later summaries
(the deploy workflow records what it deployed; pull requests compare with it).
"""

from __future__ import annotations

from pathlib import Path

from ..build.manifest import read_manifests
from ..build.summary import record, table
from ..errors import UsageError
from ..github_actions import append_summary

STDOUT_IS_DATA = True  # the table


def add_arguments(parser) -> None:
    parser.add_argument("--artifacts", default="dist", metavar="DIR",
                        help="where built pickles and their manifests are (default: dist/)")
    parser.add_argument("--baseline", default=None, metavar="DIR",
                        help="manifests of the deployed versions, one <slot>.json each")
    parser.add_argument("--record", default=None, metavar="DIR",
                        help="also keep the manifests read as DIR/<slot>.json (after a deploy)")
    parser.add_argument("--title", default="Numerai models", help="heading of the table")


def built_manifests(folder: Path):
    """The manifests under --artifacts; a missing folder, or one without any, is a mistake in the call."""
    if not folder.is_dir():
        raise UsageError(f"--artifacts {folder}: no such folder ==> pass the folder `build` wrote (default: dist/) "
                         "or the downloaded artifacts")
    built = read_manifests(folder)
    if not built:
        raise UsageError(f"--artifacts {folder}: no pickle manifests (<slot>-<fingerprint>.json) in it ==> "
                         "run `numerai-deploy build` first, or pass the folder that holds them")
    return built


def run(args) -> int:
    built = built_manifests(Path(args.artifacts))
    deployed = read_manifests(Path(args.baseline)) if args.baseline else {}
    text = table(built, deployed, args.title)
    print(text, end="")
    append_summary(text.rstrip("\n"))
    if args.record:
        record(built, Path(args.record))
    return 0

"""Decide which slots to build and print the build matrix as JSON.

Every selected slot is fingerprinted. With --changed-since REF the slots whose fingerprint differs
from the one at REF are built (a pull request's base, the commit before a push); with --deployed DIR
those whose fingerprint differs from the manifests GitHub's deployments recorded (`baseline` writes
them); with --against-numerai those whose fingerprint differs from the pickle assigned on Numerai
(needs credentials). Given together, a slot that differs from any of them is built: a push then also
builds what an earlier, cancelled or failed, run left undeployed. A slot whose recorded deployment is a
rollback counts as deployed (to stay on it is the rollback's point) until its spec changes. --force
builds every selected slot. A plan of more slots than a GitHub matrix holds (runtimes/runners.json)
is refused (exit 2) with the way to deploy it in parts. When $GITHUB_OUTPUT is set, the
matrix, the number of entries, the slot names and the data kind are written there as job outputs.

NUMERAI_SYNTHETIC_DATA=true in the environment has the effect of --synthetic: a whole workflow
then runs on generated data (a trial run, or a test under act).

Each slot's build peak memory and disk are estimated and compared with its runner (runtimes/
capacity.json, runtimes/runners.json): a slot to build that cannot fit is refused (exit 2) with the
fixes. --untrusted plans code from outside the repository (a pull request from a fork): its builds
run on GitHub-hosted runners only, whatever `build.runner` says.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..github_actions import append_outputs
from ..modelspec import select_specs
from ..plan.matrix import describe, github_outputs, split_slots
from ..plan.planner import Comparisons, plan_builds, synthetic_wanted
from ..settings import Settings
from .common import load_all, repo_from

SYNTHETIC_VARIABLE = "NUMERAI_SYNTHETIC_DATA"
STDOUT_IS_DATA = True  # the matrix; the log goes to stderr


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to consider (default: all)")
    parser.add_argument("--slots", dest="slot_list", default="", metavar="LIST",
                        help="more slots, comma or space separated (a workflow input); empty: all")
    parser.add_argument("--synthetic", action="store_true",
                        help=f"fingerprint for synthetic data (also: {SYNTHETIC_VARIABLE}=true)")
    compare = parser.add_argument_group("compare with (a slot that differs from any of them is built)")
    compare.add_argument("--changed-since", metavar="REF", default=None,
                         help="build only slots whose fingerprint changed since this git revision")
    compare.add_argument("--deployed", metavar="DIR", default=None,
                         help="build only slots whose fingerprint differs from the manifests in DIR "
                              "(`summary --record DIR` keeps them after a deploy)")
    compare.add_argument("--against-numerai", action="store_true",
                         help="build only slots whose assigned pickle on Numerai has another fingerprint")
    parser.add_argument("--force", action="store_true", help="build every selected slot, changed or not")
    parser.add_argument("--deployable", action="store_true",
                        help="leave out slots whose spec says deploy.enabled: false")
    parser.add_argument("--untrusted", action="store_true",
                        help="the code comes from outside the repository (a pull request from a fork): build "
                             "on GitHub-hosted runners only")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    specs, catalogue = load_all(repo)
    chosen = select_specs(specs, list(args.slots) + split_slots(args.slot_list))
    synthetic = synthetic_wanted(args.synthetic, settings)
    compare = Comparisons(force=args.force, changed_since=args.changed_since,
                          deployed=Path(args.deployed) if args.deployed is not None else None,
                          against_numerai=args.against_numerai, untrusted=args.untrusted,
                          deployable_only=args.deployable)
    matrix, considered = plan_builds(repo, specs, chosen, catalogue, compare, synthetic)
    print(describe(matrix, considered), file=sys.stderr)
    print(json.dumps(matrix))
    append_outputs(settings, github_outputs(matrix, synthetic))
    return 0

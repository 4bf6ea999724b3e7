"""Decide which slots to build and print the build matrix as JSON.

Every selected slot is fingerprinted. With --changed-since REF only the slots whose fingerprint
differs from the one at REF are built (a pull request's base, the commit before a push); with
--deployed DIR only those whose fingerprint differs from the manifests recorded there after the
last deploy; with --against-numerai only those whose fingerprint differs from the pickle assigned
on Numerai (needs credentials). --force builds every selected slot. When $GITHUB_OUTPUT is set, the
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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..artifact.fingerprint import fingerprint
from ..artifact.manifest import read_manifests
from ..github_actions import append_outputs
from ..logs import get_logger
from ..modelspec import SpecError, select_specs
from ..plan.capacity import Assessment, assess
from ..plan.matrix import Candidate, build_matrix, describe, github_outputs, runner_for, split_slots
from ..plan.revision import fingerprints_at
from ..runtimes.runners import RunnerTable, load_runners
from ..settings import Settings
from .common import load_all, repo_from, runtime_of

if TYPE_CHECKING:
    from ..modelspec.problems import LoadedSpec
    from ..repo import Repo
    from ..runtimes import Runtime

SYNTHETIC_VARIABLE = "NUMERAI_SYNTHETIC_DATA"
STDOUT_IS_DATA = True  # the matrix; the log goes to stderr
log = get_logger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to consider (default: all)")
    parser.add_argument("--slots", dest="slot_list", default="", metavar="LIST",
                        help="more slots, comma or space separated (a workflow input); empty: all")
    parser.add_argument("--synthetic", action="store_true",
                        help=f"fingerprint for synthetic data (also: {SYNTHETIC_VARIABLE}=true)")
    compare = parser.add_mutually_exclusive_group()
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


def synthetic_wanted(flag: bool, settings: Settings) -> bool:
    return flag or settings.synthetic_data


def candidates(repo: Repo, specs: list[LoadedSpec], catalogue: list[Runtime], synthetic: bool, runners: RunnerTable,
               untrusted: bool) -> list[Candidate]:
    found = []
    for item in specs:
        runtime = runtime_of(item, catalogue)
        runner, why = runner_for(item.spec.build.runner, runners, untrusted=untrusted)
        if why:
            log.warning(f"plan: {item.spec.slot}: {why}")
        found.append(Candidate(
            slot=item.spec.slot,
            fingerprint=fingerprint(item.spec, runtime, repo.package_dir, synthetic),
            python=runtime.python,
            image=runtime.reference,
            runner=runner,
            data_version=cast(str, item.spec.data.version),
            deploy=item.spec.deploy.enabled,
            synthetic=synthetic,
        ))
    return found


def capacity(repo: Repo, specs: list[LoadedSpec], chosen: list[LoadedSpec], found: list[Candidate],
             runners: RunnerTable, synthetic: bool) -> Assessment:
    """Each chosen slot's estimate on the runner it will build on (none for generated data: it is small)."""
    if synthetic:
        return Assessment()
    assessment = assess(repo, chosen, {candidate.slot: candidate.runner for candidate in found}, runners,
                        slots=len(specs))
    for line in assessment.lines:
        log.info(line)
    return assessment


def refuse_what_cannot_fit(matrix: dict[str, Any], assessment: Assessment) -> None:
    """Only the slots to be built are refused: one that is left alone does not hold the others up."""
    problems = [assessment.problems[item["slot"]] for item in matrix["include"] if item["slot"] in assessment.problems]
    if problems:
        raise SpecError(problems)


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    specs, catalogue = load_all(repo)
    chosen = select_specs(specs, list(args.slots) + split_slots(args.slot_list))
    synthetic = synthetic_wanted(args.synthetic, settings)
    runners = load_runners(repo.runtimes)
    found = candidates(repo, chosen, catalogue, synthetic, runners, args.untrusted)
    assessment = capacity(repo, specs, chosen, found, runners, synthetic)
    found = [replace(candidate, cache_data=assessment.cache_data(candidate.slot)) for candidate in found]
    before = None
    if args.force:
        pass  # nothing to compare with: every selected slot is built
    elif args.changed_since is not None:
        before = fingerprints_at(repo, args.changed_since, synthetic)
    elif args.deployed is not None:
        recorded = read_manifests(Path(args.deployed))
        before = {slot: manifest.fingerprint for slot, manifest in recorded.items()}
    elif args.against_numerai:
        # Imported here: numerapi (and pandas with it) take longer to import than a plan of 100 slots.
        from ..numerai.client import NumeraiClient
        from ..numerai.credentials import require_credentials
        from ..plan.numerai import assigned_fingerprints

        client = NumeraiClient(require_credentials(settings), settings)
        before = assigned_fingerprints([candidate.slot for candidate in found], client)
    matrix = build_matrix(found, before, force=args.force, deployable_only=args.deployable)
    refuse_what_cannot_fit(matrix, assessment)
    print(describe(matrix, len(found)), file=sys.stderr)
    print(json.dumps(matrix))
    append_outputs(settings, github_outputs(matrix, synthetic))
    return 0

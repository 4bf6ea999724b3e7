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

import json
import sys
from dataclasses import replace
from pathlib import Path

from ..artifact.fingerprint import fingerprint
from ..artifact.manifest import read_manifests
from ..github_actions import append_outputs
from ..logs import get_logger
from ..modelspec import SpecError, select_specs
from ..plan.capacity import Assessment, assess
from ..plan.matrix import (
    Candidate,
    build_matrix,
    describe,
    github_outputs,
    refuse_beyond_limit,
    runner_for,
    split_slots,
)
from ..plan.revision import fingerprints_at
from ..runtimes.runners import RunnerTable, load_runners
from ..settings import load_settings
from .common import load_all, repo_from, runtime_of

# The action of a deployment record that put an earlier build back on purpose (deploy/record.py's
# ROLLED_BACK; not imported: deploy/ brings Numerai's client, slower to import than a whole plan).
ROLLBACK = "rolled back"

SYNTHETIC_VARIABLE = "NUMERAI_SYNTHETIC_DATA"
STDOUT_IS_DATA = True  # the matrix; the log goes to stderr
log = get_logger(__name__)


def add_arguments(parser) -> None:
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


def synthetic_wanted(flag: bool) -> bool:
    return flag or load_settings().synthetic_data


def candidates(repo, specs, catalogue, synthetic: bool, runners: RunnerTable, untrusted: bool) -> list[Candidate]:
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
            data_version=item.spec.data.version,
            deploy=item.spec.deploy.enabled,
            synthetic=synthetic,
        ))
    return found


def capacity(repo, specs, chosen, found: list[Candidate], runners: RunnerTable, synthetic: bool) -> Assessment:
    """Each chosen slot's estimate on the runner it will build on (none for generated data: it is small)."""
    if synthetic:
        return Assessment()
    assessment = assess(repo, chosen, {candidate.slot: candidate.runner for candidate in found}, runners,
                        slots=len(specs))
    for line in assessment.lines:
        log.info(line)
    return assessment


def refuse_what_cannot_fit(matrix: dict, assessment: Assessment) -> None:
    """Only the slots to be built are refused: one that is left alone does not hold the others up."""
    problems = [assessment.problems[item["slot"]] for item in matrix["include"] if item["slot"] in assessment.problems]
    if problems:
        raise SpecError(problems)


def recorded_fingerprints(folder: Path, now: dict[str, str]) -> dict[str, str]:
    """{slot: fingerprint} GitHub's deployments record in `folder`; a slot rolled back counts as `now`."""
    recorded = {slot: manifest.fingerprint for slot, manifest in read_manifests(folder).items()}
    for slot in list(recorded):
        try:
            action = json.loads((folder / f"{slot}.json").read_text(encoding="utf-8")).get("deployed_by")
        except (OSError, ValueError, AttributeError):
            continue
        if action == ROLLBACK and slot in now:
            recorded[slot] = now[slot]
    return recorded


def baselines(args, repo, found: list[Candidate], synthetic: bool) -> list[dict[str, str] | None]:
    """What each comparison asked for says each slot had: the plan builds a slot that differs from any."""
    if args.force:
        return []  # nothing to compare with: every selected slot is built
    found_now = {candidate.slot: candidate.fingerprint for candidate in found}
    compared: list[dict[str, str] | None] = []
    if args.changed_since is not None:
        compared.append(fingerprints_at(repo, args.changed_since, synthetic))
    if args.deployed is not None:
        compared.append(recorded_fingerprints(Path(args.deployed), found_now))
    if args.against_numerai:
        # Imported here: numerapi (and pandas with it) take longer to import than a plan of 100 slots.
        from ..plan.numerai import assigned_fingerprints

        compared.append(assigned_fingerprints(list(found_now)))
    return compared


def run(args) -> int:
    repo = repo_from(args)
    specs, catalogue = load_all(repo)
    chosen = select_specs(specs, list(args.slots) + split_slots(args.slot_list))
    synthetic = synthetic_wanted(args.synthetic)
    runners = load_runners(repo.runtimes)
    found = candidates(repo, chosen, catalogue, synthetic, runners, args.untrusted)
    assessment = capacity(repo, specs, chosen, found, runners, synthetic)
    found = [replace(candidate, cache_data=assessment.cache_data(candidate.slot)) for candidate in found]
    matrix = build_matrix(found, *baselines(args, repo, found, synthetic), force=args.force,
                          deployable_only=args.deployable)
    refuse_beyond_limit(matrix, runners.max_matrix_jobs)
    refuse_what_cannot_fit(matrix, assessment)
    print(describe(matrix, len(found)), file=sys.stderr)
    print(json.dumps(matrix))
    append_outputs(github_outputs(matrix, synthetic))
    return 0

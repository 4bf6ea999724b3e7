"""Plan builds: fingerprint each selected slot, compare with what git, GitHub's deployments and Numerai
say each slot had, estimate whether each build fits its runner, and return the GitHub Actions matrix.

A slot that differs from any comparison asked for is built (a push thus also builds what an earlier,
cancelled or failed, run left undeployed); a slot whose recorded deployment is a rollback counts as
deployed until its spec changes. A plan larger than a GitHub matrix holds, or with a build that cannot
fit its runner, is refused (exit 2) with the fixes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from ..artifact.fingerprint import fingerprint
from ..artifact.manifest import read_manifests
from ..logs import get_logger
from ..modelspec import LoadedSpec, SpecError
from ..repo import Repo
from ..runtimes import Runtime, resolve_runtime
from ..runtimes.runners import RunnerTable, load_runners
from ..settings import Settings
from .capacity import Assessment, assess
from .matrix import Candidate, build_matrix, refuse_beyond_limit, runner_for
from .revision import fingerprints_at

# The action of a deployment record that put an earlier build back on purpose (deploy/record.py's
# ROLLED_BACK; not imported: deploy/ brings Numerai's client, slower to import than a whole plan).
ROLLBACK = "rolled back"

log = get_logger(__name__)




@dataclass(frozen=True)
class Comparisons:
    """What to compare each slot's fingerprint with (see the command's flags)."""

    force: bool = False
    changed_since: str | None = None
    deployed: Path | None = None
    against_numerai: bool = False
    untrusted: bool = False
    deployable_only: bool = False


def candidates(repo: Repo, specs: list[LoadedSpec], catalogue: list[Runtime], synthetic: bool, runners: RunnerTable,
               untrusted: bool) -> list[Candidate]:
    found = []
    for item in specs:
        runtime = resolve_runtime(item.spec.runtime, catalogue)
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


def baselines(compare: Comparisons, repo: Repo, found: list[Candidate],
              synthetic: bool) -> list[dict[str, str] | None]:
    """What each comparison asked for says each slot had: the plan builds a slot that differs from any."""
    if compare.force:
        return []  # nothing to compare with: every selected slot is built
    found_now = {candidate.slot: candidate.fingerprint for candidate in found}
    compared: list[dict[str, str] | None] = []
    if compare.changed_since is not None:
        compared.append(fingerprints_at(repo, compare.changed_since, synthetic))
    if compare.deployed is not None:
        compared.append(recorded_fingerprints(compare.deployed, found_now))
    if compare.against_numerai:
        # Imported here: numerapi (and pandas with it) take longer to import than a plan of 100 slots.
        from ..numerai.client import NumeraiClient
        from ..numerai.credentials import require_credentials
        from .numerai import assigned_fingerprints

        client = NumeraiClient(require_credentials(repo.settings), repo.settings)
        compared.append(assigned_fingerprints(list(found_now), client))
    return compared


def plan_builds(repo: Repo, specs: list[LoadedSpec], chosen: list[LoadedSpec], catalogue: list[Runtime],
                compare: Comparisons, synthetic: bool) -> tuple[dict[str, Any], int]:
    """The matrix of the chosen slots to build, and how many slots were considered."""
    runners = load_runners(repo.runtimes)
    found = candidates(repo, chosen, catalogue, synthetic, runners, compare.untrusted)
    assessment = capacity(repo, specs, chosen, found, runners, synthetic)
    found = [replace(candidate, cache_data=assessment.cache_data(candidate.slot)) for candidate in found]
    matrix = build_matrix(found, *baselines(compare, repo, found, synthetic), force=compare.force,
                          deployable_only=compare.deployable_only)
    refuse_beyond_limit(matrix, runners.max_matrix_jobs)
    refuse_what_cannot_fit(matrix, assessment)
    return matrix, len(found)


def synthetic_wanted(flag: bool, settings: Settings) -> bool:
    """--synthetic, or NUMERAI_SYNTHETIC_DATA=true: a whole workflow on generated data."""
    return flag or settings.synthetic_data

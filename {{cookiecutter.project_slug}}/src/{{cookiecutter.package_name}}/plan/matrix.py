"""The build matrix: which slots to build, and how GitHub Actions receives it.

A slot is built when its fingerprint differs from the one it had before: at a git revision, in
GitHub's deployment record, or on Numerai. Given several of these baselines, a slot that differs from
any of them is built: a push deploys what it changed and also what an earlier run left undeployed (a
cancelled or failed run), since git is the state to reach, not a list of events. `force` builds
every selected slot. GitHub runs at most `max_jobs` jobs per matrix (runtimes/runners.json): a
larger plan is refused with the way to deploy it in parts. The matrix is written to `$GITHUB_OUTPUT` as
single-line JSON that jobs read with `fromJSON`; it holds names, versions and hashes, never a
secret.

Each entry names the runner its build job runs on (the job's `runs-on` reads it): the spec's
`build.runner`, unless the plan is for code from outside the repository (`untrusted`: a pull request
from a fork), which builds on a GitHub-hosted runner only: a self-hosted label there would run a
stranger's code on the owner's machine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..runtimes.runners import FALLBACK_LABEL, RunnerTable

# Only names Numerai accepts reach the matrix; they also make safe artifact names.
ARTIFACT_PREFIX = "pickle-"
SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Candidate:
    """One selected slot, fingerprinted now."""

    slot: str
    fingerprint: str
    python: str
    image: str
    runner: str
    data_version: str
    deploy: bool
    synthetic: bool = False
    cache_data: bool = True  # the build keeps its dataset files in the Actions cache


def runner_for(label: str, runners: RunnerTable, *, untrusted: bool) -> tuple[str, str | None]:
    """The runner a slot builds on, and why when it is not the label its spec names: untrusted code
    builds only on runners GitHub hosts (a fresh VM per job), never on a self-hosted one."""
    if not untrusted or runners.hosted(label):
        return label, None
    return FALLBACK_LABEL, (f"build.runner {label!r} is not a GitHub-hosted runner (runtimes/runners.json): "
                            f"code from a fork's pull request builds on {FALLBACK_LABEL} instead")


def split_slots(text: str | None) -> list[str]:
    """'a, b c' -> ['a', 'b', 'c']: a workflow_dispatch input arrives as one string."""
    return [name for name in SEPARATORS.split(text or "") if name]


def changed_slots(now: dict[str, str], before: dict[str, str] | None) -> set[str]:
    """Slots whose fingerprint differs from `before`; every slot when there is no `before`."""
    if before is None:
        return set(now)
    return {slot for slot, fingerprint in now.items() if before.get(slot) != fingerprint}


def stale_slots(now: dict[str, str], baselines: tuple[dict[str, str] | None, ...]) -> set[str]:
    """Slots that differ from any of `baselines`; every slot when there is none to compare with."""
    if not baselines:
        return set(now)
    return set().union(*(changed_slots(now, before) for before in baselines))


def entry(candidate: Candidate) -> dict[str, Any]:
    return {
        "slot": candidate.slot,
        "fingerprint": candidate.fingerprint,
        "python": candidate.python,
        "image": candidate.image,
        "runner": candidate.runner,
        "data_version": candidate.data_version,
        "deploy": candidate.deploy,
        "synthetic": candidate.synthetic,
        "cache_data": candidate.cache_data,
        "artifact": ARTIFACT_PREFIX + candidate.slot,
    }


def build_matrix(candidates: list[Candidate], *baselines: dict[str, str] | None, force: bool = False,
                 deployable_only: bool = False) -> dict[str, Any]:
    """{"include": [...]} of the candidates to build (those that differ from any baseline), in the order given."""
    if deployable_only:
        candidates = [candidate for candidate in candidates if candidate.deploy]
    now = {candidate.slot: candidate.fingerprint for candidate in candidates}
    wanted = set(now) if force else stale_slots(now, baselines)
    return {"include": [entry(candidate) for candidate in candidates if candidate.slot in wanted]}


def refuse_beyond_limit(matrix: dict[str, Any], max_jobs: int) -> None:
    """A matrix GitHub would refuse (more than `max_jobs` entries) stops the plan with the way out."""
    count = len(matrix["include"])
    if count > max_jobs:
        raise UsageError(
            f"the plan has {count} slots to build; GitHub runs at most {max_jobs} jobs per matrix "
            "(runtimes/runners.json, matrix.max_jobs) ==> deploy them in parts: run the deploy workflow by hand "
            f"with up to {max_jobs} slots in its `slots` input; each run plans what is still out of date")


def github_outputs(matrix: dict[str, Any], synthetic: bool) -> dict[str, str]:
    """Job outputs: the matrix, how many entries (jobs test `count != '0'`), the slot names and
    whether the run trains on synthetic data."""
    include = matrix["include"]
    return {
        "matrix": json.dumps(matrix, separators=(",", ":")),
        "count": str(len(include)),
        "slots": " ".join(item["slot"] for item in include),
        "synthetic": "true" if synthetic else "false",
    }


def describe(matrix: dict[str, Any], considered: int) -> str:
    """One line for the log: what will be built and how much was left alone."""
    slots = [item["slot"] for item in matrix["include"]]
    if not slots:
        return f"plan: nothing to build ({considered} slot(s) up to date)"
    return f"plan: build {', '.join(slots)} ({considered - len(slots)} of {considered} slot(s) up to date)"

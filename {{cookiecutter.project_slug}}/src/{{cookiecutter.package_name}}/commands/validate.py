"""Validate every models/*.yaml spec and report each problem with file, line and key.

Checks what build checks, before any training: the spec's structure, runtimes, import paths,
stacking layers against max_eras, model parameters against LightGBM's and the estimator's own
parameter lists, and the data version, feature set and targets against what Numerai publishes
(its dataset listing and features.json, fetched once and cached) and the benchmark columns against
datasets/<version>.json. Without a network it checks against datasets/ and says what it could not
check. A spec that trains on the bare `target` column gets a warning: an alias whose meaning is disputed.
Then each slot's build peak memory and disk, estimated from its data version's shape, against its
runner (`build.runner`): a slot that cannot fit is refused with the fixes.
"""

from __future__ import annotations

import argparse

from ..data.published import check_against_numerai
from ..kinds.checks import model_problems
from ..modelspec import SpecError
from ..modelspec.load import read_specs
from ..modelspec.schema import schema_is_current
from ..modelspec.versions import versions_for
from ..plan.capacity import assess
from ..runtimes import load_catalogue
from ..runtimes.runners import load_runners
from ..settings import Settings
from .common import repo_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--synthetic", action="store_true",
                        help="check against the synthetic dataset's features.json (no capacity estimate: "
                             "generated data is small)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    catalogue = load_catalogue(repo.runtimes)
    specs, problems = read_specs(repo.models, runtimes=[runtime.python for runtime in catalogue])
    problems += model_problems(specs, catalogue)
    verdict = check_against_numerai(specs, repo.data_cache, versions_for(repo.models), settings=settings,
                                    synthetic=args.synthetic)
    problems += verdict.problems
    capacity = None
    if not args.synthetic:
        capacity = assess(repo, specs, {}, load_runners(repo.runtimes), slots=len(specs))
        problems += capacity.problems.values()
    if problems:
        raise SpecError(problems)  # every problem of every file at once
    for item in specs:
        print(f"ok: {item.path.name} (slot {item.spec.slot}, {item.spec.model.type})")
    for line in capacity.lines if capacity else []:
        print(line)
    for warning in verdict.warnings:
        print(f"warning: {warning}")
    for note in verdict.notes:
        print(f"note: {note}")
    if not schema_is_current(repo.models):
        print("note: models/spec.schema.json is out of date; run `numerai-deploy schema`")
    return 0

"""Validate every models/*.yaml spec and report each problem with file, line and key.

Checks what build checks, before any training: the spec's structure, runtimes, import paths,
stacking layers against max_eras, model parameters against LightGBM's and the estimator's own
parameter lists, and the data version, feature set and targets against what Numerai publishes
(its dataset listing and features.json, fetched once and cached) and the benchmark columns against
datasets/<version>.json. Without a network it checks against datasets/ and says what it could not
check. A spec that trains on the bare `target` column gets a warning: an alias whose meaning is disputed.
"""

from __future__ import annotations

from ..data.published import check_against_numerai
from ..spec import SpecError, check_parameters
from ..spec.schema import schema_is_current
from ..spec.versions import versions_for
from .common import load_all, repo_from


def add_arguments(parser) -> None:
    parser.add_argument("--synthetic", action="store_true", help="check against the synthetic dataset's features.json")


def run(args) -> int:
    repo = repo_from(args)
    specs, _ = load_all(repo)
    check_parameters(specs)
    verdict = check_against_numerai(specs, repo.data_cache, versions_for(repo.models), synthetic=args.synthetic)
    if verdict.problems:
        raise SpecError(verdict.problems)
    for item in specs:
        print(f"ok: {item.path.name} (slot {item.spec.slot}, {item.spec.model.type})")
    for warning in verdict.warnings:
        print(f"warning: {warning}")
    for note in verdict.notes:
        print(f"note: {note}")
    if not schema_is_current(repo.models):
        print("note: models/spec.schema.json is out of date; run `numerai-deploy schema`")
    return 0

"""Validate every models/*.yaml spec and report each problem with file, line and key.

Checks what build checks, before any training: the spec's structure, runtimes, import paths,
stacking layers against max_eras, model parameters against LightGBM's and the estimator's own
parameter lists, and the data version, feature set and targets against what Numerai publishes
(its dataset listing and features.json, fetched once and cached). Without a network it says what
it could not check. Then each slot's build peak memory and disk, estimated from its data version's
shape, against its runner (`build.runner`): a slot that cannot fit is refused with the fixes.
"""

from __future__ import annotations

from ..data.published import check_against_numerai
from ..plan.capacity import assess
from ..runtimes.runners import load_runners
from ..spec import SpecError, check_parameters
from ..spec.schema import schema_is_current
from .common import load_all, repo_from


def add_arguments(parser) -> None:
    parser.add_argument("--synthetic", action="store_true",
                        help="check against the synthetic dataset's features.json (no capacity estimate: "
                             "generated data is small)")


def run(args) -> int:
    repo = repo_from(args)
    specs, _ = load_all(repo)
    check_parameters(specs)
    verdict = check_against_numerai(specs, repo.data_cache, synthetic=args.synthetic)
    capacity = None
    if not args.synthetic:
        capacity = assess(repo, specs, {}, load_runners(repo.runtimes), slots=len(specs))
        verdict.problems.extend(capacity.problems.values())
    if verdict.problems:
        raise SpecError(verdict.problems)
    for item in specs:
        print(f"ok: {item.path.name} (slot {item.spec.slot}, {item.spec.model.type})")
    for line in capacity.lines if capacity else []:
        print(line)
    for note in verdict.notes:
        print(f"note: {note}")
    if not schema_is_current(repo.models):
        print("note: models/spec.schema.json is out of date; run `numerai-deploy schema`")
    return 0

"""Validate every models/*.yaml spec and report each problem with file, line and key.

Checks feature sets and targets against a cached features.json when one is present.
"""

from __future__ import annotations

from ..data import files
from ..data.download import version_dir
from ..spec.load import SpecError, data_problems
from ..spec.schema import schema_is_current
from .common import load_all, repo_from


def add_arguments(parser) -> None:
    parser.add_argument("--synthetic", action="store_true", help="check against the synthetic dataset's features.json")


def run(args) -> int:
    repo = repo_from(args)
    specs, _ = load_all(repo)
    problems = []
    for item in specs:
        metadata = version_dir(repo.data_cache, item.spec.data.version, args.synthetic) / files.FEATURES_JSON
        if metadata.exists():
            problems.extend(data_problems(item, metadata))
    if problems:
        raise SpecError(problems)
    for item in specs:
        print(f"ok: {item.path.name} (slot {item.spec.slot}, {item.spec.model.type})")
    if not schema_is_current(repo.models):
        print("note: models/spec.schema.json is out of date; run `numerai-deploy schema`")
    return 0

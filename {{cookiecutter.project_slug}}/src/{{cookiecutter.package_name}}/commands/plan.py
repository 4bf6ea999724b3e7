"""Fingerprint every slot and print the build matrix as JSON (one entry per slot to build)."""

from __future__ import annotations

import json

from ..plan.fingerprint import fingerprint
from .common import load_all, repo_from, runtime_of, select


def add_arguments(parser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to consider (default: all)")
    parser.add_argument("--synthetic", action="store_true", help="fingerprint for synthetic data")


def run(args) -> int:
    repo = repo_from(args)
    specs, catalogue = load_all(repo)
    include = []
    for item in select(specs, args.slots):
        runtime = runtime_of(item, catalogue)
        include.append({
            "slot": item.spec.slot,
            "fingerprint": fingerprint(item.spec, runtime, repo.package_dir, args.synthetic),
            "python": runtime.python,
            "image": runtime.reference,
            "runner": item.spec.build.runner,
        })
    print(json.dumps({"include": include}))
    return 0

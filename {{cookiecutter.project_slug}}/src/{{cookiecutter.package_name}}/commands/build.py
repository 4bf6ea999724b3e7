"""Train the model of each slot and write dist/<slot>-<fingerprint>.pkl and its manifest, then check it.

Trains on the spec's Numerai dataset (downloaded once into the data cache) or, with --synthetic,
on generated Numerai-shaped data, so everything runs offline. Numerai is asked first, briefly: when it
cannot be reached and the data is not cached, the build stops in seconds and says so. The pickle is always made with the
image's Python minor and pinned libraries, in a child `build --here` without credentials in its
environment and, where the machine allows, in its own PID namespace (sandbox.isolation): with this
interpreter when it already is the image's, else in a build environment made once per runtime (uv
when present, else venv and pip). --here trains in this process, which must then be the image's.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import cast

from ..artifact.online import require_numerai_or_cache
from ..artifact.prepared import read_prepared
from ..artifact.slots import build_slots
from ..check.pipeline import check_built
from ..kinds.checks import check_models
from ..modelspec import select_specs
from ..settings import Settings
from .common import load_all, repo_from, runtime_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to build (default: all)")
    parser.add_argument("--synthetic", action="store_true", help="train on generated Numerai-shaped data")
    parser.add_argument("--out", default=None, metavar="DIR", help="where pickles go (default: dist/)")
    parser.add_argument("--no-check", action="store_true", help="do not run `check` on what was built")
    parser.add_argument("--here", action="store_true",
                        help="train in this Python, which must then be the image's (Python minor and pins)")
    # build's own training child: where the parent put each slot's data (it reads, never fetches)
    parser.add_argument("--prepared-data", default=None, metavar="FILE", help=argparse.SUPPRESS)


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    specs, catalogue = load_all(repo)
    out_dir = Path(args.out) if args.out else repo.dist
    chosen = [(item, runtime_of(item, catalogue)) for item in select_specs(specs, args.slots)]
    check_models([item for item, _runtime in chosen], catalogue)  # a typo or a missing library stops it first
    prepared = read_prepared(Path(args.prepared_data)) if args.prepared_data else None
    if not args.synthetic and prepared is None:
        versions = sorted({cast(str, item.spec.data.version) for item, _runtime in chosen})
        require_numerai_or_cache(repo.data_cache, versions, settings)
    built = build_slots(repo, chosen, synthetic=args.synthetic, out_dir=out_dir, here=args.here,
                        prepared=prepared)
    if not args.no_check:
        check_built(repo, built)  # raises WorkFailed (exit 1) when a pickle fails
    return 0

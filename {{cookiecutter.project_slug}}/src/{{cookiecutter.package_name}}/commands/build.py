"""Train the model of each slot and write dist/<slot>-<fingerprint>.pkl and its manifest.

Trains on the spec's Numerai dataset (downloaded once into the data cache) or, with --synthetic,
on generated Numerai-shaped data, so everything runs offline.
"""

from __future__ import annotations

from pathlib import Path

from ..build.builder import build_slot
from ..check import check_built
from ..spec import check_parameters
from .common import load_all, repo_from, runtime_of, select


def add_arguments(parser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to build (default: all)")
    parser.add_argument("--synthetic", action="store_true", help="train on generated Numerai-shaped data")
    parser.add_argument("--out", default=None, metavar="DIR", help="where pickles go (default: dist/)")
    parser.add_argument("--no-check", action="store_true", help="do not run `check` on what was built")


def run(args) -> int:
    repo = repo_from(args)
    specs, catalogue = load_all(repo)
    out_dir = Path(args.out) if args.out else repo.dist
    chosen = select(specs, args.slots)
    check_parameters(chosen)  # a typo in a model parameter stops the build before any training
    built = []
    for item in chosen:
        runtime = runtime_of(item, catalogue)
        result = build_slot(repo, item, runtime, synthetic=args.synthetic, out_dir=out_dir)
        built.append((result.pickle_path, runtime))
    if not args.no_check:
        check_built(repo, built)  # raises WorkFailed (exit 1) when a pickle fails
    return 0

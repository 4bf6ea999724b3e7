"""Bring dataset files into the data cache, current with Numerai (e.g. a round's live files).

    numerai-deploy data v5.2 live.parquet live_benchmark_models.parquet

Each file is downloaded when it is missing from the cache or changed on Numerai since it was
cached (its size and ETag are asked of the server first), and left alone when it is current.
Offline, a cached file is kept with a note. The cache is NUMERAI_DATA_DIR (default .numerai-data);
files land in <cache>/<version>/<file>, where `build` and `check` look for them. Prints the paths.
"""

from __future__ import annotations

import argparse
import json
import re

from ..data.download import ensure_files
from ..errors import UsageError
from ..settings import Settings
from .common import repo_from

STDOUT_IS_DATA = True  # the paths; progress goes to stderr
NAME = re.compile(r"[A-Za-z0-9_.-]+")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", help="the dataset version, e.g. v5.2")
    parser.add_argument("files", nargs="+", metavar="FILE", help="file names of that version, e.g. live.parquet")
    parser.add_argument("--json", action="store_true", help="print {file: path} as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    for value, what in ((args.version, "VERSION"), *((name, "FILE") for name in args.files)):
        if not NAME.fullmatch(value) or value in (".", ".."):
            raise UsageError(f"{what} {value!r} ==> a plain name such as v5.2 or live.parquet (no folders)")
    paths = ensure_files(repo_from(args, settings).data_cache, args.version, list(args.files), settings=settings)
    if args.json:
        print(json.dumps({name: str(path) for name, path in paths.items()}, indent=2))
    else:
        for path in paths.values():
            print(path)
    return 0

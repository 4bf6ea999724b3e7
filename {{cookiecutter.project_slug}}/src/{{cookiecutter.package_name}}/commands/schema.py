"""Write models/spec.schema.json, the JSON Schema editors use to complete and check specs.

With --check, exit 1 when the file differs from what the spec definition generates.
"""

from __future__ import annotations

import argparse
import sys

from ..modelspec.schema import SCHEMA_FILE, schema_is_current, write_schema
from ..settings import Settings
from .common import repo_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report whether the schema file is current")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    if args.check:
        if schema_is_current(repo.models):
            print(f"models/{SCHEMA_FILE} is current")
            return 0
        print(f"failed: models/{SCHEMA_FILE} is out of date ==> run `numerai-deploy schema`", file=sys.stderr)
        return 1
    path = write_schema(repo.models)
    print(f"wrote {path}")
    return 0

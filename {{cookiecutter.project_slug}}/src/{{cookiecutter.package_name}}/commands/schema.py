"""Write models/spec.schema.json, the JSON Schema editors use to complete and check specs.

With --check, exit 1 when the file differs from what the spec definition generates.
"""

from __future__ import annotations

from ..spec.schema import SCHEMA_FILE, schema_is_current, write_schema
from .common import repo_from


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true", help="only report whether the schema file is current")


def run(args) -> int:
    repo = repo_from(args)
    if args.check:
        current = schema_is_current(repo.models)
        print(f"models/{SCHEMA_FILE} is {'current' if current else 'out of date: run `numerai-deploy schema`'}")
        return 0 if current else 1
    path = write_schema(repo.models)
    print(f"wrote {path}")
    return 0

"""Show what is live on each slot: assigned pickle, build fingerprint, validation and latest run.

Compares the assigned pickle's fingerprint (from its file name) with the local spec's. Exits 1 when
a slot's latest run failed, so a scheduled workflow can alert. Needs NUMERAI_PUBLIC_ID and
NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import sys

from ..deploy.status import slot_statuses, text_table
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import load_settings
from .common import load_all, repo_from, runtime_of, select

STDOUT_IS_DATA = True  # the table; retries and notes go to stderr
LABELS = {0: "note", 1: "failed", 2: "error"}


def add_arguments(parser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to show (default: every spec)")


def run(args) -> int:
    repo = repo_from(args)
    specs, catalogue = load_all(repo)
    settings = load_settings()
    client = NumeraiClient(require_credentials(settings), settings)
    chosen = [(item, runtime_of(item, catalogue)) for item in select(specs, args.slots)]
    rows = slot_statuses(client, repo, chosen)
    print(text_table(rows))
    for row in rows:
        if row.problem:
            print(f"{LABELS[row.exit_code]}: {row.problem}", file=sys.stderr)
    return max((row.exit_code for row in rows), default=0)

"""Show, per slot, whether Numerai runs what git says, with the assigned pickle, its latest run and its rounds.

Each slot is in sync, out of date, drifted (a pickle assigned by hand or by another tool, a webhook
switched back on, the slot archived or missing) or not deployed; the table adds the assigned pickle,
its validation, the latest run's outcome and round (by number), and whether the slot submitted for
the round open now (and when it closes) and for the last closed one. A spec with a `challenger:` section adds its
slot beside its champion, with the verdict `challengers` gives (shown, never alerted on).

A slot is in sync when the assigned pickle's file name carries the fingerprint its spec builds now.
Exits 0 when every enabled slot is in sync, its latest run healthy (a run that found no round open
is: the pickle runs at the next round) and no round went or is about to go without its submission,
1 otherwise (so a scheduled workflow can alert), 2 for bad input or a rejected key. `--json` prints
the report as JSON instead of the table; `--report FILE` writes it to FILE as well (the health
workflow hands it to the job that opens GitHub issues, which never sees the key). Needs
NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..files import write_atomic
from ..modelspec import select_specs
from ..monitor import challengers
from ..monitor.cadence import read_cadence
from ..monitor.status import exit_code, report, slot_statuses, text_table
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import Settings
from .common import load_all, repo_from, runtime_of

STDOUT_IS_DATA = True  # the table or the JSON; retries and notes go to stderr
LABELS = {0: "note", 1: "failed", 2: "error"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to show (default: every spec)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of the table")
    parser.add_argument("--report", default=None, metavar="FILE",
                        help="also write the JSON report to FILE (one line)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    specs, catalogue = load_all(repo)
    client = NumeraiClient(require_credentials(settings), settings)
    chosen = [(item, runtime_of(item, catalogue)) for item in select_specs(specs, args.slots)]
    rows = slot_statuses(client, repo, chosen)
    found = report(rows, all_slots=not args.slots)
    # Each challenger beside its champion, with its verdict (`challengers` explains it); no alert of status.
    pairs = [pair for pair in challengers.pairs_of(specs) if not args.slots
             or {pair.challenger, pair.champion} & set(args.slots)]
    verdicts = challengers.verdicts(client, pairs, read_cadence(repo)) if pairs else []
    found["challengers"] = [item.as_json() for item in verdicts]
    if args.report:
        write_atomic(Path(args.report), json.dumps(found, separators=(",", ":")) + "\n")
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        print(text_table(rows))
        if verdicts:
            print("\n" + challengers.text_table(verdicts))
        for row in rows:
            for note in row.notes:
                print(f"note: {note}", file=sys.stderr)
            for problem in row.problems:
                print(f"{LABELS[row.exit_code]} ({problem.kind}): {problem.message}", file=sys.stderr)
    return exit_code(rows)

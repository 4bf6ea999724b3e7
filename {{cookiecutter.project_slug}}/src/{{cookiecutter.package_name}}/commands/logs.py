"""Explain the latest run of a slot's assigned pickle: round, statuses with Numerai's descriptions, log lines.

With --trigger ID, that run (of any of the slot's uploads) instead. Exits 1 when the run failed,
with Numerai's description. `numerai-deploy trigger SLOT` starts a new run. Needs NUMERAI_PUBLIC_ID
and NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..monitor.runs import latest_run, text_of
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slot", metavar="SLOT", help="the model slot (its name on numer.ai)")
    parser.add_argument("--trigger", default=None, metavar="ID", help="a run's id (default: the latest run)")
    parser.add_argument("--json", action="store_true", help="print the run as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    client = NumeraiClient(require_credentials(settings), settings)
    found = latest_run(client, args.slot, args.trigger)
    print(json.dumps(found.as_json(), indent=2) if args.json else text_of(found))
    if found.problem:
        print(f"failed: {found.problem}", file=sys.stderr)
        return 1
    return 0

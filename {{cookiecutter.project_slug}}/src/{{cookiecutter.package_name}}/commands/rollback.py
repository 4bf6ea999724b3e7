"""Assign an earlier validated upload to a slot again: no build, no upload.

Without --to, the newest validated upload other than the one assigned now (the one it replaced, after
a deploy). A pickle that is not validated, or not one of this slot's uploads, is refused (exit 1) with
the reason, and nothing changes. The assignment is read back. `numerai-deploy history SLOT` lists
the uploads. Note that the next deploy of a changed spec assigns its new build again: to stay on the
old one, revert the spec in git too. --record FILE also writes the rollback for the job that records it as
a GitHub deployment. Needs NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..deploy.history import describe, rollback
from ..deploy.record import rollback_entries, write_record
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slot", metavar="SLOT", help="the model slot (its name on numer.ai)")
    parser.add_argument("--to", default=None, metavar="PICKLE_ID",
                        help="the upload to assign (default: the newest validated one other than the current)")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.add_argument("--record", default=None, metavar="FILE",
                        help="also write the rollback, for a GitHub deployment")


def run(args: argparse.Namespace, settings: Settings) -> int:
    client = NumeraiClient(require_credentials(settings), settings)
    outcome = rollback(client, args.slot, args.to)
    if args.record:
        write_record(Path(args.record), rollback_entries(outcome))
    if args.json:
        print(json.dumps(outcome.as_json(), indent=2))
    elif outcome.changed:
        print(f"{outcome.slot}: rolled back to pickle {describe(outcome.target)} (was {outcome.previous or 'nothing'})")
    else:
        print(f"{outcome.slot}: pickle {describe(outcome.target)} is already assigned; nothing changed")
    return 0

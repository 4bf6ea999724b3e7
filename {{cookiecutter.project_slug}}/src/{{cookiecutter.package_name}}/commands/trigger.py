"""Start a run of a slot's assigned pickle on Numerai, wait for it and print its outcome.

--validation asks for a validation run (triggerValidation). Waits at most --wait-timeout seconds
(NUMERAI_VALIDATION_TIMEOUT), polling every --poll-interval (NUMERAI_POLL_INTERVAL). Exits 1 when
the run failed, with Numerai's description and the log lines, or did not finish in time (it goes on
at Numerai: `numerai-deploy logs SLOT --trigger ID` later). Needs NUMERAI_PUBLIC_ID and
NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..monitor.runs import start_run, text_of
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import Settings
from .common import positive_seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slot", metavar="SLOT", help="the model slot (its name on numer.ai)")
    parser.add_argument("--validation", action="store_true", help="a validation run (triggerValidation)")
    parser.add_argument("--poll-interval", type=float, default=None, metavar="SECONDS",
                        help="seconds between polls (default: NUMERAI_POLL_INTERVAL, 10)")
    parser.add_argument("--wait-timeout", type=float, default=None, metavar="SECONDS",
                        help="longest wait for the run's outcome (default: NUMERAI_VALIDATION_TIMEOUT, 1200)")
    parser.add_argument("--json", action="store_true", help="print the run as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.with_overrides(
        poll_interval=positive_seconds("--poll-interval", args.poll_interval),
        validation_timeout=positive_seconds("--wait-timeout", args.wait_timeout),
    )
    client = NumeraiClient(require_credentials(settings), settings)
    found = start_run(client, args.slot, settings, validation=args.validation)
    print(json.dumps(found.as_json(), indent=2) if args.json else text_of(found))
    if found.problem:
        print(f"failed: {found.problem}", file=sys.stderr)
        return 1
    return 0

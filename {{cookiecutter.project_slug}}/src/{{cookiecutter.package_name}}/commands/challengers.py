"""Compare each challenger slot with the champion it challenges on Numerai's resolved rounds: promote, retire or hold.

A spec with `challenger: {of: <champion slot>, min_rounds: 20}` challenges another spec's slot. Both
slots' resolved scores are read from Numerai and compared paired by round (on the payout score, from
each round's own multipliers, or on `challenger.metric`): a paired t-test at 95 % gives **promote**
(the challenger is better), **retire** (it is worse) or **hold** (fewer than min_rounds rounds, or no
significant difference; with about how many more rounds a decision needs). A round one slot missed
counts as lost by that slot; unresolved rounds never count. Promotion itself is a pull request the
health workflow opens (it edits the champion's spec); this command changes nothing.

Exits 0 with a verdict for every pair, 1 when Numerai's scores of a pair could not be read, 2 for bad
input or a rejected key. `--json` prints the verdicts as JSON; `--report FILE` writes them to FILE as
well (for the workflow job that opens the pull request, which never sees the key). Needs
NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import UsageError
from ..files import write_atomic
from ..monitor.cadence import read_cadence
from ..monitor.challengers import attach_promotions, exit_code, explanations, pairs_of, text_table, verdicts
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import Settings
from .common import load_all, repo_from

STDOUT_IS_DATA = True  # the table or the JSON; retries go to stderr


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="challengers (or champions) to compare "
                        "(default: every challenger)")
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON instead of the table")
    parser.add_argument("--report", default=None, metavar="FILE", help="also write the JSON verdicts to FILE")


def run(args: argparse.Namespace, settings: Settings) -> int:
    repo = repo_from(args, settings)
    specs, _catalogue = load_all(repo)
    pairs = pairs_of(specs)
    unknown = sorted(set(args.slots) - {slot for pair in pairs for slot in (pair.challenger, pair.champion)})
    if unknown:
        raise UsageError(f"{', '.join(unknown)}: no challenger or champion of that name ==> expected one of the "
                         f"slots of a spec with a `challenger:` section or its champion")
    chosen = [pair for pair in pairs if not args.slots or {pair.challenger, pair.champion} & set(args.slots)]
    cadence = read_cadence(repo)
    found = verdicts(NumeraiClient(require_credentials(settings), settings), chosen, cadence) if chosen else []
    attach_promotions(found, specs)
    report = {"exit_code": exit_code(found), "all": not args.slots, "challengers": [item.as_json() for item in found]}
    if args.report:
        write_atomic(Path(args.report), json.dumps(report, separators=(",", ":")) + "\n")
    if args.json:
        print(json.dumps(report, indent=2))
    elif not found:
        print("no spec has a `challenger:` section (see the README: Champion and challenger)")
    else:
        print(text_table(found))
        print()
        print("\n".join(line for item in found for line in explanations(item)))
    return exit_code(found)

"""Show what is live on each slot: assigned pickle, build fingerprint, validation and latest run.

Compares the assigned pickle's fingerprint (from its file name) with the local spec's. Exits 1 when
a slot's latest run failed, so a scheduled workflow can alert. Needs NUMERAI_PUBLIC_ID and
NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import sys

from ..api import require_credentials
from ..deploy.client import ApiError, AuthenticationFailed, NumeraiClient, Settings
from ..deploy.status import SlotStatus, status_of, text_table
from ..errors import UsageError, WorkFailed
from ..plan.fingerprint import fingerprint
from .common import load_all, repo_from, runtime_of, select

LABELS = {0: "note", 1: "failed", 2: "error"}


def add_arguments(parser) -> None:
    parser.add_argument("slots", nargs="*", metavar="SLOT", help="slots to show (default: every spec)")


def run(args) -> int:
    repo = repo_from(args)
    specs, catalogue = load_all(repo)
    chosen = select(specs, args.slots)
    client = NumeraiClient(
        require_credentials(), Settings.from_env(), log=lambda line: print(line, file=sys.stderr)
    )
    try:
        account = client.account_models()
    except AuthenticationFailed as error:
        raise UsageError(str(error)) from None
    except ApiError as error:
        raise WorkFailed(f"could not read the account's models: {error}") from None

    rows, exit_code = [], 0
    for item in chosen:
        slot = item.spec.slot
        if slot not in account:
            known = ", ".join(sorted(account)) or "(none)"
            rows.append(
                SlotStatus(
                    slot,
                    validation="not on the account",
                    exit_code=2,
                    problem=f"slot {slot}: this Numerai account has no model named {slot!r} ==> "
                    f"its models are: {known}; fix `slot:` in models/{item.path.name}",
                )
            )
            exit_code = max(exit_code, 2)
            continue
        runtime = runtime_of(item, catalogue)
        local = fingerprint(item.spec, runtime, repo.package_dir, False)
        local_synthetic = fingerprint(item.spec, runtime, repo.package_dir, True)
        try:
            row = status_of(slot, client.model_state(account[slot]), local, local_synthetic)
        except AuthenticationFailed as error:
            raise UsageError(str(error)) from None
        except ApiError as error:
            row = SlotStatus(slot, validation="unknown", exit_code=1, problem=f"slot {slot}: {error}")
        exit_code = max(exit_code, row.exit_code)
        rows.append(row)

    print(text_table(rows))
    for row in rows:
        if row.problem:
            print(f"{LABELS[row.exit_code]}: {row.problem}", file=sys.stderr)
    return exit_code

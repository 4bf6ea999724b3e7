"""List a slot's uploads on Numerai, newest first, and mark the one assigned.

For each upload: its pickle id, the build it is (fingerprint and data stamp, from the file name deploy
gave it), the image it runs on, the data version, Numerai's validation status and when it was
uploaded. `numerai-deploy rollback SLOT --to PICKLE_ID` assigns one of the validated ones again.
--github adds GitHub's view: the slot's deployments (environment numerai/<slot>), each with its commit,
outcome and pickle, which the deploy and rollback workflows record (in GitHub Actions the job's token;
on a laptop the GitHub CLI's login). Needs NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..deploy.history import slot_history, text_table
from ..errors import UsageError, WorkFailed
from ..github.api import GitHubError, NotConfigured, connect
from ..github.deployments import environment_of, slot_deployments
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slot", metavar="SLOT", help="the model slot (its name on numer.ai)")
    parser.add_argument("--json", action="store_true", help="print the uploads as JSON")
    parser.add_argument("--github", action="store_true",
                        help="also show GitHub's record of the slot: its deployments, newest first")


def github_view(slot: str, environment: dict[str, str]) -> list[dict[str, Any]]:
    try:
        return slot_deployments(connect(environment), slot)
    except NotConfigured as error:
        raise UsageError(str(error)) from None
    except GitHubError as error:
        raise WorkFailed(f"GitHub's deployments of {slot} could not be read: {error}") from None


def github_lines(slot: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"GitHub: deployments to {environment_of(slot)}, newest first"]
    lines += [f"  {row['created_at']}  {row['state']:9} {row['action'] or '-'}: pickle {row['pickle_id'] or '-'}, "
              f"fingerprint {row['fingerprint'] or '-'}, commit {row['commit'] or '-'}" for row in rows]
    return lines if rows else [*lines, "  (none yet: the deploy workflow records each deploy)"]


def run(args: argparse.Namespace, settings: Settings) -> int:
    client = NumeraiClient(require_credentials(settings), settings)
    history = slot_history(client, args.slot)
    rows = github_view(args.slot, settings.environment()) if args.github else None
    if args.json:
        print(json.dumps({**history.as_json(), **({"github": rows} if rows is not None else {})}, indent=2))
        return 0
    print(text_table(history))
    if rows is not None:
        print("\n" + "\n".join(github_lines(args.slot, rows)))
    return 0

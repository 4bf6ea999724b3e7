"""Check the API key and the account before a deploy: the first command after setting the secrets.

Says which account the key belongs to and its scopes (apiTokenInfo), whether each spec's slot exists on
that account and has a submission webhook, and whether Numerai runs each spec's runtime at the tag
the catalogue pins; each problem with what to fix. Exit 0 when ready, 2 for a key, scope, slot or
webhook problem (a missing upload_submission scope included), 1 for a runtime Numerai does not run as
pinned. Without NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY: exit 2, saying how to set them.
"""

from __future__ import annotations

import argparse
import json

from ..errors import UsageError
from ..numerai.client import NumeraiClient
from ..numerai.credentials import read_credentials
from ..readiness.doctor import diagnose, missing_keys_message, text_of
from ..settings import Settings
from .common import load_all, repo_from, runtime_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    credentials = read_credentials(settings)
    if credentials is None:
        raise UsageError(missing_keys_message())
    specs, catalogue = load_all(repo_from(args, settings))
    client = NumeraiClient(credentials, settings)
    found = diagnose(client, [(item, runtime_of(item, catalogue)) for item in specs], catalogue)
    print(json.dumps(found.as_json(), indent=2) if args.json else text_of(found))
    return found.exit_code

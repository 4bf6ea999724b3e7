"""List a slot's uploads on Numerai, newest first, and mark the one assigned.

For each upload: its pickle id, the build it is (fingerprint and data stamp, from the file name deploy
gave it), the image it runs on, the data version, Numerai's validation status and when it was
uploaded. `numerai-deploy rollback SLOT --to PICKLE_ID` assigns one of the validated ones again.
Needs NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY.
"""

from __future__ import annotations

import json

from ..deploy.history import slot_history, text_table
from ..numerai.client import NumeraiClient
from ..numerai.credentials import require_credentials
from ..settings import load_settings


def add_arguments(parser) -> None:
    parser.add_argument("slot", metavar="SLOT", help="the model slot (its name on numer.ai)")
    parser.add_argument("--json", action="store_true", help="print the uploads as JSON")


def run(args) -> int:
    settings = load_settings()
    client = NumeraiClient(require_credentials(settings), settings)
    history = slot_history(client, args.slot)
    print(json.dumps(history.as_json(), indent=2) if args.json else text_table(history))
    return 0

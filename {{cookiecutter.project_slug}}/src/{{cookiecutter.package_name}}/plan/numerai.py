"""Fingerprints of the pickles assigned on Numerai, read through the deploy client.

The uploaded file's name carries the fingerprint (`<slot>-<fingerprint>.pkl`), so a slot whose
assigned pickle has the fingerprint at hand needs no build. Slots that are not on the account,
or have nothing assigned, get no entry: they count as changed.
"""

from __future__ import annotations

import sys

from ..api import require_credentials
from ..deploy import status
from ..deploy.client import ApiError, AuthenticationFailed, NumeraiClient, describe
from ..errors import UsageError, WorkFailed


def assigned_fingerprints(slots: list[str], client: NumeraiClient | None = None) -> dict[str, str]:
    """{slot: fingerprint of its assigned pickle}; needs NUMERAI_PUBLIC_ID / NUMERAI_SECRET_KEY."""
    if client is None:
        client = NumeraiClient(require_credentials(), log=lambda message: print(message, file=sys.stderr))
    try:
        found = status.assigned_fingerprints(client, client.account_models(), slots)
    except AuthenticationFailed as error:
        raise UsageError(describe(error)) from None
    except ApiError as error:
        raise WorkFailed(f"could not read the assigned pickles: {describe(error)}") from None
    return {slot: fingerprint for slot, fingerprint in found.items() if fingerprint}

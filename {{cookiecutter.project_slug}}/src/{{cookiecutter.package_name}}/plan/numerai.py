"""Fingerprints of the pickles assigned on Numerai.

The uploaded file's name carries the fingerprint (`<slot>-<fingerprint>.pkl`), so a slot whose
assigned pickle has the fingerprint at hand needs no build. Slots that are not on the account,
or have nothing assigned, get no entry: they count as changed.
"""

from __future__ import annotations

from ..artifact.fingerprint import fingerprint_in
from ..numerai.client import NumeraiClient


def assigned_fingerprints(slots: list[str], client: NumeraiClient) -> dict[str, str]:
    """{slot: fingerprint of its assigned pickle}; the client needs NUMERAI_PUBLIC_ID / NUMERAI_SECRET_KEY."""
    account = client.account_models()
    found = {}
    for slot in slots:
        if slot in account:
            assigned = client.model_state(account[slot]).get("computePickleUpload") or {}
            found[slot] = fingerprint_in(assigned.get("filename"))
    return {slot: fingerprint for slot, fingerprint in found.items() if fingerprint}

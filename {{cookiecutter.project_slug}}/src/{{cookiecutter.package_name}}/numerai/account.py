"""A slot (a model's name on numer.ai) resolved to its model id on the account of the API key."""

from __future__ import annotations

from ..errors import UsageError
from .client import NumeraiClient


def model_id_of(client: NumeraiClient, slot: str) -> str:
    """The slot's model id; a name the account lacks is bad input naming the account's models."""
    account = client.account_models()
    if slot in account:
        return account[slot]
    known = ", ".join(sorted(account)) or "(none)"
    raise UsageError(f"this Numerai account has no model named {slot!r} ==> its models are: {known}")

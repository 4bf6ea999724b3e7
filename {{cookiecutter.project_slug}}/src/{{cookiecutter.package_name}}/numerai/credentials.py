"""The API key, from the settings (NUMERAI_PUBLIC_ID, NUMERAI_SECRET_KEY)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..logs import remember_secrets
from ..settings import Settings, load_settings

PUBLIC_ID_VARIABLE = "NUMERAI_PUBLIC_ID"
SECRET_KEY_VARIABLE = "NUMERAI_SECRET_KEY"
KEYS_HINT = "create an API key at numer.ai (Account > Custom API Keys) with upload and model access"


@dataclass(frozen=True)
class Credentials:
    public_id: str
    secret_key: str

    def __repr__(self) -> str:  # never let a traceback or a debug print show the key
        return f"Credentials(public_id={self.public_id!r}, secret_key=<hidden>)"

    __str__ = __repr__


def read_credentials(settings: Settings | None = None) -> Credentials | None:
    """The API key; None when neither half is set, an error when only one is."""
    settings = settings or load_settings()
    remember_secrets(settings.secrets())
    public_id, secret_key = settings.public_id.strip(), settings.secret_key.get_secret_value().strip()
    if public_id and secret_key:
        return Credentials(public_id, secret_key)
    if public_id or secret_key:
        missing = SECRET_KEY_VARIABLE if public_id else PUBLIC_ID_VARIABLE
        raise UsageError(
            f"{missing} is not set (only half of the API key is) ==> set both "
            f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE}; {KEYS_HINT}"
        )
    return None


def require_credentials(settings: Settings | None = None) -> Credentials:
    credentials = read_credentials(settings)
    if credentials is None:
        raise UsageError(
            f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE} are not set ==> export both "
            f"(in GitHub Actions: repository or environment secrets); {KEYS_HINT}"
        )
    return credentials

"""numerapi, pointed at NUMERAI_API_URL when set (tests point it at a loopback stand-in), and the
credentials the authenticated commands read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numerapi
from numerapi import base_api

from .errors import UsageError

API_URL_VARIABLE = "NUMERAI_API_URL"
PUBLIC_ID_VARIABLE = "NUMERAI_PUBLIC_ID"
SECRET_KEY_VARIABLE = "NUMERAI_SECRET_KEY"
KEYS_HINT = "create an API key at numer.ai (Account > Custom API Keys) with upload and model access"


def apply_api_url() -> str:
    """numerapi reads this module constant on every call: setting it redirects every request."""
    url = os.environ.get(API_URL_VARIABLE)
    if url:
        base_api.API_TOURNAMENT_URL = url
    return base_api.API_TOURNAMENT_URL


def public_api() -> numerapi.NumerAPI:
    """An unauthenticated client: enough for downloading datasets."""
    apply_api_url()
    return numerapi.NumerAPI(verbosity="warning", show_progress_bars=False)


@dataclass(frozen=True)
class Credentials:
    public_id: str
    secret_key: str

    def __repr__(self) -> str:  # never let a traceback or a debug print show the key
        return f"Credentials(public_id={self.public_id!r}, secret_key=<hidden>)"

    __str__ = __repr__


def read_credentials(environ: Mapping[str, str] = os.environ) -> Credentials | None:
    """The API key from the environment; None when neither half is set, an error when one is."""
    public_id = environ.get(PUBLIC_ID_VARIABLE, "").strip()
    secret_key = environ.get(SECRET_KEY_VARIABLE, "").strip()
    if public_id and secret_key:
        return Credentials(public_id, secret_key)
    if public_id or secret_key:
        missing = SECRET_KEY_VARIABLE if public_id else PUBLIC_ID_VARIABLE
        raise UsageError(
            f"{missing} is not set (only half of the API key is) ==> set both "
            f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE}; {KEYS_HINT}"
        )
    return None


def require_credentials(environ: Mapping[str, str] = os.environ) -> Credentials:
    credentials = read_credentials(environ)
    if credentials is None:
        raise UsageError(
            f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE} are not set ==> export both "
            f"(in GitHub Actions: repository or environment secrets); {KEYS_HINT}"
        )
    return credentials

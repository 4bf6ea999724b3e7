"""numerapi, pointed at NUMERAI_API_URL when set (tests point it at a loopback stand-in)."""

from __future__ import annotations

import os

import numerapi
from numerapi import base_api

API_URL_VARIABLE = "NUMERAI_API_URL"


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

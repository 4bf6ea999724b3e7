"""Numerai's dataset files, through numerapi's public (unauthenticated) client."""

from __future__ import annotations

import numerapi

from ..settings import Settings, load_settings
from .credentials import apply_api_url


def public_api(settings: Settings | None = None) -> numerapi.NumerAPI:
    """An unauthenticated client: enough for downloading datasets."""
    apply_api_url(settings or load_settings())
    return numerapi.NumerAPI(verbosity="warning", show_progress_bars=False)

"""Numerai's dataset files, through the unauthenticated client (timeouts and bounded retries)."""

from __future__ import annotations

from ..settings import Settings, load_settings
from .client import NumeraiClient


def public_api(settings: Settings | None = None) -> NumeraiClient:
    """An unauthenticated client: enough for listing and downloading datasets."""
    return NumeraiClient(None, settings or load_settings())


def quick_api() -> NumeraiClient:
    """One attempt per call, no retries: for best-effort look-ups that must not hold `validate` up offline."""
    return public_api(load_settings().model_copy(update={"retry_attempts": 1}))


def published_files() -> list[str]:
    """Every dataset file Numerai publishes now (`v5.2/train.parquet`, ...): numerapi's list_datasets."""
    return list(quick_api().list_datasets())

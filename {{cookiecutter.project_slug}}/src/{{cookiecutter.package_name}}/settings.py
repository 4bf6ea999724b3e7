"""Every setting read from the environment, in one typed object (pydantic-settings, prefix NUMERAI_).

    NUMERAI_PUBLIC_ID, NUMERAI_SECRET_KEY   the API key (the secret never printed)
    NUMERAI_API_URL                         another endpoint for every API call (tests: a loopback stand-in)
    NUMERAI_REQUEST_TIMEOUT, NUMERAI_UPLOAD_TIMEOUT, NUMERAI_RETRY_ATTEMPTS, NUMERAI_RETRY_BACKOFF,
    NUMERAI_RETRY_MAX_BACKOFF, NUMERAI_RETRY_BUDGET   timeouts and retries of each API call (seconds;
                                            attempts a count; defaults ride out a 1-2 minute outage)
    NUMERAI_POLL_INTERVAL, NUMERAI_VALIDATION_TIMEOUT   waiting for Numerai's validation of an upload
    NUMERAI_DATA_DIR                        the dataset cache (default: .numerai-data in the repository)
    NUMERAI_RUNTIME_CACHE                   check environments (default: ~/.cache/numerai-gitops/runtimes)
    NUMERAI_SYNTHETIC_DATA                  true: plan and build for generated data (trial runs, tests)
    NUMERAI_DEBUG                           true: show the traceback of an unexpected error
    NUMERAI_REPOSITORY_VISIBILITY           public, private or internal: which standard runner sizes apply
                                            (the workflows set it from the event; unset: private, the smaller)
    GITHUB_OUTPUT, GITHUB_STEP_SUMMARY      files GitHub Actions gives a step for its outputs and summary
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import UsageError

PREFIX = "NUMERAI_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    public_id: str = ""
    secret_key: SecretStr = SecretStr("")
    api_url: str = "https://api-tournament.numer.ai"

    # Each API call: a request times out after request_timeout seconds; transient faults (5xx, refused
    # or dropped connections, timeouts) are retried after retry_backoff, 2x, 4x ... seconds (plus
    # jitter, at most retry_max_backoff), at most retry_attempts attempts within retry_budget seconds:
    # the defaults ride out an outage of Numerai's API of a minute or two.
    request_timeout: PositiveFloat = 30.0
    upload_timeout: PositiveFloat = 600.0
    retry_attempts: PositiveInt = 12
    retry_backoff: PositiveFloat = 2.0
    retry_max_backoff: PositiveFloat = 20.0
    retry_budget: PositiveFloat = 180.0

    poll_interval: PositiveFloat = 10.0
    validation_timeout: PositiveFloat = 1200.0

    data_dir: Path | None = None
    runtime_cache: Path | None = None
    synthetic_data: bool = False
    debug: bool = False
    repository_visibility: Literal["public", "private", "internal"] | None = None

    github_output: Path | None = Field(default=None, validation_alias="GITHUB_OUTPUT")
    github_step_summary: Path | None = Field(default=None, validation_alias="GITHUB_STEP_SUMMARY")

    def secrets(self) -> list[str]:
        """Texts that must never reach an output: the token built from the key, and the key itself."""
        secret = self.secret_key.get_secret_value().strip()
        if not secret:
            return []
        return [f"{self.public_id.strip()}${secret}", secret]


def variable(field: str) -> str:
    return PREFIX + field.upper()


def expectation(error: dict) -> str:
    """pydantic's error type in the words of this CLI's messages."""
    kind = error.get("type", "")
    if kind in ("greater_than", "int_parsing", "float_parsing", "int_from_float"):
        whole = "whole " if kind.startswith("int") or "int" in str(error.get("msg", "")).lower() else ""
        return f"expected a positive {whole}number"
    if kind.startswith("bool"):
        return "expected true or false"
    return "expected " + str(error.get("msg", "a valid value")).lower()


def load_settings(**overrides) -> Settings:
    """The settings of this run (read anew on every call: tests change the environment between runs).

    A malformed value is a UsageError naming the variable: `NUMERAI_REQUEST_TIMEOUT='x' ==> expected ...`.
    """
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else "NUMERAI_*"
        name = name if name.startswith("GITHUB_") else variable(name)
        raise UsageError(f"{name}={first.get('input')!r} ==> {expectation(first)}") from None
    return settings.model_copy(update={key: value for key, value in overrides.items() if value is not None})

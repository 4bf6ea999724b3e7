"""Every setting read from the environment, in one typed object (pydantic-settings, prefix NUMERAI_).

    NUMERAI_PUBLIC_ID, NUMERAI_SECRET_KEY   the API key (the secret never printed)
    NUMERAI_API_URL                         another endpoint for every API call: https, or http to a loopback
                                            address only (tests: a loopback stand-in); the key travels with it
    NUMERAI_REQUEST_TIMEOUT, NUMERAI_UPLOAD_TIMEOUT, NUMERAI_RETRY_ATTEMPTS, NUMERAI_RETRY_BACKOFF,
    NUMERAI_RETRY_MAX_BACKOFF, NUMERAI_RETRY_BUDGET   timeouts and retries of each API call (seconds;
                                            attempts a count; defaults ride out a 1-2 minute outage)
    NUMERAI_POLL_INTERVAL, NUMERAI_VALIDATION_TIMEOUT   waiting for Numerai's validation of an upload
    NUMERAI_DIAGNOSTICS_TIMEOUT             the longest wait for Numerai's diagnostics of a build (seconds)
    NUMERAI_DATA_DIR                        the dataset cache (default: .numerai-data in the repository)
    NUMERAI_RUNTIME_CACHE                   check environments (default: ~/.cache/numerai-gitops/runtimes)
    NUMERAI_SYNTHETIC_DATA                  true: plan and build for generated data (trial runs, tests)
    NUMERAI_DEBUG                           true: show the traceback of an unexpected error
    NUMERAI_CHECK_ISOLATION                 namespaces: check and build stop (exit 2) where a pickle's run or a
                                            training could not have its own namespaces; any (default): they
                                            fall back to a process group and say so
    NUMERAI_REPOSITORY_VISIBILITY           public, private or internal: which standard runner sizes apply
                                            (the workflows set it from the event; unset: private, the smaller)
    GITHUB_OUTPUT, GITHUB_STEP_SUMMARY      files GitHub Actions gives a step for its outputs and summary
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, PositiveInt, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import UsageError

PREFIX = "NUMERAI_"
# Seconds: a limit of inf or nan would mean no limit at all.
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
# Numerai's public ids have 32 characters and its secret keys 64. Every output is scrubbed of the key,
# so a key of a few characters would blank those characters out of all output; 16 is far above that and
# far below any real key. A key holds no whitespace, control or non-ASCII characters: one there is a
# pasting mistake, a line break inside it would make HTTP libraries print the header, key included, in
# an escaped form the scrubber cannot recognise, and HTTP headers hold latin-1 only. Whitespace around
# it (a copied line's end) is dropped.
MIN_KEY_LENGTH = 16
KEY_FIELDS = ("public_id", "secret_key")
# Names of variables that hold credentials (the API key, GitHub's and the cloud's tokens): code that
# trains or runs a model never gets them, and their values are scrubbed from a check's output should a
# pickle get hold of one anyway.
# Every API call carries the key: over https, or plain http only to this machine (a stand-in in tests).
LOOPBACK_NAMES = ("localhost",)
API_URL_EXPECTED = ("an https:// URL (http:// only to a loopback address such as 127.0.0.1 or localhost: the key "
                    "travels with every request), without a user or password in it")
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE", re.IGNORECASE)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    public_id: str = ""
    secret_key: SecretStr = SecretStr("")
    api_url: str = "https://api-tournament.numer.ai"

    # Each API call: a request times out after request_timeout seconds; transient faults (5xx, refused
    # or dropped connections, timeouts) are retried after retry_backoff, 2x, 4x ... seconds (plus
    # jitter, at most retry_max_backoff), at most retry_attempts attempts within retry_budget seconds:
    # the defaults ride out an outage of Numerai's API of a minute or two.
    request_timeout: Seconds = 30.0
    upload_timeout: Seconds = 600.0
    retry_attempts: PositiveInt = 12
    retry_backoff: Seconds = 2.0
    retry_max_backoff: Seconds = 20.0
    retry_budget: Seconds = 180.0

    poll_interval: Seconds = 10.0
    validation_timeout: Seconds = 1200.0
    # Numerai scores a diagnostics upload in minutes (numerblox polls every 15 s); an hour is a stuck run.
    diagnostics_timeout: Seconds = 3600.0

    data_dir: Path | None = None
    runtime_cache: Path | None = None
    synthetic_data: bool = False
    debug: bool = False
    check_isolation: Literal["namespaces", "any"] = "any"
    repository_visibility: Literal["public", "private", "internal"] | None = None

    ci: str = Field(default="", validation_alias="CI")  # "true" in GitHub Actions and most CI services
    github_output: Path | None = Field(default=None, validation_alias="GITHUB_OUTPUT")
    github_step_summary: Path | None = Field(default=None, validation_alias="GITHUB_STEP_SUMMARY")

    # The process environment as it was when the settings were read: what child processes (training,
    # a check's run, uv) are given, filtered, and where tools live (PATH, PYENV_ROOT, XDG_CACHE_HOME).
    # Below main nothing reads os.environ itself.
    _environment: dict[str, str] = PrivateAttr(default_factory=dict)

    def environment(self) -> dict[str, str]:
        """A copy of the process environment the settings were read from (empty for settings made in code)."""
        return dict(self._environment)

    @field_validator(*KEY_FIELDS, mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not isinstance(text, str):
            return value
        text = text.strip()
        if text and (len(text) < MIN_KEY_LENGTH or not text.isascii() or not text.isprintable()
                     or any(char.isspace() for char in text)):
            raise ValueError("malformed key")  # the words are key_expectation's: never the value
        return text

    def with_overrides(self, **overrides: object) -> Settings:
        """These settings with each override that is not None (a command's flags over the environment)."""
        return self.model_copy(update={key: value for key, value in overrides.items() if value is not None})
    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not api_url_problem(value):
            return value
        raise ValueError(API_URL_EXPECTED)

    @property
    def in_ci(self) -> bool:
        """Whether this runs in CI (CI set, and not to false or 0): logs are read there, not watched."""
        return self.ci.strip().lower() not in ("", "0", "false", "no")

    def secrets(self) -> list[str]:
        """Texts that must never reach an output: the token built from the key, and the key itself."""
        secret = self.secret_key.get_secret_value().strip()
        if not secret:
            return []
        return [f"{self.public_id.strip()}${secret}", secret]


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_url_problem(url: str) -> bool:
    """True when `url` would send the key elsewhere than over https (or http to this machine)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # a malformed IPv6 address or port
        return True
    if not host or parts.username is not None or parts.password is not None:
        return True
    return not (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)))


def shown_url(url: str) -> str:
    """`url` without what a user or password in it would show."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(not shown: not a URL)"
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


def variable(field: str) -> str:
    return PREFIX + field.upper()


def without_credentials(environment: Mapping[str, str]) -> dict[str, str]:
    """`environment` less the API key's variables and every variable named like a credential."""
    keys = {variable(field) for field in KEY_FIELDS}
    return {name: value for name, value in environment.items() if name not in keys and not SECRET_NAME.search(name)}


def key_expectation() -> str:
    return (f"expected the key as numer.ai shows it: at least {MIN_KEY_LENGTH} characters, without spaces, "
            "line breaks, other control characters or characters beyond ASCII; copy it again from numer.ai, whole")


def expectation(error: Mapping[str, Any], field: str) -> str:
    """pydantic's error in the words of this CLI's messages, by the type of the setting."""
    if error.get("type", "").startswith("bool"):
        return "expected true or false"
    info = Settings.model_fields.get(field)
    annotation = info.annotation if info else None
    if annotation is float:
        return "expected a finite positive number"
    if annotation is int:
        return "expected a positive whole number"
    if field == "api_url":
        return "expected " + API_URL_EXPECTED
    return "expected " + str(error.get("msg", "a valid value")).lower()


def load_settings(**overrides: Any) -> Settings:
    """The settings of this run, read from the environment: main reads them once and passes them down.

    A malformed value is a UsageError naming the variable: `NUMERAI_REQUEST_TIMEOUT='x' ==> expected ...`.
    """
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else "*"
        name = field if field.startswith("GITHUB_") else variable(field)
        if field in KEY_FIELDS:  # never echoed: the value is (half of) the key
            raise UsageError(f"{name} is malformed (its value is not shown) ==> {key_expectation()}") from None
        shown = shown_url(str(first.get("input"))) if field == "api_url" else first.get("input")
        raise UsageError(f"{name}={shown!r} ==> {expectation(first, field)}") from None
    settings._environment = dict(os.environ)
    return settings.with_overrides(**overrides)

"""Before any build: is the API key there, does Numerai accept it, and may it upload? In seconds.

A deploy that meets a missing or rejected key, or one without the upload scope, fails only after every
slot was built and checked; the deploy workflow asks first. Definite answers about the key fail (exit 2,
bad input) with the fix: the `gh secret set` lines that put a working key where the workflows read it.
Numerai not answering within a short budget is not a verdict on the key: a warning, and the deploy job
rides out the outage with its own, longer retries.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..numerai.client import NumeraiClient, quick_settings
from ..numerai.credentials import (
    KEYS_HINT,
    PUBLIC_ID_VARIABLE,
    SECRET_KEY_VARIABLE,
    UPLOAD_SCOPE,
    read_credentials,
    scopes_of,
    secret_lines,
)
from ..numerai.errors import ApiError, AuthenticationFailed
from ..settings import Settings

TITLE = "Numerai API key"


@dataclass(frozen=True)
class Verdict:
    """`exit_code` 0 with `warning` False: ready; 0 with `warning`: not known; 2: the key must be fixed."""

    exit_code: int
    message: str
    warning: bool = False

    @property
    def failed(self) -> bool:
        return self.exit_code != 0


def fix_lines(repository: str | None, environment: str | None) -> list[str]:
    return [f"{KEYS_HINT}, then set both secrets (gh prompts for each value):", *secret_lines(repository, environment),
            "or run `numerai-deploy github-setup`, which does both from your terminal"]


def check_key(settings: Settings, *, allow_missing: bool = False) -> Verdict:
    """The key as the deploy job will present it, asked of Numerai once, quickly."""
    try:
        credentials = read_credentials(settings)
    except UsageError as error:  # only half of the key is set
        return Verdict(2, str(error).split(" ==> ")[0])
    if credentials is None:
        message = f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE} are not set"
        if allow_missing:
            return Verdict(0, f"{message}: a dry run plans without Numerai's look-ups", warning=True)
        return Verdict(2, f"{message}: nothing can be deployed")
    try:
        info = NumeraiClient(credentials, quick_settings(settings)).token_info()
    except AuthenticationFailed as error:
        return Verdict(2, str(error).split(" ==> ")[0])
    except ApiError as error:
        return Verdict(0, f"Numerai did not answer whether the key works ({error}); the deploy job asks "
                          "again, with longer retries", warning=True)
    account = info.get("accountUsername") or "(unnamed)"
    scopes = scopes_of(info)
    if UPLOAD_SCOPE not in scopes:
        return Verdict(2, f"the key of account {account} lacks the {UPLOAD_SCOPE} scope (it has: "
                          f"{', '.join(scopes) or 'none'}): it cannot upload a pickle")
    return Verdict(0, f"the key of account {account} works and has the {UPLOAD_SCOPE} scope")


def escape_data(text: str) -> str:
    """A workflow command's message: GitHub reads %, CR and LF encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation(verdict: Verdict, repository: str | None, environment: str | None) -> str:
    """One `::error::` line for the run's page with the fix's lines inside it (`::warning::` or `::notice::`
    when there is nothing to fix)."""
    level = "error" if verdict.failed else "warning" if verdict.warning else "notice"
    lines = [verdict.message, *fix_lines(repository, environment)] if verdict.failed else [verdict.message]
    return f"::{level} title={TITLE}::{escape_data(chr(10).join(lines))}"


def summary(verdict: Verdict, repository: str | None, environment: str | None) -> str:
    """The same for the job summary: the fix as a block to copy."""
    heading = f"### {TITLE}: " + ("not checked" if verdict.warning else "problem" if verdict.failed else "ok")
    lines = [heading, "", verdict.message]
    if verdict.failed:
        [hint, *commands, last] = fix_lines(repository, environment)
        lines += ["", hint, "", "```sh", *commands, "```", "", last]
    return "\n".join(lines) + "\n"

"""The API key, from the settings (NUMERAI_PUBLIC_ID, NUMERAI_SECRET_KEY), and the one wording of where
to make one, which scopes it needs and how GitHub Actions gets it: every message, `doctor`, `preflight`,
`github-setup` and the README say it in these words.

Scope names are Numerai's, as `apiTokenInfo { scopes }` returns them. Uploading a pickle needs the upload
scope (the schema's words on computePickleUploadAuth: "requires upload scope"); which scope each read
needs is not documented, so the read scopes are advised.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..logs import remember_secrets
from ..settings import Settings

PUBLIC_ID_VARIABLE = "NUMERAI_PUBLIC_ID"
SECRET_KEY_VARIABLE = "NUMERAI_SECRET_KEY"
KEY_PAGE = "numer.ai > Account > Custom API Keys"
UPLOAD_SCOPE = "upload_submission"
MODELS_SCOPE = "read_user_info"
UPLOADS_SCOPE = "read_submission_info"
# scope: what a deploy uses it for (the upload scope is the one a deploy cannot do without)
SCOPE_USES = {
    UPLOAD_SCOPE: "upload, assign and run pickles",
    MODELS_SCOPE: "list the account's models (to find each slot)",
    UPLOADS_SCOPE: "read uploads, their validation, runs and logs",
}
KEY_SCOPES = f"{UPLOAD_SCOPE}, {MODELS_SCOPE} and {UPLOADS_SCOPE}"
KEYS_HINT = f"create an API key at {KEY_PAGE} with the scopes {KEY_SCOPES}"
# The GitHub environment whose secrets the deploy job reads when the repository deploys through one.
DEPLOY_ENVIRONMENT = "numerai"


def scopes_of(token_info: dict[str, Any]) -> list[str]:
    """The scopes of a key, sorted, from Numerai's `apiTokenInfo` answer."""
    return sorted(str(scope) for scope in token_info.get("scopes") or [] if scope)


def secret_command(variable: str, repository: str | None = None, environment: str | None = None) -> list[str]:
    """`gh secret set VARIABLE [--repo R] [--env E]`: the value comes on stdin, never in the arguments."""
    return ["gh", "secret", "set", variable, *(["--repo", repository] if repository else []),
            *(["--env", environment] if environment else [])]


def secret_lines(repository: str | None = None, environment: str | None = None) -> list[str]:
    """The two `gh secret set` lines that put the key where the workflows read it (gh prompts for each value)."""
    return [shlex.join(secret_command(variable, repository, environment))
            for variable in (PUBLIC_ID_VARIABLE, SECRET_KEY_VARIABLE)]


@dataclass(frozen=True)
class Credentials:
    public_id: str
    secret_key: str

    def __repr__(self) -> str:  # never let a traceback or a debug print show the key
        return f"Credentials(public_id={self.public_id!r}, secret_key=<hidden>)"

    __str__ = __repr__


def read_credentials(settings: Settings) -> Credentials | None:
    """The API key; None when neither half is set, an error when only one is."""
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


def require_credentials(settings: Settings) -> Credentials:
    credentials = read_credentials(settings)
    if credentials is None:
        raise UsageError(
            f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE} are not set ==> export both "
            f"(in GitHub Actions: repository or environment secrets); {KEYS_HINT}"
        )
    return credentials

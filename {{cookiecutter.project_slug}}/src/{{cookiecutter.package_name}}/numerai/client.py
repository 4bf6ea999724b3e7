"""The Numerai API as every command uses it: numerapi's methods and auth over a stricter transport.

numerapi posts without a timeout, retries 5xx with long sleeps, and swallows HTTP and network errors
so that the calling method later fails with KeyError('data'). This client keeps numerapi's methods,
their queries and its `Authorization: Token PUBLIC$SECRET` header, but sends every request with a
timeout, retries only transient faults (5xx, connection errors, timeouts) a bounded number of times
within a bounded time, and raises errors that say what happened. Authentication and GraphQL errors
are never retried. No message it raises or prints contains the secret key.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import numerapi
import requests
from numerapi import base_api

from ..logs import get_logger, remember_secrets, scrub
from ..settings import Settings, load_settings
from . import queries
from .credentials import KEYS_HINT, PUBLIC_ID_VARIABLE, SECRET_KEY_VARIABLE, Credentials, apply_api_url
from .errors import ApiError, AuthenticationFailed, GraphQLFailed, TransientFailure, UploadRejected

log = get_logger(__name__)

CLASSIC_TOURNAMENT = 8
# Words in Numerai's error messages that mean the key, not the request, is the problem.
AUTH_WORDS = (
    "authenticat",
    "api key",
    "api token",
    "permission",
    "unauthorized",
    "not authorized",
    "invalid token",
    "session is invalid",
)
ROOT_FIELD = re.compile(r"^\s*(?:query|mutation)?\s*\w*\s*(?:\([^)]*\))?\s*\{\s*(\w+)", re.S)
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


def root_field(query: str) -> str:
    """The operation's root field (`model`, `assignPickleToModel`, ...), to name a call in messages."""
    match = ROOT_FIELD.match(query)
    return match.group(1) if match else "query"


def is_auth_message(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in AUTH_WORDS)


class NumeraiClient(numerapi.NumerAPI):
    """numerapi with a transport that times out, retries within bounds and reports honestly."""

    def __init__(self, credentials: Credentials | None, settings: Settings | None = None):
        self.settings = settings or load_settings()
        apply_api_url(self.settings)
        public_id, secret_key = (
            (credentials.public_id, credentials.secret_key) if credentials else (None, None)
        )
        super().__init__(public_id, secret_key, verbosity="warning", show_progress_bars=False)
        if credentials is None:
            self.token = None  # numerapi would read the environment; the caller decided there is no key
        if credentials:
            remember_secrets([f"{credentials.public_id}${credentials.secret_key}", credentials.secret_key])
        self.session = requests.Session()

    # -- transport ---------------------------------------------------------------------------------

    def raw_query(self, query: str, variables: dict | None = None, authorization: bool = False, **_ignored):
        """Same request as numerapi's raw_query (every numerapi method goes through here)."""
        operation = root_field(query)
        headers = {"Content-type": "application/json", "Accept": "application/json"}
        if authorization:
            if not self.token:
                raise AuthenticationFailed(
                    f"{operation} needs an API key ==> set {PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE}"
                )
            public_id, secret_key = self.token
            headers["Authorization"] = f"Token {public_id}${secret_key}"
        body = {"query": query, "variables": variables}
        response = self.with_retries(
            operation,
            lambda: self.session.post(
                base_api.API_TOURNAMENT_URL, json=body, headers=headers, timeout=self.settings.request_timeout
            ),
        )
        return self.payload_of(operation, response)

    def payload_of(self, operation: str, response: requests.Response) -> dict:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if errors:
            messages = [
                scrub(error.get("message", error)) for error in errors if isinstance(error, dict)
            ]
            message = "; ".join(messages) or scrub(errors)
            if is_auth_message(message) or response.status_code in (401, 403):
                raise AuthenticationFailed(
                    f"Numerai rejected the API key ({operation}: {message}) ==> check "
                    f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE}; {KEYS_HINT}"
                )
            raise GraphQLFailed(f"{operation}: Numerai answered: {message}")
        if response.status_code in (401, 403):
            raise AuthenticationFailed(
                f"Numerai refused {operation} (HTTP {response.status_code}) ==> check "
                f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE}; {KEYS_HINT}"
            )
        if response.status_code >= 400 or not isinstance(payload, dict):
            raise GraphQLFailed(
                f"{operation}: HTTP {response.status_code}: {scrub(response.text[:300])}"
            )
        return payload

    def with_retries(self, what: str, send: Callable[[], requests.Response]) -> requests.Response:
        """`send()` until it gets an answer below 500; transient faults retried with backoff, in bounds."""
        settings = self.settings
        started, pause = time.monotonic(), settings.retry_backoff
        for attempt in range(1, settings.retry_attempts + 1):
            try:
                response = send()
            except TRANSIENT_ERRORS as error:
                problem = describe(error)
            except requests.RequestException as error:  # a bad URL, say: retrying cannot help
                raise ApiError(scrub(f"{what}: {describe(error)} ==> check NUMERAI_API_URL")) from None
            else:
                if response.status_code < 500:
                    return response
                problem = f"HTTP {response.status_code}"
            elapsed = time.monotonic() - started
            if attempt == settings.retry_attempts or elapsed + pause > settings.retry_budget:
                raise TransientFailure(
                    scrub(
                        f"{what}: {problem}, gave up after {attempt} attempt(s) in "
                        f"{elapsed:.1f}s ==> Numerai or the network is unwell; re-run later"
                    )
                )
            log.info("  %s: %s; retry %d/%d in %.3gs", what, problem, attempt, settings.retry_attempts - 1, pause)
            time.sleep(pause)
            pause = min(pause * 2, settings.retry_max_backoff)
        raise AssertionError("unreachable")

    @staticmethod
    def data(payload: dict, field: str):
        data = payload.get("data") or {}
        if field not in data:
            raise GraphQLFailed(f"{field}: Numerai's answer has no {field} ({scrub(str(payload)[:200])})")
        return data[field]

    def query_field(self, query: str, variables: dict | None = None, shape: type | None = None):
        """The answer's root field; with `shape` (dict, or list of dicts) an answer of another shape is an
        ApiError naming the call, never a crash further on."""
        field = root_field(query)
        value = self.data(self.raw_query(query, variables, authorization=True), field)
        if shape is not None and value is not None and not has_shape(value, shape):
            raise GraphQLFailed(f"{field}: Numerai's answer has an unexpected shape "
                                f"({type(value).__name__}: {scrub(str(value)[:80])})")
        return value

    # -- lookups -----------------------------------------------------------------------------------

    def account_models(self) -> dict[str, str]:
        """{model name: model id} of the account's Classic models (numerapi's get_models)."""
        return self.through_numerapi("account", lambda: self.get_models(CLASSIC_TOURNAMENT))

    def model_state(self, model_id: str) -> dict:
        """The slot: webhook, compute flag and the assigned pickle with its triggers."""
        model = self.query_field(queries.MODEL, {"modelId": model_id}, dict)
        if not model:
            raise GraphQLFailed(f"model: Numerai knows no model with id {model_id}")
        return model

    def pickles(self, model_id: str, pickle_id: str | None = None) -> list[dict]:
        variables = {"modelId": model_id, "id": pickle_id}
        return self.query_field(queries.COMPUTE_PICKLES, variables, list) or []

    def pickle(self, model_id: str, pickle_id: str) -> dict:
        found = [item for item in self.pickles(model_id, pickle_id) if item.get("id") == pickle_id]
        if not found:
            raise GraphQLFailed(f"computePickles: Numerai lists no pickle {pickle_id} for this model")
        return found[0]

    def docker_images(self) -> list[dict]:
        return self.query_field(queries.DOCKER_IMAGES, None, list) or []

    def data_versions(self) -> dict[str, str]:
        return self.through_numerapi("computePickleDataVersions", self.model_upload_data_versions)

    @staticmethod
    def through_numerapi(operation: str, call: Callable):
        """A numerapi method's result; an answer of an unexpected shape is an ApiError, not a KeyError."""
        try:
            return call()
        except (KeyError, TypeError, AttributeError) as error:
            raise GraphQLFailed(f"{operation}: Numerai's answer lacks {error}") from None

    def trigger_logs(self, trigger_id: str) -> list[dict]:
        return self.query_field(queries.TRIGGER_LOGS, {"triggerId": trigger_id}, list) or []

    # -- changes -----------------------------------------------------------------------------------

    def clear_webhook(self, model_id: str) -> None:
        if not self.through_numerapi(
            "setSubmissionWebhook", lambda: self.set_submission_webhook(model_id, None)
        ):
            raise GraphQLFailed("setSubmissionWebhook: Numerai did not confirm clearing the webhook")

    def assign(self, model_id: str, pickle_id: str) -> None:
        answer = self.query_field(queries.ASSIGN, {"modelId": model_id, "pickleId": pickle_id})
        if str(answer).lower() != "true":
            raise GraphQLFailed(f"assignPickleToModel: Numerai answered {answer!r}, not true")

    def upload(
        self, path: Path, *, filename: str, model_id: str, data_version_id: str, docker_image_id: str
    ) -> str:
        """numerapi's model_upload steps, checking the file PUT it ignores; returns the pickle id."""
        auth = self.query_field(queries.UPLOAD_AUTH, {"filename": filename, "modelId": model_id}, dict) or {}
        if not isinstance(auth.get("url"), str):
            raise GraphQLFailed("computePickleUploadAuth: Numerai's answer has no upload URL")
        self.put_file(auth["url"], Path(path))
        created = self.query_field(
            queries.CREATE_UPLOAD,
            {
                "filename": auth.get("filename") or filename,
                "tournament": CLASSIC_TOURNAMENT,
                "modelId": model_id,
                "dataVersionId": data_version_id,
                "dockerImageId": docker_image_id,
            },
            dict,
        ) or {}
        if not created.get("id"):
            raise GraphQLFailed("createComputePickleUpload: Numerai's answer has no pickle id")
        return str(created["id"])

    def put_file(self, url: str, path: Path) -> None:
        # A presigned storage URL: it carries its own authorisation, so the API token is not sent.
        content = path.read_bytes()
        response = self.with_retries(
            "file upload", lambda: self.session.put(url, data=content, timeout=self.settings.upload_timeout)
        )
        if not 200 <= response.status_code < 300:
            raise UploadRejected(
                scrub(
                    f"file upload: the storage refused {path.name} with HTTP "
                    f"{response.status_code}: {response.text[:300].strip()} ==> "
                    f"nothing was created; re-run deploy"
                )
            )


def has_shape(value, shape: type) -> bool:
    if shape is list:
        return isinstance(value, list) and all(isinstance(item, dict) for item in value)
    return isinstance(value, shape)


def describe(error: Exception) -> str:
    """A short reason for a network fault: the exception type and its first line."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__

"""The Numerai API as every command uses it: numerapi's methods and auth over a stricter transport.

numerapi posts without a timeout, retries 5xx with long sleeps, and swallows HTTP and network errors
so that the calling method later fails with KeyError('data'). This client keeps numerapi's methods,
their queries and its `Authorization: Token PUBLIC$SECRET` header, but sends every request with a
timeout and raises errors that say what happened. Authentication and GraphQL errors are never
retried.

Transient faults (5xx answers, refused or dropped connections, timeouts) are retried with
exponential backoff and jitter (tenacity), bounded twice: at most NUMERAI_RETRY_ATTEMPTS attempts and
NUMERAI_RETRY_BUDGET seconds per call (the defaults ride out an outage of a minute or two). Each retry
logs the call, the problem, the wait and the budget left.

A change (a GraphQL mutation) is never blindly sent again after its answer was lost: Numerai may have
carried it out. The next attempt first reads Numerai's state (the upload by its file name, the model's
assigned pickle, its webhook) and sends the change again only when it did not happen.

No message it raises or logs contains the secret key or a presigned URL's query string.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

import numerapi
import requests
import tenacity
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
MUTATION = re.compile(r"^\s*mutation\b")
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
# A query string after a path with no scheme (urllib3 writes `url: /uploads/x.pkl?X-Amz-Signature=...`).
PATH_QUERY = re.compile(r"(?P<path>/[^\s?#'\"<>]*)\?[^\s'\"<>)]*")
# Query parameters of a presigned URL that grant access (AWS: X-Amz-Signature, X-Amz-Credential,
# X-Amz-Security-Token; others: signature, sig, token, key).
SIGNED_PARAMETER = re.compile(r"signature|credential|token|sig$|key", re.IGNORECASE)
RETRY_HINT = "Numerai or the network is unwell; re-run later"
T = TypeVar("T")


def root_field(query: str) -> str:
    """The operation's root field (`model`, `assignPickleToModel`, ...), to name a call in messages."""
    match = ROOT_FIELD.match(query)
    return match.group(1) if match else "query"


def is_mutation(query: str) -> bool:
    return bool(MUTATION.match(query))


def is_auth_message(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in AUTH_WORDS)


class Transient(Exception):
    """One attempt met a fault that another attempt may not meet: a 5xx, a network error, a timeout."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


class NumeraiClient(numerapi.NumerAPI):
    """numerapi with a transport that times out, retries within bounds and reports honestly."""

    def __init__(self, credentials: Credentials | None, settings: Settings | None = None):
        self.settings = settings or load_settings()
        apply_api_url(self.settings)
        public_id, secret_key = (
            (credentials.public_id, credentials.secret_key) if credentials else (None, None)
        )
        # numerapi calls logging.basicConfig here; logs.configure has given the root a handler, so that
        # adds nothing and no line is printed twice.
        super().__init__(public_id, secret_key, verbosity="warning", show_progress_bars=False)
        if credentials is None:
            self.token = None  # numerapi would read the environment; the caller decided there is no key
        if credentials:
            remember_secrets([f"{credentials.public_id}${credentials.secret_key}", credentials.secret_key])
        self.session = requests.Session()

    # -- transport ---------------------------------------------------------------------------------

    def raw_query(self, query: str, variables: dict | None = None, authorization: bool = False, **_ignored):
        """Same request as numerapi's raw_query (every numerapi method goes through here).

        A query is retried within bounds. A mutation is sent once: when its answer is lost, only a
        caller that can look its effect up (`mutate`) may send it again.
        """
        operation = root_field(query)
        if not is_mutation(query):
            return self.retrying(operation, lambda: self.send(query, variables, authorization))
        try:
            return self.send(query, variables, authorization)
        except Transient as fault:
            raise TransientFailure(
                f"{operation}: {fault.problem}; not sent again, since Numerai may have carried it out "
                f"==> look at the model on numer.ai, then re-run"
            ) from None

    def send(self, query: str, variables: dict | None = None, authorization: bool = False) -> dict:
        """One request: the answer's payload, or Transient for a fault worth another attempt."""
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
        try:
            response = self.session.post(
                base_api.API_TOURNAMENT_URL, json=body, headers=headers, timeout=self.settings.request_timeout
            )
        except TRANSIENT_ERRORS as error:
            raise Transient(describe(error)) from None
        except requests.RequestException as error:  # a bad URL, say: retrying cannot help
            raise ApiError(f"{operation}: {describe(error)} ==> check NUMERAI_API_URL") from None
        if response.status_code >= 500:
            raise Transient(f"HTTP {response.status_code}")
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
            raise GraphQLFailed(f"{operation}: HTTP {response.status_code}: {response.text[:300]}")
        return payload

    def retrying(self, what: str, attempt: Callable[[], T]) -> T:
        """`attempt()` until it does not raise Transient: exponential backoff with jitter, at most
        NUMERAI_RETRY_ATTEMPTS attempts, and no attempt starts after NUMERAI_RETRY_BUDGET seconds."""
        settings = self.settings
        count, started = 0, time.monotonic()
        backoff = tenacity.wait_exponential_jitter(
            initial=settings.retry_backoff, max=settings.retry_max_backoff, jitter=settings.retry_backoff
        )

        def within_budget(state: tenacity.RetryCallState) -> float:
            """The backoff, cut short so that the last attempt starts within the budget."""
            return max(0.0, min(backoff(state), settings.retry_budget - state.seconds_since_start))

        def counted() -> T:
            nonlocal count
            count += 1
            return attempt()

        retryer = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(settings.retry_attempts)
            | tenacity.stop_after_delay(settings.retry_budget),
            wait=within_budget,
            retry=tenacity.retry_if_exception_type(Transient),
            before_sleep=lambda state: self.announce(what, state),
            reraise=True,
        )
        try:
            return retryer(counted)
        except Transient as fault:
            raise TransientFailure(
                f"{what}: {fault.problem}, gave up after {count} attempt(s) in "
                f"{time.monotonic() - started:.1f}s ==> {RETRY_HINT}"
            ) from None

    def announce(self, what: str, state: tenacity.RetryCallState) -> None:
        """One line per retry: the call, the problem, the wait and the budget left."""
        settings = self.settings
        fault = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0.0
        left = max(0.0, settings.retry_budget - state.seconds_since_start)
        log.info(
            "  %s: %s; retry %d/%d in %.3gs (%.3gs of the %gs retry budget left)",
            what,
            getattr(fault, "problem", fault),
            state.attempt_number,
            settings.retry_attempts - 1,
            pause,
            left,
            settings.retry_budget,
        )

    def mutate(self, query: str, variables: dict, landed: Callable[[], T | None]):
        """Send a change, retrying within bounds, but never blindly: after an attempt whose answer
        was lost, the next one first asks `landed()` whether the change happened (its result, or
        None), and sends it again only when it did not."""
        operation = root_field(query)
        sent = False

        def attempt():
            nonlocal sent
            if sent:
                found = landed()
                if found is not None:
                    log.info(f"  {operation}: the change did happen, its answer was lost; not sending it again")
                    return found
            sent = True
            return self.data(self.send(query, variables, authorization=True), operation)

        return self.retrying(operation, attempt)

    def ask(self, query: str, variables: dict | None = None):
        """One attempt at a query's root field (for the look-ups inside a retried change)."""
        return self.data(self.send(query, variables, authorization=True), root_field(query))

    @staticmethod
    def data(payload: dict, field: str):
        data = payload.get("data") or {}
        if field not in data:
            raise GraphQLFailed(f"{field}: Numerai's answer has no {field} ({str(payload)[:200]})")
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

    # -- changes: each looked up before it is sent again -------------------------------------------

    def clear_webhook(self, model_id: str) -> None:
        def cleared() -> str | None:
            model = self.ask(queries.MODEL, {"modelId": model_id})
            return None if isinstance(model, dict) and model.get("submissionWebhook") else "true"

        answer = self.mutate(queries.SET_WEBHOOK, {"modelId": model_id, "newSubmissionWebhook": None}, cleared)
        if str(answer).lower() != "true":
            raise GraphQLFailed("setSubmissionWebhook: Numerai did not confirm clearing the webhook")

    def assign(self, model_id: str, pickle_id: str) -> None:
        def assigned() -> str | None:
            model = self.ask(queries.MODEL, {"modelId": model_id}) or {}
            return "true" if (model.get("computePickleUpload") or {}).get("id") == pickle_id else None

        answer = self.mutate(queries.ASSIGN, {"modelId": model_id, "pickleId": pickle_id}, assigned)
        if str(answer).lower() != "true":
            raise GraphQLFailed(f"assignPickleToModel: Numerai answered {answer!r}, not true")

    def upload(
        self, path: Path, *, filename: str, model_id: str, data_version_id: str, docker_image_id: str
    ) -> str:
        """numerapi's model_upload steps, checking the file PUT it ignores; returns the pickle id.

        After a lost answer to createComputePickleUpload, the upload is looked up by the file name
        Numerai gave it (computePickles of the model) before it is created again.
        """
        auth = self.query_field(queries.UPLOAD_AUTH, {"filename": filename, "modelId": model_id}, dict) or {}
        if not isinstance(auth.get("url"), str):
            raise GraphQLFailed("computePickleUploadAuth: Numerai's answer has no upload URL")
        self.put_file(auth["url"], Path(path))
        stored_as = auth.get("filename") or filename

        def created() -> dict | None:
            found = [
                item
                for item in self.ask(queries.COMPUTE_PICKLES, {"modelId": model_id, "id": None}) or []
                if isinstance(item, dict) and item.get("filename") == stored_as
            ]
            return found[-1] if found else None

        variables = {
            "filename": stored_as,
            "tournament": CLASSIC_TOURNAMENT,
            "modelId": model_id,
            "dataVersionId": data_version_id,
            "dockerImageId": docker_image_id,
        }
        answer = self.mutate(queries.CREATE_UPLOAD, variables, created)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise GraphQLFailed("createComputePickleUpload: Numerai's answer has no pickle id")
        return str(answer["id"])

    def add_model(self, name: str) -> str:
        """Create a Classic model slot named `name`; returns its id. After a lost answer, the account's
        models are looked up by name before the creation is sent again."""

        def created() -> dict | None:
            account = self.ask(queries.ACCOUNT_MODELS) or {}
            found = [
                model
                for model in account.get("models") or []
                if isinstance(model, dict) and model.get("name") == name
                and model.get("tournament") in (None, CLASSIC_TOURNAMENT)
            ]
            return found[0] if found else None

        answer = self.mutate(queries.ADD_MODEL, {"name": name, "tournament": CLASSIC_TOURNAMENT}, created)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise GraphQLFailed(f"addModel: Numerai's answer has no model id for {name!r}")
        return str(answer["id"])

    def put_file(self, url: str, path: Path) -> None:
        """PUT the file to a presigned storage URL (it carries its own authorisation, so the API token
        is not sent). Its query string is a credential: from here on no output shows it."""
        hide_signed_url(url)
        content = path.read_bytes()

        def put() -> requests.Response:
            try:
                response = self.session.put(url, data=content, timeout=self.settings.upload_timeout)
            except TRANSIENT_ERRORS as error:
                raise Transient(describe(error)) from None
            except requests.RequestException as error:
                raise ApiError(f"file upload: {describe(error)}") from None
            if response.status_code >= 500:
                raise Transient(f"HTTP {response.status_code}")
            return response

        response = self.retrying("file upload", put)
        if not 200 <= response.status_code < 300:
            raise UploadRejected(
                f"file upload: the storage refused {path.name} with HTTP "
                f"{response.status_code}: {response.text[:300].strip()} ==> "
                f"nothing was created; re-run deploy"
            )


    # -- history, runs and the key (history, rollback, logs, trigger, doctor) ----------------------

    def token_info(self) -> dict:
        """apiTokenInfo: the account the key belongs to, the key's name, public id and scopes."""
        info = self.query_field(queries.API_TOKEN_INFO, None, dict)
        if not info:
            raise GraphQLFailed("apiTokenInfo: Numerai's answer says nothing about this key")
        return info

    def uploads(self, model_id: str | None, pickle_id: str | None = None) -> list[dict]:
        """computePickles with every run in full: a model's uploads, or one upload by id (any model of the
        account when `model_id` is None)."""
        variables = {"modelId": model_id, "id": pickle_id}
        return self.query_field(queries.UPLOADS, variables, list) or []

    def start_run(self, model_id: str, pickle_id: str, *, validation: bool = False) -> tuple[dict, set[str]]:
        """triggerComputePickleUpload: start a run of the pickle. Returns the pickle as Numerai answered
        it and the ids of the runs it had before, so that the new run can be told apart.

        After a lost answer, the pickle's runs are read: a run that was not there before means the
        trigger happened, and it is not sent again."""
        before = {
            str(trigger.get("id"))
            for item in self.uploads(model_id, pickle_id)
            if item.get("id") == pickle_id
            for trigger in item.get("triggers") or []
            if isinstance(trigger, dict)
        }

        def started() -> dict | None:
            for item in self.ask(queries.UPLOADS, {"modelId": model_id, "id": pickle_id}) or []:
                if isinstance(item, dict) and item.get("id") == pickle_id:
                    triggers = [trigger for trigger in item.get("triggers") or [] if isinstance(trigger, dict)]
                    ids = {str(trigger.get("id")) for trigger in triggers}
                    if ids - before:
                        return item
            return None

        variables = {"modelId": model_id, "pickleId": pickle_id, "triggerValidation": validation}
        answer = self.mutate(queries.TRIGGER_RUN, variables, started)
        if not isinstance(answer, dict):
            raise GraphQLFailed("triggerComputePickleUpload: Numerai's answer has no pickle")
        return answer, before


def has_shape(value, shape: type) -> bool:
    if shape is list:
        return isinstance(value, list) and all(isinstance(item, dict) for item in value)
    return isinstance(value, shape)


def hide_signed_url(url: str) -> None:
    """Have `scrub` remove a signed URL's query string and its values (a storage error may echo the
    signature) wherever they turn up, the package's logs and error messages included."""
    query = urlsplit(url).query
    if not query:
        return
    raw = dict(part.partition("=")[::2] for part in query.split("&"))
    secret = [
        value
        for pairs in (parse_qsl(query), raw.items())
        for name, value in pairs
        if SIGNED_PARAMETER.search(name) and len(value) >= 6
    ]
    remember_secrets([query, *secret])


def describe(error: Exception) -> str:
    """A short reason for a network fault: the exception type and its first line, scrubbed."""
    text = str(error).splitlines()[0] if str(error) else ""
    text = PATH_QUERY.sub(lambda match: f"{match.group('path')}?***", scrub(text[:300]))
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__

"""Requests to Numerai's API and to the storage behind its presigned URLs, sent the strict way.

Each GraphQL request goes to NUMERAI_API_URL (settings) with a deadline for the whole request (not only
for each read: an answer trickling in a byte at a time would hold a call for ever), with the
`Authorization: Token PUBLIC$SECRET` header when it needs the key, and raises errors that say what
happened (numerapi's own transport posts without a timeout, retries 5xx with long sleeps, and
swallows HTTP and network errors so that the calling method later fails with KeyError('data')).
Authentication and GraphQL errors are never retried.

Transient faults (5xx answers, refused or dropped connections, timeouts) are retried with
exponential backoff and jitter (tenacity), bounded twice: at most NUMERAI_RETRY_ATTEMPTS attempts and
NUMERAI_RETRY_BUDGET seconds per call (the defaults ride out an outage of a minute or two). Each retry
logs the call, the problem, the wait and the budget left. What waiting cannot heal fails in seconds, in
one line: a host name that does not resolve (offline, a wrong NUMERAI_API_URL) is not retried, and a
host that refuses connections (nothing listens there) gets UNREACHABLE_SECONDS of retries, which a
server's restart fits in.

A change (a GraphQL mutation) is never blindly sent again after its answer was lost: Numerai may have
carried it out. `mutate` first reads Numerai's state through the caller's look-up and sends the
change again only when it did not happen.

No message it raises or logs contains the secret key or a presigned URL's query string.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import requests
import tenacity

from ..logs import get_logger, remember_secrets, scrub
from ..settings import Settings
from .credentials import KEYS_HINT, PUBLIC_ID_VARIABLE, SECRET_KEY_VARIABLE, Credentials
from .errors import ApiError, AuthenticationFailed, GraphQLFailed, TransientFailure
from .signed_urls import without_path_queries

log = get_logger(__name__)

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
RETRY_HINT = "Numerai or the network is unwell; re-run later"
UNREACHABLE_HINT = ("check the network connection (offline?) and the address (NUMERAI_API_URL for the API), "
                    "then re-run")
UNREACHABLE_SECONDS = 5.0  # of retries for a host that refuses connections
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


def describe(error: Exception) -> str:
    """A short reason for a network fault: the exception type and its first line, scrubbed."""
    text = str(error).splitlines()[0] if str(error) else ""
    text = without_path_queries(scrub(text[:300]))
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


def has_shape(value: Any, shape: type) -> bool:
    if shape is list:
        return isinstance(value, list) and all(isinstance(item, dict) for item in value)
    return isinstance(value, shape)


class Transient(Exception):
    """One attempt met a fault that another attempt may not meet: a 5xx, a network error, a timeout.
    `unreachable`: why waiting will not help ("dns", "refused"), or None."""

    def __init__(self, problem: str, unreachable: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.unreachable = unreachable


def causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and what lies under it: causes, contexts, urllib3's `reason`, exceptions among the args."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        found = pending.pop()
        if id(found) in seen:
            continue
        seen.add(id(found))
        yield found
        pending += [item for item in (found.__cause__, found.__context__, getattr(found, "reason", None),
                                      *found.args) if isinstance(item, BaseException)]


def unreachable_kind(error: BaseException) -> str | None:
    """"dns" when the host name does not resolve, "refused" when nothing listens there, else None."""
    kinds = {"dns" if isinstance(cause, socket.gaierror) or type(cause).__name__ == "NameResolutionError"
             else "refused" if isinstance(cause, ConnectionRefusedError) else None for cause in causes(error)}
    return "dns" if "dns" in kinds else "refused" if "refused" in kinds else None


def transient(error: Exception) -> Transient:
    """A network fault as a Transient that knows whether waiting can heal it."""
    return Transient(describe(error), unreachable_kind(error))


def within_deadline(seconds: float, setting: str, request: Callable[[], T]) -> T:
    """`request()` given `seconds` in all. requests' timeout bounds each read of the socket, so a server
    sending a byte now and then could hold it for ever: the request runs in a daemon thread, and past the
    deadline the attempt is Transient. The thread is left to the socket's own per-read timeout (set a
    little longer, `read_timeout`, so that the deadline speaks first); an answer that arrives after all is
    closed unread."""
    outcome: list[Any] = []
    finished, abandoned = threading.Event(), threading.Event()

    def run() -> None:
        try:
            outcome.append((True, request()))
            if abandoned.is_set() and hasattr(outcome[0][1], "close"):
                outcome[0][1].close()
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread as it is
            outcome.append((False, error))
        finally:
            finished.set()

    threading.Thread(target=run, name="numerai-request", daemon=True).start()
    if not finished.wait(seconds):
        abandoned.set()
        raise Transient(f"no complete answer within {seconds:g}s ({setting})")
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return cast(T, value)


def read_timeout(seconds: float) -> float:
    """The socket's per-read timeout under a deadline of `seconds`: longer, so that the deadline, which
    names its setting, is what a slow or trickling answer meets."""
    return seconds + 1.0


class Transport:
    """One HTTP session to Numerai (and its storage) that times out, retries within bounds and
    reports honestly; `credentials` None: only calls that need no key."""

    def __init__(self, settings: Settings, credentials: Credentials | None):
        self.settings = settings
        self.credentials = credentials
        if credentials:
            remember_secrets([self.token_of(credentials), credentials.secret_key])
        self.session = requests.Session()

    @staticmethod
    def token_of(credentials: Credentials) -> str:
        return f"{credentials.public_id}${credentials.secret_key}"

    # -- GraphQL -----------------------------------------------------------------------------------

    def raw_query(self, query: str, variables: dict[str, Any] | None = None,
                  authorization: bool = False) -> dict[str, Any]:
        """The answer's payload, as numerapi's raw_query returns it.

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

    def send(self, query: str, variables: dict[str, Any] | None = None, authorization: bool = False) -> dict[str, Any]:
        """One request: the answer's payload, or Transient for a fault worth another attempt."""
        operation = root_field(query)
        headers = {"Content-type": "application/json", "Accept": "application/json"}
        if authorization:
            if not self.credentials:
                raise AuthenticationFailed(
                    f"{operation} needs an API key ==> set {PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE}"
                )
            headers["Authorization"] = f"Token {self.token_of(self.credentials)}"
        body = {"query": query, "variables": variables}
        seconds = self.settings.request_timeout
        try:
            response = within_deadline(seconds, "NUMERAI_REQUEST_TIMEOUT", lambda: self.session.post(
                self.settings.api_url, json=body, headers=headers, timeout=read_timeout(seconds)))
        except TRANSIENT_ERRORS as error:
            raise transient(error) from None
        except requests.RequestException as error:  # a bad URL, say: retrying cannot help
            raise ApiError(f"{operation}: {describe(error)} ==> check NUMERAI_API_URL") from None
        if response.status_code >= 500:
            raise Transient(f"HTTP {response.status_code}")
        return self.payload_of(operation, response)

    @staticmethod
    def payload_of(operation: str, response: requests.Response) -> dict[str, Any]:
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

    @staticmethod
    def data(payload: dict[str, Any], field: str) -> Any:
        data = payload.get("data") or {}
        if field not in data:
            raise GraphQLFailed(f"{field}: Numerai's answer has no {field} ({str(payload)[:200]})")
        return data[field]

    def query_field(self, query: str, variables: dict[str, Any] | None = None, shape: type | None = None, *,
                    authorization: bool = True) -> Any:
        """The answer's root field; with `shape` (dict, str, or list of dicts) an answer of another
        shape is an ApiError naming the call, never a crash further on."""
        field = root_field(query)
        value = self.data(self.raw_query(query, variables, authorization), field)
        if shape is not None and value is not None and not has_shape(value, shape):
            raise GraphQLFailed(f"{field}: Numerai's answer has an unexpected shape "
                                f"({type(value).__name__}: {scrub(str(value)[:80])})")
        return value

    def ask(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """One attempt at a query's root field (for the look-ups inside a retried change)."""
        return self.data(self.send(query, variables, authorization=True), root_field(query))

    def mutate(self, query: str, variables: dict[str, Any], landed: Callable[[], T | None]) -> Any:
        """Send a change, retrying within bounds, but never blindly: after an attempt whose answer
        was lost, the next one first asks `landed()` whether the change happened (its result, or
        None), and sends it again only when it did not."""
        operation = root_field(query)
        sent = False

        def attempt() -> Any:
            nonlocal sent
            if sent:
                found = landed()
                if found is not None:
                    log.info(f"  {operation}: the change did happen, its answer was lost; not sending it again")
                    return found
            sent = True
            return self.data(self.send(query, variables, authorization=True), operation)

        return self.retrying(operation, attempt)

    # -- files behind presigned URLs (they carry their own authorisation: no API token) -------------

    def get(self, url: str, what: str, headers: dict[str, Any] | None = None) -> requests.Response:
        """A streamed GET, retried within bounds on transient faults; the answer, whatever its status
        below 500 (the caller closes it)."""

        def attempt() -> requests.Response:
            seconds = self.settings.request_timeout  # until the headers: the caller reads the body
            response = self.exchange(what, seconds, "NUMERAI_REQUEST_TIMEOUT", lambda: self.session.get(
                url, headers=headers or {}, stream=True, timeout=read_timeout(seconds)))
            if response.status_code >= 500:
                response.close()
                raise Transient(f"HTTP {response.status_code}")
            return response

        return self.retrying(what, attempt)

    def put(self, url: str, content: bytes, what: str) -> requests.Response:
        """A PUT of `content`, retried within bounds on transient faults; the answer, whatever its
        status below 500."""

        def attempt() -> requests.Response:
            seconds = self.settings.upload_timeout
            response = self.exchange(what, seconds, "NUMERAI_UPLOAD_TIMEOUT", lambda: self.session.put(
                url, data=content, timeout=read_timeout(seconds)))
            if response.status_code >= 500:
                raise Transient(f"HTTP {response.status_code}")
            return response

        return self.retrying(what, attempt)

    @staticmethod
    def exchange(what: str, seconds: float, setting: str,
                 request: Callable[[], requests.Response]) -> requests.Response:
        """`request()` within `seconds` (`setting`'s); a network fault is Transient, any other failure to
        send an ApiError."""
        try:
            return within_deadline(seconds, setting, request)
        except TRANSIENT_ERRORS as error:
            raise transient(error) from None
        except requests.RequestException as error:
            raise ApiError(f"{what}: {describe(error)}") from None

    # -- retries -----------------------------------------------------------------------------------

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
            return max(0.0, min(backoff(state), settings.retry_budget - (state.seconds_since_start or 0.0)))

        def counted() -> T:
            nonlocal count
            count += 1
            return attempt()

        def may_heal(error: BaseException) -> bool:
            if not isinstance(error, Transient):
                return False
            if error.unreachable == "dns":
                return False
            return error.unreachable is None or time.monotonic() - started < UNREACHABLE_SECONDS

        retryer = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(settings.retry_attempts)
            | tenacity.stop_after_delay(settings.retry_budget),
            wait=within_budget,
            retry=tenacity.retry_if_exception(may_heal),
            before_sleep=lambda state: self.announce(what, state),
            reraise=True,
        )
        try:
            return retryer(counted)
        except Transient as fault:
            took = f"after {count} attempt(s) in {time.monotonic() - started:.1f}s"
            if fault.unreachable:
                why = "the host name does not resolve" if fault.unreachable == "dns" else "nothing listens there"
                raise TransientFailure(f"{what}: cannot be reached, {why} ({fault.problem}); gave up {took} ==> "
                                       f"{UNREACHABLE_HINT}") from None
            raise TransientFailure(f"{what}: {fault.problem}, gave up {took} ==> {RETRY_HINT}") from None

    def announce(self, what: str, state: tenacity.RetryCallState) -> None:
        """One line per retry: the call, the problem, the wait and the budget left."""
        settings = self.settings
        fault = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0.0
        left = max(0.0, settings.retry_budget - (state.seconds_since_start or 0.0))
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

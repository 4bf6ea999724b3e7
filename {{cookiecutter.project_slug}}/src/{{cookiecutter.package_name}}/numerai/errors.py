"""What can go wrong talking to Numerai; main's error policy turns each into an exit code.

Every message is scrubbed (`logs.scrub`) when the error is made: the API key, the token made of it
and URL query strings (signatures) never reach a report, whoever prints it.
"""

from __future__ import annotations

from ..errors import UsageError, WorkFailed
from ..logs import scrub


class ApiError(WorkFailed):
    """A call to Numerai failed; the message says which call and why. Exit code 1."""

    def __init__(self, message: object = "", *args: object):
        super().__init__(scrub(message), *args)


class AuthenticationFailed(ApiError, UsageError):
    """Numerai rejected the API key: never retried. Exit code 2 (bad input)."""

    exit_code = 2
    label = "error"


class GraphQLFailed(ApiError):
    """Numerai answered with an error for this request: retrying would get the same answer."""


class TransientFailure(ApiError):
    """5xx answers, dropped connections or timeouts outlasted the retries (their attempts or their time)."""


class UploadRejected(ApiError):
    """The storage behind the upload URL refused the file."""

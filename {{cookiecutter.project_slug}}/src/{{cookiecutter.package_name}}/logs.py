"""Logging for the CLI: messages go through `logging`, and one filter scrubs every record.

The filter removes the API key (and the token made of it) and the query string of every URL
(presigned upload and dataset URLs carry their signature there) from the message, its arguments
and any traceback text, whichever handler prints the record. `scrub()` applies the same rules to
any other text that may reach a user (exception messages, reports).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

ROOT = __name__.rpartition(".")[0]
# `?` and everything after it up to the end of the URL: signatures, tokens, expiry.
URL_QUERY = re.compile(r"(?P<url>\b[a-z][a-z0-9+.-]*://[^\s?#'\"<>]+)\?[^\s'\"<>)]*", re.IGNORECASE)
REDACTED = "***"
# A piece of a secret this long is scrubbed too: output cut mid-key (a tail, a line wrapped) shows no part of it.
FRAGMENT = 8

_secrets: list[str] = []
_fragments: set[str] = set()


def remember_secrets(secrets: Iterable[str], *, pieces: bool = True) -> None:
    """Texts `scrub` removes from now on (the API key of this run); with `pieces`, also any run of FRAGMENT
    characters of them (a tail cut mid-key). A text mixing names with secret values (a signed URL's query
    string) is remembered whole only, or its names' pieces would blank the same words everywhere."""
    for secret in secrets:
        if secret and secret not in _secrets:
            _secrets.append(secret)
            if pieces:
                _fragments.update(secret[start:start + FRAGMENT] for start in range(len(secret) - FRAGMENT + 1))
    _secrets.sort(key=len, reverse=True)  # the token before the key it contains


def forget_secrets() -> None:
    """Scrub nothing any more (a process that runs several commands, as tests do, starts each afresh)."""
    _secrets.clear()
    _fragments.clear()


def without_fragments(text: str) -> str:
    """`text` with every run of characters covered by a remembered secret's FRAGMENT-long pieces redacted."""
    covered = bytearray(len(text))
    for start in range(len(text) - FRAGMENT + 1):
        if text[start:start + FRAGMENT] in _fragments:
            covered[start:start + FRAGMENT] = b"\1" * FRAGMENT
    if not any(covered):
        return text
    pieces, start = [], 0
    while start < len(text):
        end = start
        while end < len(text) and covered[end] == covered[start]:
            end += 1
        pieces.append(REDACTED if covered[start] else text[start:end])
        start = end
    return "".join(pieces)


def scrub(text: object) -> str:
    # Printable whatever it holds: a lone surrogate would make the print itself fail.
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    if _fragments:
        text = without_fragments(text)
    return URL_QUERY.sub(lambda match: f"{match.group('url')}?{REDACTED}", text)


class ScrubFilter(logging.Filter):
    """Rewrites each record's text through `scrub` before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def get_logger(name: str) -> logging.Logger:
    """A module's logger: `get_logger(__name__)`."""
    return logging.getLogger(name)


class CliHandler(logging.StreamHandler):  # type: ignore[type-arg]  # subscripted only from Python 3.11
    """A stream handler that lets a closed pipe end the command (main.py) instead of printing
    logging's "--- Logging error ---" traceback for every message after it."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if isinstance(sys.exc_info()[1], BrokenPipeError):
            raise  # the BrokenPipeError being handled
        super().handleError(record)


def configure(stream: TextIO | None = None, *, debug: bool = False, secrets: Iterable[str] = ()) -> None:
    """Send the package's messages (and, with debug, everyone's) to `stream`, scrubbed, as plain lines."""
    remember_secrets(secrets)
    handler = CliHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(ScrubFilter())
    for name in (ROOT, ""):
        logger = logging.getLogger(name)
        for old in [old for old in logger.handlers if getattr(old, "numerai_cli", False)]:
            logger.removeHandler(old)
    handler.numerai_cli = True  # type: ignore[attr-defined]  # marks our handlers for the next configure()
    logger = logging.getLogger(ROOT if not debug else "")
    logger.addHandler(handler)
    if not debug:
        # numerapi calls logging.basicConfig() when a client is made, which would print every message
        # a second time through a root handler of its own; a root that has a handler is left alone.
        quiet = logging.NullHandler()
        quiet.numerai_cli = True  # type: ignore[attr-defined]
        logging.getLogger("").addHandler(quiet)
    logging.getLogger(ROOT).setLevel(logging.DEBUG if debug else logging.INFO)
    if debug:
        logging.getLogger("").setLevel(logging.DEBUG)

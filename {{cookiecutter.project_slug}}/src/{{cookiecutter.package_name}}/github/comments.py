"""One pull-request comment per pull request, edited in place on every push: found again by a hidden
marker in its body, never posted twice."""

from __future__ import annotations

from typing import Any, cast

from .api import GitHub

MARKER = "<!-- numerai-gitops:plan -->"
MAX_BODY = 65000  # GitHub refuses longer comment bodies (65536 characters)
MOST_COMMENTS = 1000


def find(github: GitHub, number: int) -> dict[str, Any] | None:
    """The pull request's comment that carries the marker, if there is one."""
    for comment in github.pages(f"/issues/{number}/comments", MOST_COMMENTS):
        if MARKER in (comment.get("body") or ""):
            return cast("dict[str, Any]", comment)
    return None


def upsert(github: GitHub, number: int, text: str | None) -> str:
    """Write `text` into the pull request's one comment: edit it, or create it; `text` None only edits
    an existing one (a push whose plan builds nothing must not start a conversation)."""
    existing = find(github, number)
    body = None if text is None else f"{MARKER}\n{text}"[:MAX_BODY]
    if existing is None:
        if body is None:
            return "no comment to update"
        created = github.comment(number, body)
        return f"commented on #{number} (comment {created.get('id')})"
    if body is None:
        body = f"{MARKER}\n### Numerai plan\n\nNothing to build: no slot's fingerprint changed against the base branch."
    github.call("PATCH", f"/issues/comments/{existing['id']}", {"body": body})
    return f"updated the comment on #{number} (comment {existing['id']})"

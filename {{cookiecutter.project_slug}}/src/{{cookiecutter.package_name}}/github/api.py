"""A small client of GitHub's REST API (urllib): JSON in and out, errors that say which call failed.

In GitHub Actions GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN say where and as whom; on a
laptop the GitHub CLI's login (`gh auth token`) and the repository it sees stand in for the last two.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any, cast

DEFAULT_API_URL = "https://api.github.com"
TIMEOUT = 30
PER_PAGE = 100


class GitHubError(Exception):
    """A call to GitHub failed; the message names the call and GitHub's answer (`status`: its HTTP status)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class NotConfigured(GitHubError):
    """Neither the environment nor the GitHub CLI says which repository, or as whom."""


class GitHub:
    """Calls under /repos/OWNER/NAME with a token."""

    def __init__(self, api_url: str, repository: str, token: str):
        self.base = f"{api_url.rstrip('/')}/repos/{repository}"
        self.repository = repository
        self.token = token

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, **query: Any) -> Any:
        """The answer's JSON (None when empty); `query` becomes the query string."""
        url = self.base + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "numerai-gitops",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (the API's URL)
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:300]
            raise GitHubError(f"{method} {path}: HTTP {error.code}: {detail}", error.code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise GitHubError(f"{method} {path}: {getattr(error, 'reason', error)}") from None
        return json.loads(text) if text else None

    def pages(self, path: str, most: int, **query: Any) -> list[Any]:
        """Up to `most` items of a listing, page by page, in GitHub's order."""
        found: list[Any] = []
        page = 1
        while len(found) < most:
            items = self.call("GET", path, per_page=PER_PAGE, page=page, **query) or []
            found += items
            if len(items) < PER_PAGE:
                break
            page += 1
        return found[:most]

    def open_issues(self, most: int) -> list[dict[str, Any]]:
        """Up to `most` open issues, newest first (GitHub lists pull requests among them)."""
        return self.pages("/issues", most, state="open")

    def create_issue(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        return cast("dict[str, Any]", self.call("POST", "/issues", {"title": title, "body": body, "labels": labels}))

    def update_issue(self, number: int, **fields: Any) -> dict[str, Any]:
        """Change an issue's title, body or state (`state="closed"` closes it)."""
        return cast("dict[str, Any]", self.call("PATCH", f"/issues/{number}", fields))

    def comment(self, number: int, body: str) -> dict[str, Any]:
        """A new comment on an issue or pull request."""
        return cast("dict[str, Any]", self.call("POST", f"/issues/{number}/comments", {"body": body}))


def gh(*args: str) -> str:
    """The GitHub CLI's answer, or "" when it is missing or fails (a laptop without it)."""
    if shutil.which("gh") is None:
        return ""
    result = subprocess.run(["gh", *args], capture_output=True, text=True, timeout=TIMEOUT)
    return result.stdout.strip() if result.returncode == 0 else ""


def connect(environ: Mapping[str, str], repository: str | None = None) -> GitHub:
    """The repository of this run: the environment's (GitHub Actions: `environ`, the process environment
    the entry point read), else the GitHub CLI's."""
    token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or gh("auth", "token")
    repository = (repository or environ.get("GITHUB_REPOSITORY")
                  or gh("repo", "view", "--json", "nameWithOwner", "--jq", ".nameWithOwner"))
    missing = [name for name, value in (("GITHUB_TOKEN", token), ("GITHUB_REPOSITORY", repository)) if not value]
    if missing:
        raise NotConfigured(f"{' and '.join(missing)} not set ==> in GitHub Actions pass `github.token`; on a laptop "
                          "log in with `gh auth login` in the repository's folder")
    return GitHub(environ.get("GITHUB_API_URL") or DEFAULT_API_URL, repository, token)

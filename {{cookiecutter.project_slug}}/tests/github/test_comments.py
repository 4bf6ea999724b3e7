"""The pull request's one comment against the GitHub stand-in: created on the first run, edited (never
duplicated) on the next, found again by its marker; a plan that builds nothing only edits an existing one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from github_standin import GitHubStandIn

from conftest import PACKAGE, REPO_ROOT

REPOSITORY, TOKEN = "octo/models", "ghs_test-token-never-shown-c0mm"
MARKER = "<!-- numerai-gitops:plan -->"


@pytest.fixture
def github():
    with GitHubStandIn(repository=REPOSITORY, token=TOKEN) as standin:
        yield standin


def comment(github, number, *args) -> subprocess.CompletedProcess:
    environment = {**os.environ, "GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPOSITORY,
                   "GITHUB_TOKEN": TOKEN, "PYTHONPATH": str(REPO_ROOT / "src")}
    result = subprocess.run([sys.executable, "-S", "-m", f"{PACKAGE}.github", "comment", "--number", str(number),
                             *map(str, args)], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_one_comment_created_then_updated_in_place(github, tmp_path):
    number = github.add_pull_request()
    body = tmp_path / "comment.md"

    body.write_text("### Numerai plan\n\nfirst push\n")
    first = comment(github, number, "--body-file", body, "--sha", "aaaa111")
    body.write_text("### Numerai plan\n\nsecond push\n")
    second = comment(github, number, "--body-file", body, "--sha", "bbbb222")

    [only] = github.comments_on(number)
    assert "commented on #" in first.stdout and "updated the comment" in second.stdout
    assert only["body"].startswith(MARKER) and "second push" in only["body"] and "first push" not in only["body"]
    assert "bbbb222" in only["body"]
    assert github.requests.count(f"POST /repos/{REPOSITORY}/issues/{number}/comments") == 1


def test_other_comments_are_left_alone(github, tmp_path):
    number = github.add_pull_request()
    github.handle("POST", f"/repos/{REPOSITORY}/issues/{number}/comments", {"body": "Looks good to me"})
    body = tmp_path / "comment.md"
    body.write_text("plan\n")

    comment(github, number, "--body-file", body)
    comment(github, number, "--body-file", body)

    bodies = [item["body"] for item in github.comments_on(number)]
    assert bodies[0] == "Looks good to me" and len(bodies) == 2 and bodies[1].startswith(MARKER)


def test_a_plan_without_builds_only_edits_an_existing_comment(github, tmp_path):
    number = github.add_pull_request()
    missing = tmp_path / "none.md"

    assert "no comment to update" in comment(github, number, "--body-file", missing).stdout
    assert github.comments_on(number) == []

    (tmp_path / "plan.md").write_text("a build\n")
    comment(github, number, "--body-file", tmp_path / "plan.md")
    comment(github, number, "--body-file", missing)
    [only] = github.comments_on(number)
    assert "Nothing to build" in only["body"] and only["body"].startswith(MARKER)

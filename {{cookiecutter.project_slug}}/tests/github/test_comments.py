"""The pull request's one comment against the GitHub stand-in: created on the first run, edited (never
duplicated) on the next, found again by its marker; a plan that builds nothing only edits an existing one."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.github.comments import MARKER

import github_jobs
from github_jobs import REPOSITORY

github, github_module = github_jobs.github, github_jobs.github_module


@pytest.fixture
def comment(github_module):
    def run(number, *args):
        result = github_module("comment", "--number", number, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    return run


def test_one_comment_created_then_updated_in_place(github, comment, tmp_path):
    number = github.add_pull_request()
    body = tmp_path / "comment.md"

    body.write_text("### Numerai plan\n\nfirst push\n")
    first = comment(number, "--body-file", body, "--sha", "aaaa111")
    body.write_text("### Numerai plan\n\nsecond push\n")
    second = comment(number, "--body-file", body, "--sha", "bbbb222")

    [only] = github.comments_on(number)
    assert "commented on #" in first.stdout and "updated the comment" in second.stdout
    assert only["body"].startswith(MARKER) and "second push" in only["body"] and "first push" not in only["body"]
    assert "bbbb222" in only["body"]
    assert github.requests.count(f"POST /repos/{REPOSITORY}/issues/{number}/comments") == 1


def test_other_comments_are_left_alone(github, comment, tmp_path):
    number = github.add_pull_request()
    github.respond("POST", f"/repos/{REPOSITORY}/issues/{number}/comments", {"body": "Looks good to me"})
    body = tmp_path / "comment.md"
    body.write_text("plan\n")

    comment(number, "--body-file", body)
    comment(number, "--body-file", body)

    bodies = [item["body"] for item in github.comments_on(number)]
    assert bodies[0] == "Looks good to me" and len(bodies) == 2 and bodies[1].startswith(MARKER)


def test_a_plan_without_builds_only_edits_an_existing_comment(github, comment, tmp_path):
    number = github.add_pull_request()
    missing = tmp_path / "none.md"

    assert "no comment to update" in comment(number, "--body-file", missing).stdout
    assert github.comments_on(number) == []

    (tmp_path / "plan.md").write_text("a build\n")
    comment(number, "--body-file", tmp_path / "plan.md")
    comment(number, "--body-file", missing)
    [only] = github.comments_on(number)
    assert "Nothing to build" in only["body"] and only["body"].startswith(MARKER)

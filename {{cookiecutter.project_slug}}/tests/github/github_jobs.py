"""Fixtures of the github/ tests (a test module takes them by assignment, as leak_scan's): the GitHub
stand-in, and the package's github/ layer run as a workflow job runs it: `python3 -m <package>.github`,
src/ on the path and no site-packages (nothing installed), GITHUB_* set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from github_standin import GitHubStandIn

from conftest import PACKAGE, REPO_ROOT

REPOSITORY, TOKEN, COMMIT = "octo/models", "ghs_test-token-never-shown-77aa", "0123456789abcdef0123"


@pytest.fixture
def github():
    with GitHubStandIn(repository=REPOSITORY, token=TOKEN) as standin:
        yield standin


def run_module(github: GitHubStandIn, *args, **overrides: str) -> subprocess.CompletedProcess:
    """`python3 -S -m <package>.github ARGS` against the stand-in; its output is checked for the token."""
    variables = {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": TOKEN,
                 "GITHUB_SHA": COMMIT, "PYTHONPATH": str(REPO_ROOT / "src")}
    command = [sys.executable, "-S", "-m", f"{PACKAGE}.github", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **variables, **overrides})
    assert TOKEN not in done.stdout + done.stderr
    return done


@pytest.fixture
def github_module(github):
    """run_module against this test's stand-in."""
    return lambda *args, **overrides: run_module(github, *args, **overrides)

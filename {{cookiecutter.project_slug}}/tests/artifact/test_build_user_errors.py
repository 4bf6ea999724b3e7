"""An exception raised by the user's training code is theirs: their file and line first, exit 1; --debug
shows the whole traceback, the training child's included."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}.custom

from conftest import PACKAGE

BAD_MODEL = '''
def helper(frame):
    raise ValueError("alpha must be positive")


def train(frame, features, target, params):
    return helper(frame)
'''

SPEC = """
    slot: bad_model
    runtime: "3.12"
    data: {feature_set: small, era_step: 4}
    model:
      type: custom
      entry_point: ENTRY
"""


@pytest.fixture
def bad_repo(make_repo) -> Iterator[tuple[Path, str]]:
    """A repository whose spec trains with BAD_MODEL, a module of the package's custom/ for as long as the
    test lasts: (the repository, the module's file name)."""
    module = f"bad_{uuid.uuid4().hex[:8]}"
    path = Path({{ cookiecutter.package_name }}.custom.__file__).with_name(f"{module}.py")
    path.write_text(BAD_MODEL)
    try:
        yield make_repo({"bad.yaml": SPEC.replace("ENTRY", f"{PACKAGE}.custom.{module}:train")}), path.name
    finally:
        path.unlink()


def test_an_error_in_the_users_training_code_names_their_file_and_line(bad_repo, cli):
    root, file_name = bad_repo
    result = cli("build", "--synthetic", "--no-check", cwd=root)
    assert result.returncode == 1, result.stderr
    [first] = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert first.startswith('failed: File "') and f'{file_name}", line 3, in helper ==> ValueError: alpha must be ' \
        "positive ==> raised by your code (custom entry point" in first
    assert "this is a bug" not in result.stderr and "Traceback (most recent call last)" not in result.stderr
    listing = result.stderr.split("Traceback of your code (most recent call last):")[1]
    assert "in train" in listing and "in helper" in listing and "estimators.py" not in listing

    debug = cli("build", "--synthetic", "--no-check", "--debug", cwd=root)
    assert debug.returncode == 1
    # The training child's own traceback, through the pipeline's frames to the user's.
    assert "Traceback (most recent call last)" in debug.stderr and "fit_custom" in debug.stderr

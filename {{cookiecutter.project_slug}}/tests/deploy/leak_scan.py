"""Fixtures for deploy's tests: every text a test's runs print and every file they write is scanned,
after the test, for the secret key and for every upload URL signature the Numerai stand-in handed out.

A test module takes them by naming them (nothing_leaks is autouse):
    numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks
Not a conftest.py: the tests import helpers from tests/conftest.py by that module name.
"""

from __future__ import annotations

import pytest

from conftest import STANDIN_SECRET_KEY


@pytest.fixture
def outputs() -> list[str]:
    """What the test's runs printed: in-process runs add theirs; a test adds its subprocesses' output."""
    return []


@pytest.fixture
def numerai_cli(numerai_cli, outputs):
    """tests/conftest.py's numerai_cli, keeping what each run printed for the leak scan."""

    def run(*args):
        result = numerai_cli(*args)
        outputs.extend([result.out, result.err])
        return result

    return run


def leaks(texts: dict[str, bytes], secrets: list[str]) -> list[str]:
    return [
        f"{where} shows {'the secret key' if secret == STANDIN_SECRET_KEY else 'signature ' + secret[:8] + '...'}"
        for where, text in texts.items()
        for secret in secrets
        if secret.encode() in text
    ]


@pytest.fixture(autouse=True)
def nothing_leaks(request, tmp_path, outputs):
    """After the test: neither the key nor a signature in any output, the step summary or any file
    under the test's folder (the repository, dist/, the stand-in's state file)."""
    numerai = request.getfixturevalue("numerai") if "numerai" in request.fixturenames else None
    yield
    if numerai is None:
        return
    secrets = [STANDIN_SECRET_KEY, *numerai.signatures]
    texts = {f"output #{number}": text.encode() for number, text in enumerate(outputs)}
    texts.update({str(path): path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()})
    found = leaks(texts, secrets)
    assert not found, "; ".join(found)  # (no assertion rewriting outside test modules)

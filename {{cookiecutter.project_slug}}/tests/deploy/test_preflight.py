"""preflight against the Numerai stand-in: a missing, rejected or upload-less key fails in seconds with
the `gh secret set` lines (as one GitHub annotation), a working key passes, Numerai down is a warning.
One wording of the key page and scopes everywhere: numerai.credentials."""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.numerai import credentials

import leak_scan
from conftest import PACKAGE, REPO_ROOT

numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks

SECRET_LINES = [f"gh secret set {name} --repo owner/models" for name in ("NUMERAI_PUBLIC_ID", "NUMERAI_SECRET_KEY")]


def annotations(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("::")]


def preflight(numerai_cli, *more):
    return numerai_cli("preflight", "--annotate", "--repository", "owner/models", *more)


def test_a_working_key_with_the_upload_scope_passes(numerai, numerai_cli, numerai_env):
    result = preflight(numerai_cli)

    assert result.code == 0, result.out + result.err
    assert "ok: the key of account standin works and has the upload_submission scope" in result.out
    assert numerai.operations() == ["apiTokenInfo"]
    assert annotations(result.out) == ["::notice title=Numerai API key::the key of account standin works and "
                                       "has the upload_submission scope"]


@pytest.mark.parametrize("case", ["missing", "half", "rejected", "no upload scope"])
def test_a_key_that_cannot_deploy_fails_with_one_annotation_holding_the_fix(numerai, numerai_cli, numerai_env,
                                                                             monkeypatch, case):
    if case == "missing":
        monkeypatch.setenv("NUMERAI_PUBLIC_ID", "")
        monkeypatch.setenv("NUMERAI_SECRET_KEY", "")
    elif case == "half":
        monkeypatch.setenv("NUMERAI_SECRET_KEY", "")
    elif case == "rejected":
        monkeypatch.setenv("NUMERAI_SECRET_KEY", "wrong-secret-value-1234")
    else:
        numerai.scopes = ("read_user_info",)

    started = time.monotonic()
    result = preflight(numerai_cli)

    assert result.code == 2, result.out + result.err
    assert time.monotonic() - started < 10
    [line] = annotations(result.out)
    assert line.startswith("::error title=Numerai API key::")
    message = line.split("::", 2)[2].split("%0A")
    assert message[2:4] == SECRET_LINES  # the exact lines to run, each on a line of its own
    assert credentials.KEY_PAGE in message[1] and credentials.KEY_SCOPES in message[1]
    assert "\n" not in line and "wrong-secret-value-1234" not in result.out + result.err
    summary = Path(numerai_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "```sh\n" + "\n".join(SECRET_LINES) + "\n```" in summary
    expected = {"missing": "are not set", "half": "NUMERAI_SECRET_KEY is not set", "rejected": "rejected the API key",
                "no upload scope": "lacks the upload_submission scope (it has: read_user_info)"}[case]
    assert expected in message[0]


def test_a_dry_run_may_go_on_without_a_key(numerai, numerai_cli, numerai_env, monkeypatch):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", "")
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "")

    result = preflight(numerai_cli, "--allow-missing")

    assert result.code == 0
    assert [line.split("::")[1] for line in annotations(result.out)] == ["warning title=Numerai API key"]


def test_numerai_not_answering_is_a_warning_within_seconds(numerai_cli, numerai_env, monkeypatch):
    monkeypatch.setenv("NUMERAI_API_URL", "http://127.0.0.1:9/graphql")  # nothing listens there
    monkeypatch.setenv("NUMERAI_RETRY_BUDGET", "600")  # the preflight keeps its own, short budget

    started = time.monotonic()
    result = preflight(numerai_cli)

    assert result.code == 0, result.out + result.err
    assert time.monotonic() - started < 20
    assert "::warning title=Numerai API key::Numerai did not answer whether the key works" in result.out


def test_the_environment_is_named_in_the_lines_when_deploys_run_in_one(numerai_cli, numerai_env, monkeypatch):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", "")
    result = numerai_cli("preflight", "--environment", "numerai")
    assert "gh secret set NUMERAI_SECRET_KEY --env numerai" in result.err


KEY_WORDING = re.compile(r"API keys|Custom API|Account\s*[>→]|upload_submission|read_user_info|read_submission_info")


def message_texts(path: Path):
    """(line, text) of every string in a module's code, its docstrings left out."""
    tree = ast.parse(path.read_text())
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree) if isinstance(node, documented)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_the_key_page_and_scopes_have_one_wording():
    """The page and the scopes are written in numerai/credentials.py only (messages import them); the
    README says them in the same words."""
    package = REPO_ROOT / "src" / PACKAGE
    elsewhere = [f"{path.relative_to(package)}:{line}: {text}"
                 for path in sorted(package.rglob("*.py")) if path.name != "credentials.py"
                 for line, text in message_texts(path) if KEY_WORDING.search(text)]
    assert elsewhere == []
    readme = " ".join((REPO_ROOT / "README.md").read_text().split())
    assert credentials.KEY_PAGE in readme and credentials.KEY_SCOPES in readme
    assert len(re.findall(r"Account\s*[>→]", readme)) == readme.count(credentials.KEY_PAGE)  # no other page named

"""github-setup with a stand-in `gh` on PATH that records each call (its arguments and stdin): the
repository is created, the key goes to `gh secret set` on stdin only (never in an argument or an
output), workflows may open pull requests, main is pushed; run again, it creates nothing and starts the
deploy workflow; a dry run prints the commands with the key masked and runs none."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import LIGHTGBM_SPEC, REPO_ROOT, STANDIN_PUBLIC_ID, STANDIN_SECRET_KEY

# The stand-in: records {argv, stdin} per call; `repo create` adds the `origin` remote gh would add
# (a bare repository here); `auth status` answers as its environment says.
FAKE_GH = """#!PYTHON
import json, os, subprocess, sys
args = sys.argv[1:]
stdin = sys.stdin.read() if args[:2] == ["secret", "set"] else None
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(dict(argv=args, stdin=stdin)) + "\\n")
if args[:2] == ["auth", "status"]:
    sys.exit(0 if os.environ.get("FAKE_GH_LOGGED_IN", "1") == "1" else 1)
if args[:2] == ["repo", "create"]:
    subprocess.run(["git", "remote", "add", "origin", os.environ["FAKE_GH_REMOTE"]], check=True)
    print("Created repository someone/" + args[2] + " on GitHub")
if args[:2] == ["secret", "set"]:
    print("Set Actions secret " + args[2])
"""


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args], cwd=root,
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture
def fake_gh(tmp_path, monkeypatch):
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    (folder / "gh").write_text(FAKE_GH.replace("PYTHON", sys.executable, 1))
    (folder / "gh").chmod(0o755)
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    log = tmp_path / "gh-calls.jsonl"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_LOG", str(log))
    monkeypatch.setenv("FAKE_GH_REMOTE", str(remote))

    def calls() -> list[dict]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return calls, remote


@pytest.fixture
def repository(make_repo) -> Path:
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC})
    shutil.copytree(REPO_ROOT / ".github", root / ".github")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Baked")
    return root


def secret_calls(calls: list[dict]) -> dict[str, str]:
    return {call["argv"][2]: call["stdin"] for call in calls if call["argv"][:2] == ["secret", "set"]}


def test_setup_creates_stores_the_key_on_stdin_allows_pull_requests_and_pushes(fake_gh, repository, numerai,
                                                                                numerai_cli, numerai_env):
    calls, remote = fake_gh

    result = numerai_cli("github-setup", "--repo", repository)

    assert result.code == 0, result.out + result.err
    made = calls()
    commands = [" ".join(call["argv"][:2]) for call in made]
    assert commands == ["auth status", "repo create", "secret set", "secret set", "api --method"]
    assert made[1]["argv"] == ["repo", "create", repository.name, "--private", "--source", ".", "--remote", "origin"]
    assert secret_calls(made) == {"NUMERAI_PUBLIC_ID": STANDIN_PUBLIC_ID, "NUMERAI_SECRET_KEY": STANDIN_SECRET_KEY}
    assert "repos/{owner}/{repo}/actions/permissions/workflow" in made[4]["argv"]
    assert "let workflows open and approve pull requests" in result.out
    assert "can_approve_pull_request_reviews=true" in made[4]["argv"]
    # The key: on stdin only, never in an argument or an output.
    for call in made:
        assert not any(STANDIN_SECRET_KEY in argument for argument in call["argv"])
    assert STANDIN_SECRET_KEY not in result.out + result.err
    # main reached the remote: the push that starts the deploy workflow.
    assert git(remote, "rev-parse", "main") == git(repository, "rev-parse", "HEAD")
    assert "push main: the push starts the deploy workflow" in result.out
    assert numerai.operations() == ["apiTokenInfo"]  # the key was checked before it was stored


def test_run_again_it_creates_nothing_and_starts_the_deploy(fake_gh, repository, numerai_cli, numerai_env):
    calls, _remote = fake_gh
    assert numerai_cli("github-setup", "--repo", repository).code == 0
    before = len(calls())

    again = numerai_cli("github-setup", "--repo", repository)

    assert again.code == 0, again.out + again.err
    later = [call["argv"] for call in calls()[before:]]
    assert not any(argv[:2] == ["repo", "create"] for argv in later)
    assert later[-1] == ["workflow", "run", "deploy.yml", "--ref", "main"]
    assert sorted(secret_calls(calls()[before:])) == ["NUMERAI_PUBLIC_ID", "NUMERAI_SECRET_KEY"]


def test_a_dry_run_prints_the_commands_with_the_key_masked_and_runs_none(fake_gh, repository, numerai_cli,
                                                                         numerai_env):
    calls, _remote = fake_gh

    result = numerai_cli("github-setup", "--repo", repository, "--dry-run")

    assert result.code == 0, result.err
    assert [call["argv"] for call in calls()] == [["auth", "status"]]  # asked, nothing changed
    assert f"$ gh repo create {repository.name} --private --source . --remote origin" in result.out
    assert "$ gh secret set NUMERAI_SECRET_KEY   # value on stdin: ****" in result.out
    assert "$ git push -u origin main" in result.out
    assert STANDIN_SECRET_KEY not in result.out + result.err and STANDIN_PUBLIC_ID not in result.out


def test_the_environment_gets_the_secrets_when_the_deploy_job_runs_in_one(fake_gh, repository, numerai_cli,
                                                                          numerai_env):
    calls, _remote = fake_gh
    workflow = repository / ".github" / "workflows" / "deploy.yml"
    text = workflow.read_text()
    if "    environment: numerai\n" not in text:  # a bake with use_deploy_environment: no
        workflow.write_text(text.replace("    concurrency:\n      group: numerai-deploy",
                                         "    environment: numerai\n    concurrency:\n      group: numerai-deploy", 1))

    assert numerai_cli("github-setup", "--repo", repository).code == 0

    made = [call["argv"] for call in calls()]
    assert ["api", "--method", "PUT", "repos/{owner}/{repo}/environments/numerai"] in made
    assert all(argv[-2:] == ["--env", "numerai"] for argv in made if argv[:2] == ["secret", "set"])


@pytest.mark.parametrize("case", ["rejected key", "no key and no terminal", "not logged in", "branch master"])
def test_what_cannot_work_stops_before_anything_is_stored(fake_gh, repository, numerai_cli, numerai_env, monkeypatch,
                                                          case):
    calls, _remote = fake_gh
    if case == "rejected key":
        monkeypatch.setenv("NUMERAI_SECRET_KEY", "wrong-secret-value-5678")
    elif case == "no key and no terminal":
        monkeypatch.delenv("NUMERAI_PUBLIC_ID")
        monkeypatch.delenv("NUMERAI_SECRET_KEY")
    elif case == "not logged in":
        monkeypatch.setenv("FAKE_GH_LOGGED_IN", "0")
    else:
        git(repository, "branch", "-m", "main", "master")

    result = numerai_cli("github-setup", "--repo", repository)

    assert result.code == 2
    expected = {"rejected key": "authentication failed): not stored", "not logged in": "gh auth login",
                "no key and no terminal": "no terminal to ask for it ==> export NUMERAI_PUBLIC_ID",
                "branch master": "git branch -m master main"}[case]
    assert expected in result.err
    assert secret_calls(calls()) == {} and "wrong-secret-value-5678" not in result.out + result.err


def test_the_repository_is_created_under_the_owner_the_bake_named(fake_gh, repository, numerai_cli, numerai_env):
    calls, _remote = fake_gh
    pyproject = repository / "pyproject.toml"
    pyproject.write_text('[tool.numerai-deploy]\ngithub-owner = "alpha-org"\n')
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "owner")
    result = numerai_cli("github-setup", "--repo", repository, "--dry-run")
    assert result.code == 0, result.err
    assert f"$ gh repo create alpha-org/{repository.name} --private --source . --remote origin" in result.out
    # The bake's placeholder names nobody: gh's own account.
    pyproject.write_text('[tool.numerai-deploy]\ngithub-owner = "your-github-user"\n')
    git(repository, "commit", "-q", "-am", "placeholder")
    result = numerai_cli("github-setup", "--repo", repository, "--dry-run")
    assert f"$ gh repo create {repository.name} --private" in result.out


def test_a_dry_run_reports_a_missing_gh_and_specs_a_push_would_leave_behind(repository, numerai_cli, numerai_env,
                                                                             tmp_path, monkeypatch):
    tools = tmp_path / "no-gh"
    tools.mkdir()
    (tools / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(tools))
    (repository / "models" / "new.yaml").write_text(LIGHTGBM_SPEC.replace("gbm_model", "new_model"))
    spec = repository / "models" / "gbm.yaml"
    spec.write_text(spec.read_text() + "# edited\n")

    result = numerai_cli("github-setup", "--repo", repository, "--dry-run")

    assert result.code == 2
    assert "$ git push -u origin main" in result.out  # the steps are still listed
    assert "error: github-setup would stop here: the GitHub CLI `gh` is not installed" in result.err
    assert "not committed, so a push would leave them behind: models/gbm.yaml, models/new.yaml" in result.err

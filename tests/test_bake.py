"""Baking: every answer reaches the baked repo, nothing is left unrendered, switches prune files."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from answers import ANSWER_SETS, CHANGED
from baking import TEMPLATE, bake

# Jinja left behind: `{{` not preceded by `$` (GitHub's `${{ }}` must survive), `{%`, `{#`, or a
# cookiecutter variable name.
UNRENDERED = re.compile(r"(?<!\$)\{\{|\{%|\{#|cookiecutter\.")
SHARED_RUNTIMES = TEMPLATE.parent / "shared" / "numerai-predict"


def text_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


@pytest.fixture(scope="module", params=sorted(ANSWER_SETS))
def baked(request, tmp_path_factory) -> tuple[str, Path]:
    return request.param, bake(tmp_path_factory.mktemp(request.param), **ANSWER_SETS[request.param])


def test_defaults_bake_numerai_models(tmp_path):
    repo = bake(tmp_path)
    assert repo == tmp_path / "numerai-models"
    assert (repo / "src" / "numerai_models" / "main.py").exists()
    assert (repo / "models" / "my_model.yaml").exists()


def test_no_file_keeps_unrendered_jinja(baked):
    _, repo = baked
    leftovers = [f"{path.relative_to(repo)}:{number}: {line.strip()}"
                 for path, text in text_files(repo)
                 for number, line in enumerate(text.splitlines(), 1) if UNRENDERED.search(line)]
    assert leftovers == []


def test_no_file_or_folder_name_keeps_jinja(baked):
    _, repo = baked
    assert [path for path in repo.rglob("*") if "{" in path.name or "}" in path.name] == []


def test_github_expressions_survive_baking(baked):
    _, repo = baked
    sources = [text for _, text in text_files(TEMPLATE / "{{cookiecutter.project_slug}}" / ".github")]
    baked_texts = [text for _, text in text_files(repo / ".github")]
    expected = sum(text.count("${{") for text in sources)
    assert expected > 0, "the workflows use GitHub expressions"
    assert sum(text.count("${{") for text in baked_texts) == expected


def test_changed_answers_reach_the_baked_repo(tmp_path):
    repo = bake(tmp_path, **CHANGED)
    assert repo.name == "alpha-signals"
    spec = (repo / "models" / "alpha_v1.yaml").read_text()
    assert "slot: alpha_v1" in spec and f"version: {CHANGED['data_version']}" in spec and "feature_set: medium" in spec
    assert (repo / "src" / "alpha_models").is_dir()
    assert 'numerai-deploy = "alpha_models.main:main"' in (repo / "pyproject.toml").read_text()
    assert (repo / "datasets" / f"{CHANGED['data_version']}.json").exists()
    workflows = "\n".join(text for _, text in text_files(repo / ".github"))
    assert "30 2 * * 1-5" in workflows
    assert "alpha-org" in (repo / "README.md").read_text()


def test_the_data_version_answers_are_the_vendored_versions_the_current_one_first():
    """cookiecutter.json offers the versions of datasets/, the one marked current as the default."""
    choices = json.loads((TEMPLATE / "cookiecutter.json").read_text())["data_version"]
    folder = TEMPLATE / "{{cookiecutter.project_slug}}" / "datasets"
    statuses = {path.stem: json.loads(path.read_text())["status"] for path in folder.glob("v*.json")}
    assert sorted(choices) == sorted(statuses)
    assert statuses[choices[0]] == "current"


def git(repo: Path, *args: str, env: dict | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, check=True)
    return result.stdout.strip()


def test_a_default_bake_is_a_repository_on_main_with_one_commit_of_every_file(tmp_path):
    repo = bake(tmp_path)
    assert git(repo, "rev-parse", "--show-toplevel") == str(repo.resolve())
    assert git(repo, "symbolic-ref", "--short", "HEAD") == "main"  # what the workflows' `branches: [main]` name
    assert git(repo, "rev-list", "--count", "HEAD") == "1"
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert "models/my_model.yaml" in git(repo, "ls-files").splitlines()


def test_a_dotenv_file_with_keys_is_ignored_by_git(tmp_path):
    repo = bake(tmp_path)
    for name in (".env", ".env.local"):
        (repo / name).write_text("NUMERAI_SECRET_KEY=not-a-real-key\n", encoding="utf-8")
    ignored = subprocess.run(["git", "-C", str(repo), "check-ignore", ".env", ".env.local"], capture_output=True,
                             text=True)
    assert ignored.stdout.split() == [".env", ".env.local"], ignored.stdout + ignored.stderr
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True)
    assert ".env" not in status.stdout


def test_the_first_commit_needs_no_git_identity(tmp_path, monkeypatch):
    """A machine without user.name/user.email (a fresh install, a CI runner) still gets its commit."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    repo = bake(tmp_path, github_owner="alpha-org")
    assert git(repo, "log", "-1", "--format=%an <%ae>") == "alpha-org <alpha-org@users.noreply.github.com>"


def test_a_configured_identity_is_kept(tmp_path, monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Ada\n\temail = ada@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    repo = bake(tmp_path / "out")
    assert git(repo, "log", "-1", "--format=%an <%ae>") == "Ada <ada@example.com>"


def test_init_git_no_leaves_a_plain_folder(tmp_path):
    assert not (bake(tmp_path, init_git="no") / ".git").exists()


def test_examples_are_removed_when_turned_off(tmp_path):
    assert (bake(tmp_path / "on") / "examples" / "ensemble.yaml").exists()
    assert not (bake(tmp_path / "off", include_examples="no") / "examples").exists()


@pytest.mark.skipif(not SHARED_RUNTIMES.is_dir(), reason="needs ../shared/numerai-predict beside the template")
def test_runtime_locks_are_numerai_predicts_own(baked):
    _, repo = baked
    catalogue = json.loads((repo / "runtimes" / "catalogue.json").read_text())["runtimes"]
    assert sum(entry["default"] for entry in catalogue) == 1
    for entry in catalogue:
        vendored = (repo / "runtimes" / entry["lock"]).read_text().splitlines()
        # Pins are keyed by runtime and tag: the lock of the commit the image was built from.
        assert entry["lock"] == f"py{entry['python']}-{entry['tag']}.txt"
        source = (SHARED_RUNTIMES / entry["tag"] / f"py{entry['python']}.txt").read_text().splitlines()
        # Same lines, but numerapi is kept as a comment (the CLI needs a newer one).
        restored = [line.split("  (not a constraint")[0].removeprefix("# ") if "(not a constraint" in line else line
                    for line in vendored]
        assert restored == source


def test_the_template_lints_with_the_baked_repos_ruff_release():
    """One ruff release: the template's requirements-dev.txt pins the baked pre-commit hook's (whose
    dev extra pins it too: the baked tests/test_pre_commit.py)."""
    config = yaml.safe_load((TEMPLATE / "{{cookiecutter.project_slug}}" / ".pre-commit-config.yaml").read_text())
    [rev] = [repo["rev"] for repo in config["repos"] if repo["repo"].endswith("/ruff-pre-commit")]
    requirements = (TEMPLATE / "requirements-dev.txt").read_text().splitlines()
    assert [line for line in requirements if re.match(r"ruff\b", line)] == [f"ruff=={rev.removeprefix('v')}"]


@pytest.mark.parametrize("key", sorted(CHANGED))
def test_each_answer_changed_alone_bakes_a_clean_repo(tmp_path, key):
    repo = bake(tmp_path, **{key: CHANGED[key]})
    leftovers = [str(path.relative_to(repo)) for path, text in text_files(repo) if UNRENDERED.search(text)]
    assert leftovers == []
    for path in repo.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")  # rendering must leave valid Python
    for path in [*repo.rglob("*.json")]:
        json.loads(path.read_text())


def test_readme_explains_the_deploy_secrets_forks_and_schedules(tmp_path):
    """Both answers of use_deploy_environment are explained where the user sets the secrets up."""
    def readme(repo: Path) -> str:  # words, whatever the line breaks
        return " ".join((repo / "README.md").read_text(encoding="utf-8").split())

    default = readme(bake(tmp_path / "default"))
    environment = readme(bake(tmp_path / "environment", use_deploy_environment="yes"))
    assert "`use_deploy_environment: no`, the default" in default
    assert "add `environment: numerai` to the `preflight` and `deploy` jobs" in default
    assert "preflight and deploy jobs run in the environment `numerai`" in environment
    for text in (default, environment):
        assert "Repository secrets" in text
        assert "free plan" in text
        assert "github.event.repository.fork" in text
        assert "60 days without a commit" in text

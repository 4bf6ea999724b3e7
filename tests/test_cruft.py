"""Template updates reach a baked repo: `cruft update` applies a later template commit cleanly and
keeps what the user added and edited; `cruft check` tells the two states apart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TEMPLATE = Path(__file__).resolve().parents[1]
# Not part of the template: local environments, caches, test scratch.
IGNORED = shutil.ignore_patterns(".git", ".venv", "node_modules", ".work", "__pycache__", ".pytest_cache",
                                 ".ruff_cache", "*.egg-info")
BAKED_WORKFLOW = Path("{{cookiecutter.project_slug}}") / ".github" / "workflows" / "test.yml"
USER_SPEC = """\
slot: user_model
runtime: "3.12"
data: {feature_set: small}
model:
  type: lightgbm
  params: {n_estimators: 20}
"""
IDENTITY = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def cruft() -> str:
    found = shutil.which("cruft", path=str(Path(sys.executable).parent)) or shutil.which("cruft")
    if not found:
        pytest.fail("cruft is not installed: run `make test`, which installs requirements-dev.txt")
    return found


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, **IDENTITY, "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=environment, timeout=300)


def git(repo: Path, *args: str) -> str:
    result = run("git", "-c", "init.defaultBranch=main", *args, cwd=repo)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def health_step(baked: Path, tmp_path: Path) -> str:
    """Run the health workflow's template-update step in `baked` (its `uvx cruft@...` through a shim
    that runs this environment's cruft); returns what it wrote to the job summary."""
    workflow = yaml.safe_load((baked / ".github" / "workflows" / "health.yml").read_text())
    step = next(step for job in workflow["jobs"].values() for step in job["steps"]
                if "cruft" in step.get("run", ""))
    assert step["if"] == "${{ hashFiles('.cruft.json') != '' }}"
    shims = tmp_path / "shims"
    shims.mkdir(exist_ok=True)
    (shims / "uvx").write_text(f'#!/bin/sh\nshift\nexec "{cruft()}" "$@"\n')
    (shims / "uvx").chmod(0o755)
    summary = tmp_path / "step-summary.md"
    summary.write_text("")
    environment = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}",
                   "GITHUB_STEP_SUMMARY": str(summary)}
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=baked, capture_output=True, text=True,
                            env=environment, timeout=300)
    assert result.returncode == 0, "the check never fails the job: " + result.stdout + result.stderr
    return summary.read_text()


@pytest.fixture
def template(tmp_path) -> Path:
    """This template, as it is in the working tree, committed to a repository of its own."""
    repo = tmp_path / "template"
    shutil.copytree(TEMPLATE, repo, ignore=IGNORED)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Template, first version")
    return repo


def test_cruft_update_carries_a_template_change_and_keeps_the_users_work(template, tmp_path):
    out = tmp_path / "out"
    created = run(cruft(), "create", str(template), "--no-input", "--output-dir", str(out), cwd=tmp_path)
    assert created.returncode == 0, created.stdout + created.stderr
    baked = out / "numerai-models"
    first = git(template, "rev-parse", "HEAD")
    assert json.loads((baked / ".cruft.json").read_text())["commit"] == first
    # cruft renders the template itself, also into the scratch folders it diffs: no repository there.
    assert not (baked / ".git").exists()
    git(baked, "init", "-q")
    git(baked, "add", "-A")
    git(baked, "commit", "-q", "-m", "Baked")

    # The user's own work: a spec of theirs, and an edit of the README.
    (baked / "models" / "user_model.yaml").write_text(USER_SPEC)
    readme = baked / "README.md"
    readme.write_text(readme.read_text() + "\n## Our notes\n\nThe user_model slot is ours.\n")
    git(baked, "add", "-A")
    git(baked, "commit", "-q", "-m", "Our slot and notes")
    assert run(cruft(), "check", cwd=baked).returncode == 0, "up to date right after baking"
    assert health_step(baked, tmp_path) == "Template: up to date.\n"

    # The template moves on: a line in a baked workflow, and a new file.
    workflow = template / BAKED_WORKFLOW
    text = workflow.read_text()
    assert "timeout-minutes: 30" in text
    workflow.write_text(text.replace("timeout-minutes: 30", "timeout-minutes: 40", 1))
    new_file = template / "{{cookiecutter.project_slug}}" / "CHANGES.md"
    new_file.write_text("# Changes of {{ cookiecutter.project_name }}\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "Template, second version")
    second = git(template, "rev-parse", "HEAD")

    checked = run(cruft(), "check", cwd=baked)
    assert checked.returncode != 0 and "out of date" in (checked.stdout + checked.stderr).lower()
    warning = health_step(baked, tmp_path)
    assert warning.startswith("> [!WARNING]") and "`cruft update`" in warning

    updated = run(cruft(), "update", "--skip-apply-ask", cwd=baked)
    assert updated.returncode == 0, updated.stdout + updated.stderr

    # Applied cleanly: the change and the new file, no rejected hunks.
    assert "timeout-minutes: 40" in (baked / ".github" / "workflows" / "test.yml").read_text()
    assert (baked / "CHANGES.md").read_text() == "# Changes of Numerai Models\n"
    assert not list(baked.rglob("*.rej"))
    assert json.loads((baked / ".cruft.json").read_text())["commit"] == second
    # The user's work is all there.
    assert (baked / "models" / "user_model.yaml").read_text() == USER_SPEC
    assert readme.read_text().endswith("## Our notes\n\nThe user_model slot is ours.\n")
    assert (baked / "models" / "my_model.yaml").is_file()
    assert run(cruft(), "check", cwd=baked).returncode == 0

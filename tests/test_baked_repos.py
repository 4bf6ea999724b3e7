"""Each baked repo installs as its README says and passes its own linters and test suite."""

from __future__ import annotations

import pytest

from answers import ANSWER_SETS
from baking import bake, install, run

# The subcommands the console script's module declares (its `COMMANDS`), asked of the baked environment.
LIST_SUBCOMMANDS = ("from importlib import import_module, metadata\n"
                    "[script] = metadata.entry_points(group='console_scripts', name='numerai-deploy')\n"
                    "print(*import_module(script.module).COMMANDS, sep='\\n')")
# What the design promises at least (DESIGN.md, "Contracts").
PROMISED = {"plan", "build", "check", "deploy", "status", "runtimes"}


@pytest.fixture(scope="module", params=sorted(ANSWER_SETS))
def installed(request, tmp_path_factory):
    repo = bake(tmp_path_factory.mktemp(request.param), **ANSWER_SETS[request.param])
    return repo, install(repo), request.param


def test_baked_repo_passes_its_own_tests(installed):
    repo, bin_dir, answers = installed
    # The default bake runs the whole suite. The other answer sets change names, the data version,
    # the feature set and the workflows' environment: they run the tests those reach (specs, builds,
    # plans, the layers, the schema), which keeps a CI run well inside its time.
    selection = [] if answers == "defaults" else [
        "-m", "not slow", "tests/modelspec", "tests/artifact", "tests/plan", "tests/numerai",
        "tests/test_architecture.py", "tests/test_main.py", "tests/test_dependencies.py"]
    result = run(bin_dir, "pytest", "-q", "-p", "no:cacheprovider", *selection, cwd=repo, check=False, timeout=1500)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert " passed" in result.stdout


def test_baked_repo_passes_its_own_linter(installed):
    repo, bin_dir, _answers = installed
    # ruff over the whole repo, as its pre-commit hook does; its other linters (lint-imports, deptry)
    # run inside its test suite (tests/test_architecture.py, tests/test_dependencies.py), above.
    result = run(bin_dir, "ruff", "check", ".", cwd=repo, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_subcommand_has_help(installed):
    repo, bin_dir, _answers = installed
    subcommands = run(bin_dir, "python", "-c", LIST_SUBCOMMANDS, cwd=repo).stdout.split()
    assert PROMISED <= set(subcommands), subcommands
    for name in subcommands:
        result = run(bin_dir, "numerai-deploy", name, "--help", cwd=repo)
        assert result.stdout.startswith("usage: numerai-deploy " + name), name


def test_the_shipped_spec_validates_and_the_schema_is_current(installed):
    repo, bin_dir, _answers = installed
    assert "ok: " in run(bin_dir, "numerai-deploy", "validate", cwd=repo).stdout
    assert run(bin_dir, "numerai-deploy", "schema", "--check", cwd=repo).returncode == 0

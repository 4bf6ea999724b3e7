"""main's error policy: exit 2 bad input, 1 failed work, 3 the unexpected (one line; --debug shows more)."""

from __future__ import annotations

import errno
import importlib
import shutil
import subprocess
import sys

import pytest

from {{ cookiecutter.package_name }}.errors import BROKEN_PIPE_EXIT_CODE, UsageError, WorkFailed
from {{ cookiecutter.package_name }}.main import COMMANDS, command_module, main
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import FIXTURE_SPECS, PACKAGE, REPO_ROOT

SECRET = "s3cret-in-an-exception-9f1c"


@pytest.fixture
def failing_command(monkeypatch):
    """Make `validate` raise `error` when it runs (the fault a test injects)."""

    def make(error: BaseException):
        module = importlib.import_module(f"{PACKAGE}.commands.validate")

        def run(args, settings):
            raise error

        monkeypatch.setattr(module, "run", run)

    return make


@pytest.mark.parametrize(("error", "code", "label"), [
    (UsageError("bad spec ==> fix it"), 2, "error: bad spec ==> fix it"),
    (WorkFailed("upload failed ==> re-run"), 1, "failed: upload failed ==> re-run"),
])
def test_expected_errors_exit_with_their_code_and_one_line(failing_command, capsys, tmp_path, error, code, label):
    failing_command(error)
    assert main(["validate", "--repo", str(tmp_path)]) == code
    captured = capsys.readouterr()
    assert captured.err.strip() == label and "Traceback" not in captured.err


def test_an_unexpected_error_exits_3_with_one_line(failing_command, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("NUMERAI_DEBUG", raising=False)
    failing_command(RuntimeError("the index is out of step\nsecond line"))
    assert main(["validate", "--repo", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "unexpected error: RuntimeError: the index is out of step" in err
    assert "--debug" in err and "NUMERAI_DEBUG=1" in err and "Traceback" not in err


@pytest.mark.parametrize("how", ["flag", "flag after the command", "variable"])
def test_debug_shows_the_traceback_scrubbed(failing_command, capsys, monkeypatch, tmp_path, how):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", "PUBLIC-ID-OF-THE-RUN")
    monkeypatch.setenv("NUMERAI_SECRET_KEY", SECRET)
    failing_command(KeyError(f"https://storage.example/file.pkl?X-Amz-Signature=abc123&token={SECRET}"))
    argv = {"flag": ["--debug", "validate"], "flag after the command": ["validate", "--debug"],
            "variable": ["validate"]}[how]
    if how == "variable":
        monkeypatch.setenv("NUMERAI_DEBUG", "1")
    from {{ cookiecutter.package_name }}.numerai.credentials import read_credentials

    read_credentials(load_settings())  # the run's key, as every API command reads it
    assert main([*argv, "--repo", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "KeyError" in err
    assert SECRET not in err and "abc123" not in err and "X-Amz-Signature" not in err


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "free some disk space"),
    (errno.EACCES, "permission"),
    (errno.EROFS, "read-only"),
    (errno.EIO, "the operating system"),
])
def test_an_environment_fault_exits_1_naming_the_path_and_the_fix(failing_command, capsys, tmp_path, code, words):
    failing_command(OSError(code, "the system's words", "/somewhere/dist/slot-abc.pkl"))
    assert main(["validate", "--repo", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "this is a bug" not in err, err
    assert err.startswith("failed: /somewhere/dist/slot-abc.pkl: the system's words ==> ") and words in err, err


def test_a_malformed_setting_is_bad_input(capsys, monkeypatch, tmp_path):
    for folder in ("models", "runtimes"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    monkeypatch.setenv("NUMERAI_REQUEST_TIMEOUT", "soon")
    assert main(["status", "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "NUMERAI_REQUEST_TIMEOUT='soon' ==> expected a finite positive number" in err and "Traceback" not in err


def test_every_command_has_a_whole_sentence_as_its_help(capsys):
    """`numerai-deploy --help` lists each command with the first line of its module's docstring."""
    with pytest.raises(SystemExit):
        main(["--help"])
    listing = capsys.readouterr().out
    assert COMMANDS, "the CLI has commands"
    for name in COMMANDS:
        summary, _, rest = (command_module(name).__doc__ or "").strip().partition("\n")
        assert summary.endswith(".") and (not rest.strip() or rest.startswith("\n")), f"{name}: {summary!r}"
        assert " ".join(summary.split()) in " ".join(listing.split()), name


# Libraries that take seconds to import: `--help` and `validate` use none of them.
HEAVY = ("lightgbm", "sklearn", "pandas", "pyarrow", "numerapi", "scipy", "cloudpickle")
IMPORTED_AFTER = """
import sys
from {package}.main import main
try:
    main({argv!r})
except SystemExit:
    pass
print("imported:", *sorted(name for name in {heavy!r} if name in sys.modules))
"""


def heavy_imports(argv: list[str], cwd) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running `argv`."""
    code = IMPORTED_AFTER.format(package=PACKAGE, argv=argv, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout.splitlines()[-1].split()[1:]


@pytest.mark.parametrize("argv", [["--help"], ["validate", "--help"], ["plan", "--help"]])
def test_help_imports_no_library_it_does_not_use(tmp_path, argv):
    assert heavy_imports(argv, tmp_path) == []


def test_validate_imports_no_ml_library(tmp_path):
    """validate compares names (LightGBM's parameters among them): it never imports LightGBM, pandas or
    scikit-learn to do so. --synthetic: Numerai's listing (numerapi) is not asked for."""
    shutil.copytree(REPO_ROOT / "runtimes", tmp_path / "runtimes")
    (tmp_path / "models").mkdir()
    # The LightGBM spec alone: a spec naming a scikit-learn estimator has it imported to check its name.
    shutil.copy2(FIXTURE_SPECS / "lightgbm.yaml", tmp_path / "models")
    assert "params:" in (tmp_path / "models" / "lightgbm.yaml").read_text(), "a spec with LightGBM parameters"
    assert heavy_imports(["validate", "--synthetic"], tmp_path) == []


@pytest.mark.parametrize("argv", [["validate", "--synthetic"], ["datasets", "--json"], ["--help"]])
def test_a_reader_that_stops_reading_ends_the_command_silently(tmp_path, argv):
    """`numerai-deploy ... | head`: the pipe closes before the command writes; no "Logging error" or
    traceback, and the shell's code for a closed pipe (or help's 0)."""
    for folder in ("runtimes", "datasets"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    shutil.copytree(FIXTURE_SPECS, tmp_path / "models")
    process = subprocess.Popen([sys.executable, "-m", PACKAGE, *argv], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    process.stdout.close()
    err = process.stderr.read()
    code = process.wait(timeout=120)
    assert err == "", err
    assert code == (0 if argv == ["--help"] else BROKEN_PIPE_EXIT_CODE)

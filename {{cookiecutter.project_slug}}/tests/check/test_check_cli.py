"""`numerai-deploy check` as a user runs it: exit codes, the text and JSON reports, the container line, build."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.check.environment import find_interpreter
from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.runtimes import load_catalogue, resolve_runtime
from {{ cookiecutter.package_name }}.runtimes.environments import running_minor
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import LIGHTGBM_SPEC, REPO_ROOT


@pytest.fixture
def repo(make_repo):
    return make_repo({"gbm.yaml": LIGHTGBM_SPEC})


@pytest.fixture
def gbm_pickle(built, tmp_path):
    """The built LightGBM pickle and its manifest, copied so that a test may damage them."""
    source = built["gbm_model"]
    for path in (source, source.with_suffix(".json")):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / source.name


def test_a_good_pickle_exits_0_with_a_readable_report(cli, repo, gbm_pickle):
    result = cli("check", str(gbm_pickle), cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"check {gbm_pickle} on Python 3.12 (ghcr.io/numerai/numerai_predict_py_3_12:" in result.stdout
    assert "predict.py: not None, a pd.DataFrame" in result.stdout
    assert "of 600 s" in result.stdout and "of 4,096 MB" in result.stdout and "1 CPU; no network" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("passed")


def test_json_report_of_a_failing_pickle_exits_1(cli, repo, gbm_pickle):
    manifest_path = gbm_pickle.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["libraries"]["lightgbm"] = "4.0.0"  # as if built with another LightGBM
    manifest_path.write_text(json.dumps(manifest))
    result = cli("check", str(gbm_pickle), "--json", cwd=repo)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    [report] = document["reports"]
    assert document["ok"] is False and report["ok"] is False
    [problem] = [finding for finding in report["findings"] if finding["level"] == "error"]
    assert problem["check"] == "versions" and "lightgbm 4.0.0" in problem["message"]
    assert report["run"]["limit_seconds"] == 600 and report["run"]["cpus"] == 1
    assert report["run"]["predict_seconds"] is not None  # the run went on: every problem is reported at once


def test_the_runtime_flag_chooses_the_image_and_leaves_the_builds_own_verdict(cli, repo, gbm_pickle):
    verdict = json.loads(gbm_pickle.with_suffix(".json").read_text())["check"]
    assert verdict["passed"] is True and verdict["image"].endswith("py_3_12:" + verdict["image"].split(":")[-1])
    result = cli("check", str(gbm_pickle), "--runtime", "py3.13", "--json", cwd=repo)
    assert result.returncode == 1
    [report] = json.loads(result.stdout)["reports"]
    assert "Python 3.13" in report["runtime"]
    assert any("built with Python 3.12" in finding["message"] for finding in report["findings"])
    # A trial on another runtime: deploy still finds the build's passed check against its own image.
    assert json.loads(gbm_pickle.with_suffix(".json").read_text())["check"] == verdict


@pytest.mark.parametrize(("arguments", "words"), [
    (["missing.pkl"], "missing.pkl: no such file"),
    (["{pickle}", "--memory", "4096"], "--memory '4096' ==> expected a size with a unit"),
    (["{pickle}", "--timeout", "0"], "--timeout 0 ==> expected a positive number"),
    (["{pickle}", "--runtime", "py3.99"], "runtime 'py3.99' ==> expected 'default' or one of"),
    (["{pickle}", "--dataset", "nowhere.parquet"], "--dataset nowhere.parquet: no such file"),
    (["{pickle}", "--timeout", "nan"], "--timeout nan ==> expected a positive number"),
    (["{pickle}", "--timeout", "inf"], "--timeout inf ==> expected a positive number"),
    (["{pickle}", "--memory", "0g"], "--memory '0g' ==> expected a size above zero"),
    (["{pickle}", "--memory", "99999999999t"], "--memory '99999999999t' ==> expected at most 1t"),
    (["{pickle}", "--memory", "1025g"], "--memory '1025g' ==> expected at most 1t"),
    (["{pickle}", "--timeout", "1e300"], "--timeout 1e+300 ==> expected at most 86400 seconds"),
    (["{pickle}", "--cpus", "0"], "--cpus 0 ==> expected 1 to 1024"),
    (["{pickle}", "--cpus", "99999999999"], "--cpus 99999999999 ==> expected 1 to 1024"),
])
def test_bad_arguments_exit_2_with_one_line(repo, gbm_pickle, arguments, words, capsys, monkeypatch):
    # In this process (main() is what the console script calls): bad input never reaches a run.
    monkeypatch.chdir(repo)
    code = main(["check", *[argument.format(pickle=gbm_pickle) for argument in arguments]])
    stderr = capsys.readouterr().err
    assert code == 2
    assert words in stderr and len(stderr.strip().splitlines()) == 1


def test_the_container_command(cli, repo, gbm_pickle):
    result = cli("check", "--print-container-command", str(gbm_pickle), cwd=repo)
    assert result.returncode == 0, result.stderr
    command = shlex.split(result.stdout)
    runtime = resolve_runtime("3.12", load_catalogue(REPO_ROOT / "runtimes"))
    assert command[:2] == ["docker", "run"] and runtime.reference in command
    assert command[command.index("--network") + 1] == "none"
    assert command[command.index("--memory") + 1] == "4g" and command[command.index("--cpus") + 1] == "1"
    assert command[command.index("--model") + 1] == str(gbm_pickle.resolve())
    for flag in ("--dataset", "--benchmarks"):  # local files, so that the container needs no network
        assert Path(command[command.index(flag) + 1]).is_file()


def test_build_checks_what_it_built(cli, repo):
    result = cli("build", "--synthetic", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check " in result.stdout and "passed" in result.stdout


def another_images_python() -> str | None:
    """An image's Python other than the one running the tests, installed here: 3.11 first (CI sets it up
    beside 3.12), then the others (on 3.11 itself, 3.12)."""
    others = [runtime.python for runtime in load_catalogue(REPO_ROOT / "runtimes") if runtime.python != running_minor()]
    preferred = sorted(others, key=lambda minor: (minor != "3.11", minor != "3.12", minor))
    return next((minor for minor in preferred if find_interpreter(minor, load_settings())), None)


OTHER_PYTHON = another_images_python()


@pytest.mark.skipif(OTHER_PYTHON is None, reason="no other image's Python on this machine")
@pytest.mark.slow
def test_this_python_builds_for_another_images_python(cli, make_repo):
    """The CLI runs on one Python; the spec asks for another image's: build trains in that image's environment."""
    repo = make_repo({"gbm.yaml": LIGHTGBM_SPEC.replace('runtime: "3.12"', f'runtime: "{OTHER_PYTHON}"')})
    result = cli("build", "--synthetic", cwd=repo, timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "training in" in result.stdout and "passed" in result.stdout
    [pickle] = (repo / "dist").glob("gbm_model-*.pkl")
    manifest = json.loads(pickle.with_suffix(".json").read_text())
    runtime = resolve_runtime(OTHER_PYTHON, load_catalogue(REPO_ROOT / "runtimes"))
    assert manifest["python"]["minor"] == OTHER_PYTHON and manifest["environment"]["matches_image"] is True
    for name in ("numpy", "pandas", "lightgbm", "cloudpickle"):
        assert manifest["libraries"][name] == runtime.version_of(name), name
    assert manifest["check"]["passed"] is True and manifest["check"]["image"] == runtime.reference


def test_here_refuses_a_python_that_is_not_the_images_before_training(cli, make_repo):
    runtimes = load_catalogue(REPO_ROOT / "runtimes")
    other = next(runtime.python for runtime in runtimes if runtime.python != running_minor())
    repo = make_repo({"gbm.yaml": LIGHTGBM_SPEC.replace('runtime: "3.12"', f'runtime: "{other}"')})
    result = cli("build", "--synthetic", "--here", cwd=repo)
    assert result.returncode == 2
    assert f"--here builds in this Python, which is not the Python {other} image's" in result.stderr
    assert "Traceback" not in result.stderr and not (repo / "dist").exists()

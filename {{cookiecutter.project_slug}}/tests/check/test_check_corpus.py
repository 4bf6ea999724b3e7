"""check on a corpus of pickles, good and broken, each made in the test on the runtime's real Python.

The pickles are written by corpus_builder.py running in the check environment itself (the image's
Python minor and pinned versions). Each broken one must be rejected with its own message; the good
one must pass on Python 3.12 and on 3.11. The environments are cached across sessions and bakes,
so only the first run on a machine pays for creating them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.check.environment import ensure_environment
from {{ cookiecutter.package_name }}.check.outcome import STAGE_WORDS
from {{ cookiecutter.package_name }}.check.pipeline import check_pickle
from {{ cookiecutter.package_name }}.check.report import ERROR
from {{ cookiecutter.package_name }}.check.runner import THREAD_VARIABLES
from {{ cookiecutter.package_name }}.check.validation import NUMERAI, OURS
from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.repo import Repo
from {{ cookiecutter.package_name }}.runtimes import load_catalogue, resolve_runtime
from {{ cookiecutter.package_name }}.sandbox.limits import GB, Limits
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import REPO_ROOT, manifest_dict

BUILDER = Path(__file__).resolve().parents[1] / "corpus_builder.py"
CATALOGUE = load_catalogue(REPO_ROOT / "runtimes")

# case -> (the check that rejects it, words of its message)
REJECTED = {
    "repository_module": ("modules", "this repository's own code, by reference"),
    "missing_package": ("modules", "imports module 'featurelab'"),
    "zero_arguments": ("signature", "must have 1 or 2 arguments"),
    "three_arguments": ("signature", "must have 1 or 2 arguments"),
    "bare_estimator": ("signature", "lightgbm.basic.Booster, not a function"),
    "returns_none": ("predict.py", "Pickle function is invalid - returned None"),
    "returns_series": ("predict.py", "returned <class 'pandas.core.series.Series'> instead of pd.DataFrame"),
    "empty_frame": ("predict.py", "Pickle function returned 0 predictions"),
    "has_nan": ("predict.py", "Pickle function returned at least 1 NaN prediction"),
    "above_one": ("predict.py", "Ensure values are between 0 and 1."),
    "wrong_ids": (NUMERAI, "index has no name and its values are not live ids (e.g. 0, 1, 2)"),
    "unnamed_index": (NUMERAI, "index has no name, so its column has no `id` header"),
    "duplicate_ids": (NUMERAI, "Duplicates detected in id for live period"),
    "constant": (NUMERAI, "standard deviation is 0 (between 0.5 and 0.5)"),
    "near_constant": (NUMERAI, "standard deviation is 2.89e-10"),
    "two_columns": (NUMERAI, "the CSV's header is ['id', 'prediction', 'confidence']"),
    "raises": ("predict", "raised ValueError: no model for this era"),
    "uses_network": ("network", "tried to use the network (socket.getaddrinfo numer.ai)"),
}


def runtime(minor: str):
    return resolve_runtime(minor, CATALOGUE)


def environment_python(minor: str, distributions=()) -> Path:
    try:
        return ensure_environment(runtime(minor), set(distributions), load_settings()).python
    except UsageError as error:  # this machine has no such Python
        pytest.skip(str(error))


def build_corpus(python: Path, out: Path, *cases: str) -> Path:
    result = subprocess.run([str(python), str(BUILDER), str(out), str(REPO_ROOT / "src"), *cases],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """Every case, pickled on Python 3.12 (with LightGBM, for the bare estimator)."""
    return build_corpus(environment_python("3.12", {"lightgbm"}), tmp_path_factory.mktemp("corpus-3.12"))


@pytest.fixture(scope="session")
def corpus_311(tmp_path_factory) -> Path:
    return build_corpus(environment_python("3.11"), tmp_path_factory.mktemp("corpus-3.11"), "good")


@pytest.fixture
def check(monkeypatch, data_cache):
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(data_cache))

    def run(pickle_path: Path, minor: str = "3.12", **limits):
        return check_pickle(Repo(REPO_ROOT, load_settings()), pickle_path, runtime(minor), limits=Limits(**limits))

    return run


def error_findings(report):
    return [finding for finding in report.findings if finding.level == ERROR]


@pytest.mark.parametrize("case", ["good", "good_one_argument", "probability"])
def test_a_good_pickle_passes_on_3_12(check, corpus, case):
    report = check(corpus / f"{case}.pkl")
    assert report.ok, report.findings
    assert report.run.arguments == (2 if case == "good" else 1)
    assert report.run.rows == 5000 and "generated" in report.run.data
    assert {finding.check for finding in report.findings} >= {"modules", "versions", "predict.py", NUMERAI, OURS}
    assert 0 < report.run.peak_memory_bytes < report.run.limit_memory_bytes
    assert report.run.predict_seconds < report.run.seconds < report.run.limit_seconds


def test_a_good_pickle_passes_on_3_11(check, corpus_311):
    report = check(corpus_311 / "good.pkl", "3.11")
    assert report.ok, report.findings
    assert "Python 3.11" in report.runtime


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_each_broken_pickle_is_rejected_with_its_own_message(check, corpus, case):
    report = check(corpus / f"{case}.pkl")
    expected_check, words = REJECTED[case]
    assert not report.ok
    first = error_findings(report)[0]
    assert (first.check, words in first.message) == (expected_check, True), report.findings
    others = [other for other, (_, other_words) in REJECTED.items() if other_words != words]
    assert not any(REJECTED[other][1] in first.message for other in others)


@pytest.mark.parametrize("case", sorted(case for case, (check, _) in REJECTED.items() if check == NUMERAI))
def test_numerais_validation_says_what_numerai_would_do_and_the_fix(check, corpus, case):
    [problem] = error_findings(check(corpus / f"{case}.pkl"))
    assert "Numerai would refuse this submission at its validation step" in problem.message
    assert problem.fix and "numerai-tools" in problem.detail


@pytest.mark.parametrize(("case", "error"), [("future_protocol", "ValueError: unsupported pickle protocol: 6"),
                                             ("bad_marshal", "ValueError: bad marshal data")])
def test_a_pickle_of_another_python_gets_predict_pys_newest_words(check, corpus, case, error):
    report = check(corpus / f"{case}.pkl")
    [problem] = [finding for finding in error_findings(report) if finding.check == "load"]
    assert problem.message == ("Pickle could not be loaded in Python 3.12. It was likely created with a different "
                               "Python version. Recreate the pickle with Python 3.12 or submit it to the matching "
                               "numerai-predict image.")
    assert problem.detail.startswith(error) and "numerai-deploy build" in problem.fix
    assert "runtimes/py3.12-" in problem.fix


@pytest.mark.parametrize(("case", "count"), [("zero_arguments", 0), ("three_arguments", 3)])
def test_the_argument_count_is_named(check, corpus, case, count):
    [problem] = error_findings(check(corpus / f"{case}.pkl"))
    assert f"{corpus / case}.pkl must have 1 or 2 arguments" in problem.message
    assert f"it takes {count}" in problem.fix


def test_a_module_missing_from_the_image_fails_both_statically_and_on_load(check, corpus):
    problems = error_findings(check(corpus / "missing_package.pkl"))
    assert [problem.check for problem in problems] == ["modules", "load"]
    assert "Import error reading pickle - No module named 'featurelab'" in problems[1].message


def test_a_pickle_that_sleeps_is_stopped_at_the_time_limit(check, corpus):
    """sleeps.pkl predicts for 120 s. The limit is the run's whole wall time (imports, load, data, predict),
    so a loaded machine may stop it before it predicts: the message names the stage the run had reached."""
    report = check(corpus / "sleeps.pkl", seconds=4)
    [problem] = error_findings(report)
    assert problem.check == "time" and report.run.stage in STAGE_WORDS, (problem, report.run)
    assert f"did not finish within 4 s (stopped while {STAGE_WORDS[report.run.stage]})" in problem.message
    # Stopped, not waited out: well before the 120 s the pickle asks for, however busy the machine.
    assert 4 <= report.run.seconds < 60


def test_a_pickle_that_allocates_past_the_memory_limit(check, corpus):
    report = check(corpus / "allocates.pkl", memory_bytes=1 * GB)
    [problem] = error_findings(report)
    assert problem.check == "memory" and "out of memory while predicting" in problem.message
    assert report.run.limit_memory_bytes == GB


def test_network_is_allowed_only_when_asked(check, corpus):
    report = check(corpus / "uses_network.pkl", network=True)
    assert not any(finding.check == "network" for finding in report.findings)


def test_a_pickle_made_on_3_11_is_rejected_by_the_3_12_image(check, corpus_311, tmp_path):
    report = check(corpus_311 / "good.pkl", "3.12")
    problems = error_findings(report)
    assert problems[0].check == "versions" and "built with Python 3.11" in problems[0].message
    # Without the manifest only the run can tell, and it does: the 3.11 code object crashes 3.12.
    lone = tmp_path / "good.pkl"
    shutil.copy(corpus_311 / "good.pkl", lone)
    report = check(lone, "3.12")
    [problem] = error_findings(report)
    # 3.11's code objects load on 3.12 (the same constructor) and crash it when called.
    assert problem.check == "crash" and "while predicting" in problem.message, report.findings
    assert "Ensure python and library versions match our environment." in problem.message


def test_a_pickle_made_on_3_11_is_rejected_on_load_by_the_3_10_image(check, corpus_311, tmp_path):
    environment_python("3.10")  # skips where this machine has no Python 3.10
    lone = tmp_path / "good.pkl"
    shutil.copy(corpus_311 / "good.pkl", lone)
    [problem] = error_findings(check(lone, "3.10"))
    # pandas.read_pickle retries with its own unpickler and raises that attempt's TypeError: predict.py
    # says "incompatible"; the fix names the telling error from the chain.
    assert (problem.check, problem.message) == ("load", "Pickle incompatible with 3.10")
    assert "made by another Python (code expected at most 16 arguments, got 18)" in problem.fix


def test_the_pickle_sees_no_credentials(check, corpus, monkeypatch):
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "corpus-secret-key-5b1e07")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_token")
    report = check(corpus / "refuses_secrets.pkl")
    assert report.ok, report.findings


# PWD: bubblewrap sets it to the run's working folder, which the run could read with os.getcwd() anyway.
ALLOWED = {"PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ", "PWD", *THREAD_VARIABLES}


def test_the_pickle_sees_only_the_allow_listed_environment_in_a_scratch_folder(check, corpus, monkeypatch):
    for name in ("NUMERAI_PUBLIC_ID", "NUMERAI_SECRET_KEY", "GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN",
                 "AWS_SECRET_ACCESS_KEY", "GOOGLE_APPLICATION_CREDENTIALS", "AZURE_CLIENT_SECRET", "SOME_SETTING"):
        monkeypatch.setenv(name, "set-by-the-caller")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LC_NUMERIC", "C")
    [problem] = error_findings(check(corpus / "records_environment.pkl"))
    seen = json.loads(problem.message.split("raised RuntimeError: ", 1)[1])
    names = set(seen["names"])
    assert {"PATH", "HOME", "TMPDIR", "LANG", "LC_NUMERIC", "OMP_NUM_THREADS"} <= names
    assert not {name for name in names if name not in ALLOWED and not name.startswith("LC_")}, names
    scratch = Path(seen["cwd"]).parent
    assert scratch.name.startswith("numerai-check-") and not scratch.exists()  # removed after the run
    assert Path(seen["tmp"]).parent == scratch and Path(seen["home"]).parent == scratch


def test_the_built_pipeline_pickles_pass(check, built):
    assert built, "the pipeline built pickles"
    for slot, path in built.items():
        report = check(path)
        assert report.ok, (slot, report.findings)
        version = manifest_dict(path)["data"]["version"]
        assert f"synthetic {version} live data" in report.run.data


def test_a_pickle_that_raises_names_the_file_and_line_that_raised_first(check, corpus):
    [finding] = [finding for finding in error_findings(check(corpus / "raises.pkl")) if finding.check == "predict"]
    line = next(number for number, text in enumerate(BUILDER.read_text().splitlines(), 1)
                if 'raise ValueError("no model for this era")' in text)
    assert finding.message.startswith(f'File "{BUILDER}", line {line}, in raises ==> the pickle function raised')

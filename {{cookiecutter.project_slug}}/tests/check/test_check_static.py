"""check without running anything: opcodes, module and version rules, predict.py's rules, the container line."""

from __future__ import annotations

import json
import pickle
import signal
import subprocess
import sys

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.artifact.manifest import Manifest
from {{ cookiecutter.package_name }}.artifact.references import imported_modules, referenced_globals, top_level_modules
from {{ cookiecutter.package_name }}.check import child, container, environment
from {{ cookiecutter.package_name }}.check.live import LiveData, dataset_folder, live_data, live_frames
from {{ cookiecutter.package_name }}.check.outcome import outcome_findings
from {{ cookiecutter.package_name }}.check.report import ERROR, OK, WARNING
from {{ cookiecutter.package_name }}.check.static import distributions_for, in_stdlib, static_check, version_findings
from {{ cookiecutter.package_name }}.custom.example import CentredRidge
from {{ cookiecutter.package_name }}.data.download import version_dir
from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.runtimes import environments, load_catalogue, resolve_runtime
from {{ cookiecutter.package_name }}.sandbox.limits import GB, Limits, parse_size
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import CURRENT, REPO_ROOT

CATALOGUE = load_catalogue(REPO_ROOT / "runtimes")
PY312 = resolve_runtime("3.12", CATALOGUE)
PY310 = resolve_runtime("3.10", CATALOGUE)
OWN = {"{{ cookiecutter.package_name }}"}


def predict_with_pandas(live_features):
    return pd.DataFrame({"prediction": live_features.iloc[:, 0].rank(pct=True)}, index=live_features.index)


def by_value(function) -> bytes:
    """cloudpickle as a notebook or script would: the function's code inside the pickle."""
    module = sys.modules[function.__module__]
    cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(function)
    finally:
        cloudpickle.unregister_pickle_by_value(module)


def errors(findings, check=None):
    return [finding for finding in findings if finding.level == ERROR and check in (None, finding.check)]


def manifest_for(pickle_bytes: bytes | None = None, **changes) -> Manifest:
    """A manifest as `build` writes it for a pickle of `pickle_bytes` on Python 3.12, with `changes`."""
    import hashlib

    manifest = {"slot": "corpus", "fingerprint": "0" * 12,
                "runtime": {"name": PY312.name, "python": PY312.python, "image": PY312.image, "tag": PY312.tag},
                "data": {"version": "v5.2"},
                "python": {"version": "3.12.1", "minor": "3.12"},
                "libraries": {"numpy": PY312.version_of("numpy"), "pandas": PY312.version_of("pandas"),
                              "cloudpickle": PY312.version_of("cloudpickle")}}
    if pickle_bytes is not None:
        manifest["pickle"] = {"sha256": hashlib.sha256(pickle_bytes).hexdigest(), "bytes": len(pickle_bytes)}
    manifest.update(changes)
    return Manifest.model_validate(manifest)


# -- opcodes -------------------------------------------------------------------------------------

def test_a_function_by_value_names_the_modules_its_globals_import():
    data = by_value(predict_with_pandas)
    assert "pandas" in imported_modules(data)  # cloudpickle's subimport("pandas"), not a global
    assert "pandas" not in {module for module, _ in referenced_globals(data)}


def test_a_class_by_reference_is_a_global_of_its_module():
    data = pickle.dumps(CentredRidge(np.zeros(2), np.zeros(2), 0.0))
    assert ("{{ cookiecutter.package_name }}.custom.example", "CentredRidge") in referenced_globals(data)
    assert "{{ cookiecutter.package_name }}" in top_level_modules(data)


def test_reading_references_never_executes_the_pickle(tmp_path):
    marker = tmp_path / "executed"
    data = pickle.dumps(Explosive(str(marker)))
    assert (open.__module__, "open") in referenced_globals(data)  # _io from Python 3.12 on, io before
    assert not marker.exists()


class Explosive:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


# -- modules and versions ------------------------------------------------------------------------

def test_import_names_map_to_the_images_distributions():
    assert distributions_for("sklearn", PY312) == ["scikit-learn"]
    assert distributions_for("lightgbm", PY312) == ["lightgbm"]
    assert distributions_for("yaml", PY312) == ["pyyaml"]
    assert distributions_for("featurelab", PY312) == []


def test_the_standard_library_is_the_images_python():
    assert in_stdlib("collections", "3.12")
    assert in_stdlib("distutils", "3.11") and not in_stdlib("distutils", "3.12")
    assert not in_stdlib("tomllib", "3.10") and in_stdlib("tomllib", "3.11")


def test_a_pickle_of_pandas_and_numpy_needs_only_image_packages():
    data = by_value(predict_with_pandas)
    result = static_check(data, manifest_for(data), PY312, OWN)
    assert not errors(result.findings), result.findings
    assert {"pandas", "cloudpickle"} <= result.distributions


def test_the_repositorys_own_module_by_reference_is_an_error_naming_the_fix():
    data = pickle.dumps(CentredRidge(np.zeros(2), np.zeros(2), 0.0))
    [problem] = errors(static_check(data, manifest_for(data), PY312, OWN).findings, "modules")
    assert "this repository's own code" in problem.message and "CentredRidge" in problem.message
    assert "register_pickle_by_value({{ cookiecutter.package_name }})" in problem.fix


def global_pickle(module: str, name: str) -> bytes:
    """A pickle of one global (the GLOBAL opcode), for modules this Python cannot import."""
    return f"c{module}\n{name}\n.".encode()


def test_a_module_removed_from_the_standard_library_is_an_error():
    data = global_pickle("distutils.version", "LooseVersion")
    [problem] = errors(static_check(data, None, PY312, OWN).findings, "modules")
    assert "Python 3.12 removed" in problem.message
    assert not errors(static_check(data, None, resolve_runtime("3.11", CATALOGUE), OWN).findings, "modules")


@pytest.mark.parametrize(("module", "name"), [("xgboost.sklearn", "XGBRegressor"),
                                              ("catboost.core", "CatBoostRegressor")])
def test_an_estimator_of_a_library_the_image_locks_passes_the_module_check(module, name):
    """xgboost and catboost are in every image's lock: a pickle of their estimators loads there."""
    data = global_pickle(module, name)
    assert not errors(static_check(data, None, PY312, OWN).findings, "modules")
    assert distributions_for(module.split(".")[0], PY312) == [module.split(".")[0]]


def test_a_script_global_by_reference_is_an_error():
    [problem] = errors(static_check(global_pickle("__main__", "predict"), None, PY312, OWN).findings, "modules")
    assert "__main__.predict" in problem.message and "cloudpickle" in problem.fix


def test_a_different_python_minor_is_an_error():
    data = by_value(predict_with_pandas)
    manifest = manifest_for(data, python={"version": "3.11.7", "minor": "3.11"})
    [problem] = errors(version_findings(manifest, PY312))
    assert "built with Python 3.11.7" in problem.message and "numerai-deploy build" in problem.fix


@pytest.mark.parametrize(("library", "level"), [("numpy", ERROR), ("lightgbm", ERROR), ("scikit-learn", ERROR),
                                                  ("cloudpickle", ERROR), ("pandas", ERROR), ("scipy", WARNING)])
def test_a_library_version_other_than_the_images_pin(library, level):
    manifest = manifest_for(libraries={library: "0.0.1"})
    [finding] = [finding for finding in version_findings(manifest, PY312) if finding.level != OK]
    assert finding.level == level
    assert f"{library} 0.0.1" in finding.message and f"{library} {PY312.version_of(library)}" in finding.message


def test_numpy_2_internals_against_a_numpy_1_image():
    data = global_pickle("numpy._core.multiarray", "_reconstruct")
    messages = [finding.message for finding in errors(static_check(data, None, PY310, OWN).findings)]
    assert any("numpy._core" in message and PY310.version_of("numpy") in message for message in messages)
    assert not errors(static_check(data, None, PY312, OWN).findings)


def test_a_manifest_of_another_pickle_is_an_error():
    data = by_value(predict_with_pandas)
    manifest = manifest_for(b"other bytes")
    [problem] = errors(static_check(data, manifest, PY312, OWN).findings)
    assert problem.check == "manifest" and "sha256" in problem.message


def test_without_a_manifest_the_versions_are_a_warning_not_a_pass():
    data = by_value(predict_with_pandas)
    findings = static_check(data, None, PY312, OWN).findings
    assert [finding.level for finding in findings if finding.check == "versions"] == [WARNING]


def test_a_file_that_is_no_pickle_is_an_error():
    [problem] = errors(static_check(b"PK\x03\x04 a zip, not a pickle", None, PY312, OWN).findings)
    assert "not a readable pickle" in problem.message


# -- predict.py's checks, in its order and words --------------------------------------------------

LIVE_INDEX = pd.Index([f"n{number:04d}" for number in range(6)], name="id")


def frame(values, index=LIVE_INDEX, column="prediction"):
    return pd.DataFrame({column: values}, index=index)


class SubFrame(pd.DataFrame):
    pass


@pytest.mark.parametrize(("result", "message"), [
    (None, "Pickle function is invalid - returned None"),
    (pd.Series([0.5] * 6, index=LIVE_INDEX), "returned <class 'pandas.core.series.Series'> instead of pd.DataFrame"),
    (SubFrame({"prediction": [0.5] * 6}), "instead of pd.DataFrame"),  # predict.py wants exactly DataFrame
    (frame([], index=pd.Index([], name="id")), "Pickle function returned 0 predictions"),
    (frame([np.nan, 2.0, 0.1, 0.2, 0.3, 0.4]), "Pickle function returned at least 1 NaN prediction"),  # NaN first
    (frame([1.5, 0.1, 0.2, 0.3, 0.4, 0.5]), "Pickle function returned invalid predictions. Ensure values are "
                                            "between 0 and 1."),
])
def test_predict_py_rejects_in_its_order(result, message):
    problem = child.predict_py_problem(pd, result)
    assert problem is not None and message in problem


def test_predict_py_accepts_the_bounds_and_leaves_ids_to_numerai():
    assert child.predict_py_problem(pd, frame([0.0, 1.0, 0.5, 0.5, 0.2, 0.3])) is None
    assert child.predict_py_problem(pd, frame([0.1] * 3, index=pd.RangeIndex(3))) is None


# -- limits, live data, the container line ---------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [("4g", 4 * GB), ("512m", 512 * 2**20), ("1.5G", int(1.5 * GB)),
                                                ("2GiB", 2 * GB)])
def test_sizes(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["4096", "four gigs", "-1g", ""])
def test_sizes_without_a_unit_are_refused(text):
    with pytest.raises(UsageError, match="expected a size with a unit"):
        parse_size(text)


def test_generated_live_data_has_the_manifests_features_and_unique_ids():
    live, benchmarks = live_frames(["feature_b", "feature_a"], [CURRENT.benchmark_columns[0]], rows=300)
    assert list(live.columns) == ["era", "data_type", "feature_b", "feature_a"]
    assert live.index.is_unique and live.index.name == "id" and len(live) == 300
    assert live["feature_a"].dtype == np.int8 and live["feature_a"].between(0, 4).all()
    assert benchmarks.index.equals(live.index) and CURRENT.benchmark_columns[0] in benchmarks


def test_live_data_is_generated_once_per_feature_list(tmp_path):
    manifest = manifest_for(data={"version": "v5.2", "synthetic": False}, features=["feature_x", "feature_y"])
    first = live_data(tmp_path, manifest)
    assert "generated" in first.source
    assert list(pd.read_parquet(first.dataset).columns)[2:] == ["feature_x", "feature_y"]
    again = live_data(tmp_path, manifest)
    assert again.dataset == first.dataset and again.dataset.stat().st_mtime_ns == first.dataset.stat().st_mtime_ns


@pytest.mark.parametrize("synthetic", [False, True])
def test_live_data_is_looked_up_where_the_data_cache_keeps_it(tmp_path, synthetic):
    assert dataset_folder(tmp_path, "v5.2", synthetic) == version_dir(tmp_path, "v5.2", synthetic)


def test_cached_numerai_live_data_is_preferred(tmp_path):
    real = tmp_path / "v5.2"
    real.mkdir()
    live, benchmarks = live_frames(["feature_x"], [CURRENT.benchmark_columns[0]], rows=10)
    live.to_parquet(real / "live.parquet")
    benchmarks.to_parquet(real / "live_benchmark_models.parquet")
    chosen = live_data(tmp_path, manifest_for(data={"version": "v5.2", "synthetic": False}, features=["feature_y"]))
    assert chosen.dataset == real / "live.parquet" and "Numerai's v5.2" in chosen.source


def test_the_container_command_mirrors_production(tmp_path):
    pickle_path = tmp_path / "dist" / "slot-abc.pkl"
    pickle_path.parent.mkdir()
    pickle_path.write_bytes(b"x")
    live = LiveData(tmp_path / "data" / "live.parquet", tmp_path / "data" / "live_benchmark_models.parquet", "")
    command = container.container_command(PY312, pickle_path, live)
    line = container.shell_line(command)
    for part in ("--network none", "--memory 4g", "--memory-swap 4g", "--cpus 1", "--platform linux/amd64",
                 f"{PY312.image}:{PY312.tag} --debug --model {pickle_path}", f"--dataset {live.dataset}"):
        assert part in line, line
    assert f"{tmp_path / 'dist'}:{tmp_path / 'dist'}:ro" in command
    assert "--network" not in container.container_command(PY312, pickle_path, live, Limits(network=True))


def test_the_child_is_standalone():
    """It runs where this package is not installed: it may import only the standard library."""
    source = child.__file__
    text = open(source, encoding="utf-8").read()
    assert "{{ cookiecutter.package_name }}" not in text and "from ." not in text
    imported = {line.split()[1].split(".")[0] for line in text.splitlines()
                if line.startswith(("import ", "from ")) and not line.startswith("from __future__")}
    assert imported <= set(sys.stdlib_module_names), imported


def test_the_json_report_is_serialisable():
    from {{ cookiecutter.package_name }}.check.report import Finding, Report, RunFigures

    report = Report(REPO_ROOT / "x.pkl", "Python 3.12", "3.12", [Finding("run", ERROR, "m", "f")], RunFigures(1.0))
    assert json.loads(json.dumps(report.as_dict()))["ok"] is False


# -- environments and crashes ----------------------------------------------------------------------

def test_an_environment_holds_the_images_pins_of_what_the_pickle_needs(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMERAI_RUNTIME_CACHE", str(tmp_path))
    pins = environment.requirements(PY312, {"lightgbm", "not-in-the-image"})
    assert pins == tuple(sorted(f"{name}=={PY312.version_of(name)}"
                                for name in ("numpy", "pandas", "pyarrow", "cloudpickle", "lightgbm")))
    folder = environment.environment_folder(PY312, pins, load_settings())
    assert folder.parent == tmp_path and folder.name.startswith("py3.12-")
    assert folder != environment.environment_folder(PY312, environment.requirements(PY312, set()), load_settings())
    folder.mkdir()  # a folder left by an interrupted install is not taken for a finished one
    assert not environments.is_complete(folder, {"requirements": list(pins)})


def test_the_cache_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMERAI_RUNTIME_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert environments.cache_root(load_settings()) == tmp_path / "numerai-gitops" / "runtimes"


def test_this_interpreters_minor_is_found():
    minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    found = environment.find_interpreter(minor, load_settings())
    assert found and subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                                    text=True).stdout.strip() == str(tuple(sys.version_info[:2]))
    assert environment.find_interpreter("2.1", load_settings()) is None


@pytest.mark.parametrize(("code", "check", "words"), [
    (-signal.SIGSEGV, "crash", "SIGSEGV while predicting: the usual cause is a pickle built with another Python"),
    (-signal.SIGKILL, "memory", "killed (SIGKILL) while predicting: most likely out of memory"),
    (-signal.SIGABRT, "crash", "aborted (SIGABRT)"),
])
def test_a_crash_by_signal_names_the_likely_cause(code, check, words):
    events = [{"event": "stage", "stage": "predict"}]
    [finding] = outcome_findings(events, code, False, Limits(), "3.12", "")
    assert finding.check == check and words in finding.message


def test_a_run_that_dies_without_a_signal_shows_its_output():
    [finding] = outcome_findings([{"event": "stage", "stage": "import"}], 1, False, Limits(), "3.12",
                                 "Traceback ...\nImportError: libgomp.so.1: cannot open shared object file")
    assert "exited with code 1 while importing numpy and pandas" in finding.message
    assert "libgomp" in finding.message


def test_a_fix_shared_by_several_findings_is_printed_once():
    data = by_value(predict_with_pandas)
    manifest = manifest_for(data, python={"version": "3.11.7", "minor": "3.11"},
                            libraries={"numpy": "0.0.1", "pandas": "0.0.2", "cloudpickle": "0.0.3"})
    findings = version_findings(manifest, PY312)
    assert len(findings) == 4 and len({finding.fix for finding in findings}) == 1
    from {{ cookiecutter.package_name }}.check.report import Report, render_text

    text = render_text(Report(REPO_ROOT / "x.pkl", "Python 3.12", "3.12", findings))
    assert text.count("fix: ") == 1 and text.count("built with") == 4

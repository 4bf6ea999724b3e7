"""A user who installed the package on any Python gets a pickle Numerai's image accepts: build trains
in the image's Python and pins (a cached build environment), never in the Python that runs the CLI."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from {{ cookiecutter.package_name }}.runtimes import default_runtime, load_catalogue, resolve_runtime
from {{ cookiecutter.package_name }}.runtimes.constraints import constraints_file
from {{ cookiecutter.package_name }}.runtimes.environments import find_interpreter, mismatches, running_minor, uv_executable
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import LIGHTGBM_SPEC, PACKAGE, REPO_ROOT

DEFAULT = LIGHTGBM_SPEC.replace('runtime: "3.12"', "runtime: default")


@pytest.fixture(scope="module")
def python_3_11(tmp_path_factory):
    """A plain `pip install -e .` of this package on Python 3.11 (3.11's pins less the package's tooling, as
    the README says, so from uv's cache)."""
    interpreter = find_interpreter("3.11", load_settings())
    if interpreter is None or uv_executable() is None:
        pytest.skip("needs Python 3.11 and uv")
    runtime = resolve_runtime("3.11", load_catalogue(REPO_ROOT / "runtimes"))
    venv = tmp_path_factory.mktemp("py311") / "venv"
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    subprocess.run([uv_executable(), "venv", "-q", "--python", interpreter, str(venv)], check=True, env=environment)
    subprocess.run([uv_executable(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "-e",
                    str(REPO_ROOT), "-c", str(constraints_file(runtime.lock, venv.parent))], check=True,
                   env=environment)
    return venv / "bin" / "python"


@pytest.mark.slow
def test_a_python_3_11_install_builds_the_default_images_pickle(python_3_11, make_repo, data_cache):
    repo = make_repo({"gbm.yaml": DEFAULT})
    environment = {**os.environ, "NUMERAI_DATA_DIR": str(data_cache)}
    environment.pop("VIRTUAL_ENV", None)
    result = subprocess.run([str(python_3_11), "-m", PACKAGE, "build", "--synthetic"], cwd=repo, env=environment,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr
    [pickle] = (repo / "dist").glob("gbm_model-*.pkl")
    manifest = json.loads(pickle.with_suffix(".json").read_text())
    image = default_runtime(load_catalogue(REPO_ROOT / "runtimes"))
    assert manifest["python"]["minor"] == image.python == "3.12"
    for name in ("numpy", "pandas", "lightgbm", "cloudpickle"):
        assert manifest["libraries"][name] == image.version_of(name), name
    assert manifest["check"]["passed"] is True


def test_this_python_is_the_images_when_it_has_its_minor_and_pins():
    catalogue = load_catalogue(REPO_ROOT / "runtimes")
    image = resolve_runtime(running_minor(), catalogue)
    other = next(runtime for runtime in catalogue if runtime.python != running_minor())
    assert mismatches(image) == []  # the suite runs on its Python's image pins (installed with that lock)
    assert any(item.startswith(f"Python {running_minor()} (the image: {other.python})") for item in mismatches(other))

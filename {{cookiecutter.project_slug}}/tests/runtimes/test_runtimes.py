"""The runtime catalogue, `numerai-deploy runtimes` with and without Numerai, and the pin refresh script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.runtimes import default_runtime, load_catalogue, read_lock, resolve_runtime
from {{ cookiecutter.package_name }}.runtimes.remote import compare, parse_images

from conftest import REPO_ROOT
from standin import NumeraiStandIn

REFRESH = REPO_ROOT / "scripts" / "refresh_runtimes.py"
CATALOGUE_ENTRIES = json.loads((REPO_ROOT / "runtimes" / "catalogue.json").read_text())["runtimes"]
NO_KEYS = {"NUMERAI_PUBLIC_ID": "", "NUMERAI_SECRET_KEY": ""}


def test_every_catalogue_entry_has_its_lock_and_key_pins():
    catalogue = load_catalogue(REPO_ROOT / "runtimes")
    assert [runtime.python for runtime in catalogue] == [entry["python"] for entry in CATALOGUE_ENTRIES]
    for runtime in catalogue:
        assert runtime.lock.exists(), runtime.lock
        for name in ("numpy", "pandas", "cloudpickle", "pyarrow", "lightgbm"):
            assert runtime.version_of(name), (runtime.key, name)
        assert runtime.version_of("numerapi"), "numerapi stays recorded, as a comment"
        assert "\nnumerapi==" not in runtime.lock.read_text(), "numerapi must not be a constraint"


def test_runtime_names_resolve():
    catalogue = load_catalogue(REPO_ROOT / "runtimes")
    assert resolve_runtime("py3.11", catalogue).python == "3.11"
    assert resolve_runtime("3.13", catalogue).python == "3.13"
    assert resolve_runtime("default", catalogue) == default_runtime(catalogue)
    with pytest.raises(UsageError, match="expected 'default' or one of 3.10"):
        resolve_runtime("3.9", catalogue)


def test_without_keys_the_vendored_catalogue_is_used_and_said(cli, make_repo):
    repo = make_repo({})
    result = cli("runtimes", cwd=repo, env=NO_KEYS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("source: vendored catalogue (runtimes/catalogue.json): no NUMERAI_PUBLIC_ID")
    [default] = [entry for entry in CATALOGUE_ENTRIES if entry["default"]]
    [line] = [line for line in result.stdout.splitlines() if "(default)" in line]
    assert f"{default['image']}:{default['tag']}" in line


def compare_with(images: list[dict]):
    return compare(load_catalogue(REPO_ROOT / "runtimes"), parse_images(images))


def remote_images(**changes) -> list[dict]:
    return [{"id": str(number), "name": entry["name"], "image": entry["image"], "tag": entry["tag"],
             "default": entry["default"], "deprecated": False, "experimental": False,
             **changes.get(entry["python"], {})}
            for number, entry in enumerate(CATALOGUE_ENTRIES)]


def test_an_api_that_agrees_reports_nothing_to_do():
    comparison = compare_with(remote_images())
    assert comparison.catalogue_default_agrees and not comparison.missing and not comparison.retagged


def test_the_comparison_finds_a_new_image_a_new_tag_and_another_default():
    images = remote_images(**{"3.12": {"tag": "b1c2d3e", "default": False}, "3.13": {"default": True}})
    images.append({"id": "9", "name": "Python 3.14", "image": "ghcr.io/numerai/numerai_predict_py_3_14",
                   "tag": "c44391d", "default": False, "deprecated": False, "experimental": True})
    comparison = compare_with(images)
    assert comparison.default.name == "Python 3.13" and not comparison.catalogue_default_agrees
    assert [image.name for image in comparison.missing] == ["Python 3.14"]
    assert [(runtime.python, image.tag) for runtime, image in comparison.retagged] == [("3.12", "b1c2d3e")]


@pytest.fixture
def numerai():
    with NumeraiStandIn(public_id="runtime-public", secret_key="runtime-secret") as standin:
        yield standin


def keys_for(numerai, **changes) -> dict:
    return {"NUMERAI_API_URL": numerai.url, "NUMERAI_PUBLIC_ID": numerai.public_id,
            "NUMERAI_SECRET_KEY": numerai.secret_key, **changes}


def test_with_keys_numerai_is_asked_which_image_is_the_default(cli, make_repo, numerai):
    numerai.docker_images.append({"id": "py314", "name": "Python 3.14", "tag": "c44391d",
                                  "image": "ghcr.io/numerai/numerai_predict_py_3_14", "default": False,
                                  "deprecated": False, "experimental": True})
    for image in numerai.docker_images:
        image["default"] = image["name"] == "Python 3.13"
    result = cli("runtimes", cwd=make_repo({}), env=keys_for(numerai))
    assert result.returncode == 0, result.stderr
    assert "computePickleDockerImages" in numerai.operations()
    assert "source: vendored catalogue, compared with Numerai's computePickleDockerImages" in result.stdout
    assert "Numerai's default: Python 3.13" in result.stdout and "differs from the catalogue's default" in result.stdout
    assert "not in the catalogue: Python 3.14 (ghcr.io/numerai/numerai_predict_py_3_14:c44391d, experimental)" \
        in result.stdout
    assert numerai.secret_key not in result.stdout + result.stderr


def test_json_output_carries_numerais_answer(cli, make_repo, numerai):
    result = cli("runtimes", "--json", cwd=make_repo({}), env=keys_for(numerai))
    document = json.loads(result.stdout)
    [default] = [entry for entry in CATALOGUE_ENTRIES if entry["default"]]
    assert document["numerai"]["default"] == f"{default['image']}:{default['tag']}"
    assert document["numerai"]["catalogue_default_agrees"] is True and document["numerai"]["missing"] == []
    assert [runtime["python"] for runtime in document["runtimes"]] == [entry["python"] for entry in CATALOGUE_ENTRIES]


def test_a_wrong_key_is_bad_input(cli, make_repo, numerai):
    result = cli("runtimes", cwd=make_repo({}), env=keys_for(numerai, NUMERAI_SECRET_KEY="wrong"))
    assert result.returncode == 2
    assert "computePickleDockerImages" in result.stderr and "NUMERAI_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_api_falls_back_to_the_vendored_catalogue(cli, make_repo, numerai):
    url = numerai.url
    numerai.stop()  # nothing listens there any more
    result = cli("runtimes", cwd=make_repo({}), env=keys_for(numerai, NUMERAI_API_URL=url, NUMERAI_RETRY_ATTEMPTS="2",
                                                             NUMERAI_RETRY_BACKOFF="0.1"))
    assert result.returncode == 0
    assert f"vendored catalogue (runtimes/catalogue.json): Numerai could not be asked (no answer from {url})" \
        in result.stdout


# -- scripts/refresh_runtimes.py --------------------------------------------------------------------

POETRY_LOCK = textwrap.dedent("""
    [[package]]
    name = "numpy"
    version = "9.9.9"
    description = ""
    optional = false
    python-versions = ">=3.12"

    [[package]]
    name = "Scikit_Learn"
    version = "1.9.0"

    [[package]]
    name = "numerapi"
    version = "2.99.0"

    [metadata]
    lock-version = "2.1"
""")


def refresh(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REFRESH), *arguments], capture_output=True, text=True,
                          env={**os.environ}, timeout=120)


@pytest.fixture
def checkout_and_runtimes(tmp_path) -> tuple[Path, Path]:
    checkout = tmp_path / "numerai-predict"
    (checkout / "py3.12").mkdir(parents=True)
    (checkout / "py3.12" / "poetry.lock").write_text(POETRY_LOCK)
    runtimes = tmp_path / "runtimes"
    runtimes.mkdir()
    for path in (REPO_ROOT / "runtimes").iterdir():
        (runtimes / path.name).write_bytes(path.read_bytes())
    return checkout, runtimes


def test_refresh_rewrites_the_lock_list_from_poetry_lock(checkout_and_runtimes):
    checkout, runtimes = checkout_and_runtimes
    before = read_lock(runtimes / "py3.12.txt")
    result = refresh("--from", str(checkout), "--python", "3.12", "--runtimes", str(runtimes))
    assert result.returncode == 0, result.stderr
    assert f"numpy {before['numpy']} -> 9.9.9" in result.stdout
    text = (runtimes / "py3.12.txt").read_text()
    assert read_lock(runtimes / "py3.12.txt") == {"numpy": "9.9.9", "scikit-learn": "1.9.0", "numerapi": "2.99.0"}
    assert "\n# numerapi==2.99.0  (not a constraint" in text and "\nnumerapi==" not in text
    assert (runtimes / "py3.11.txt").read_bytes() == (REPO_ROOT / "runtimes" / "py3.11.txt").read_bytes()
    catalogue = load_catalogue(runtimes)
    assert resolve_runtime("3.12", catalogue).version_of("scikit-learn") == "1.9.0"


def test_refresh_can_set_the_image_tag(checkout_and_runtimes):
    checkout, runtimes = checkout_and_runtimes
    result = refresh("--from", str(checkout), "--python", "3.12", "--runtimes", str(runtimes),
                     "--ref", "abcdef1234", "--tag")
    assert result.returncode == 0, result.stderr
    tags = {runtime.python: runtime.tag for runtime in load_catalogue(runtimes)}
    assert tags["3.12"] == "abcdef1" and tags["3.11"] == CATALOGUE_ENTRIES[1]["tag"]


@pytest.mark.parametrize(("arguments", "words"), [
    (["--python", "3.9"], "--python 3.9 is not in"),
    (["--python", "3.12", "--tag"], "--tag needs --ref to be a commit"),
])
def test_refresh_refuses_bad_arguments(checkout_and_runtimes, arguments, words):
    checkout, runtimes = checkout_and_runtimes
    result = refresh("--from", str(checkout), "--runtimes", str(runtimes), *arguments)
    assert result.returncode == 2 and words in result.stderr

"""The runtime catalogue, `numerai-deploy runtimes` with and without Numerai, and the pin refresh script."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.runtimes import default_runtime, load_catalogue, read_lock, resolve_runtime
from {{ cookiecutter.package_name }}.runtimes.libraries import IMAGE_PINNED_LIBRARIES
from {{ cookiecutter.package_name }}.runtimes.remote import compare, parse_images

from conftest import REPO_ROOT
from standin import NumeraiStandIn

REFRESH = REPO_ROOT / "scripts" / "refresh_runtimes.py"
CATALOGUE_ENTRIES = json.loads((REPO_ROOT / "runtimes" / "catalogue.json").read_text())["runtimes"]
NO_KEYS = {"NUMERAI_PUBLIC_ID": "", "NUMERAI_SECRET_KEY": "", "NUMERAI_API_URL": ""}
# A line of a lock list: one exact pin of a normalised name, or a comment.
PIN_LINE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*==[^\s=;]+")
# The numerai_predict images built from each commit (an image's tag is the commit): py3.13 came in
# 03624a6 (2026-03-04), so there is no numerai_predict_py_3_13:a78dedd.
KNOWN_BUILDS = {"a78dedd": {"3.10", "3.11", "3.12"}, "19d1769": {"3.10", "3.11", "3.12", "3.13"}}
NEVER_BUILT = {("3.13", "a78dedd")}


# -- the catalogue ----------------------------------------------------------------------------------


def test_every_catalogue_entry_has_its_lock_and_key_pins():
    catalogue = load_catalogue(REPO_ROOT / "runtimes")
    assert [runtime.python for runtime in catalogue] == [entry["python"] for entry in CATALOGUE_ENTRIES]
    for runtime in catalogue:
        assert runtime.lock.name == f"py{runtime.python}-{runtime.tag}.txt", "pins are keyed by runtime and tag"
        assert runtime.pins_path == f"runtimes/{runtime.lock.name}"
        for name in IMAGE_PINNED_LIBRARIES:
            assert runtime.version_of(name), (runtime.key, name)
        assert runtime.version_of("numerapi"), "numerapi stays recorded, as a comment"
        assert "\nnumerapi==" not in runtime.lock.read_text(), "numerapi must not be a constraint"
    assert sorted(path.name for path in (REPO_ROOT / "runtimes").glob("py3.*.txt")) == \
        sorted(runtime.lock.name for runtime in catalogue), "no lock list that no entry names"


@pytest.mark.parametrize("entry", CATALOGUE_ENTRIES, ids=lambda entry: f"py{entry['python']}-{entry['tag']}")
def test_each_lock_list_is_its_own_tags_and_pins_what_a_pickle_holds(entry):
    """Whatever tag the catalogue names: its lock list says it is that Python's poetry.lock at that
    commit (the versions the image carries, not master's), every other line is one exact pin, by
    name, and each library a pickle holds objects of is pinned (a constraint, not a comment)."""
    runtime = resolve_runtime(entry["python"], load_catalogue(REPO_ROOT / "runtimes"))
    lines = runtime.lock.read_text(encoding="utf-8").splitlines()
    header = " ".join(itertools.takewhile(lambda line: line.startswith("#"), lines))
    assert f"numerai_predict_py_{runtime.python.replace('.', '_')}" in header, header
    assert f"py{runtime.python}/poetry.lock at commit {runtime.tag}" in header, header
    pins = [line for line in lines if not line.startswith("#")]
    assert pins, runtime.lock.name
    assert [line for line in pins if not PIN_LINE.fullmatch(line)] == [], "not a pin (name==version)"
    names = [line.split("==")[0] for line in pins]
    assert names == sorted(set(names)), "one pin per package, by name"
    for name in IMAGE_PINNED_LIBRARIES:
        assert name in names, f"{runtime.lock.name} does not pin {name}"


def test_no_entry_names_an_image_numerai_predict_never_built():
    for entry in CATALOGUE_ENTRIES:
        assert (entry["python"], entry["tag"]) not in NEVER_BUILT, entry
        if entry["tag"] in KNOWN_BUILDS:
            assert entry["python"] in KNOWN_BUILDS[entry["tag"]], entry
        assert entry["image"] == f"ghcr.io/numerai/numerai_predict_py_{entry['python'].replace('.', '_')}"
    assert sum(entry["default"] for entry in CATALOGUE_ENTRIES) == 1


def test_runtime_names_resolve():
    catalogue = load_catalogue(REPO_ROOT / "runtimes")
    assert resolve_runtime("py3.11", catalogue).python == "3.11"
    assert resolve_runtime("3.13", catalogue).python == "3.13"
    assert resolve_runtime("default", catalogue) == default_runtime(catalogue)
    with pytest.raises(UsageError, match="expected 'default' or one of 3.10"):
        resolve_runtime("3.9", catalogue)


@pytest.fixture
def runtimes_copy(tmp_path) -> Path:
    runtimes = tmp_path / "runtimes"
    shutil.copytree(REPO_ROOT / "runtimes", runtimes)
    return runtimes


def edit_catalogue(runtimes: Path, index: int, **changes) -> None:
    document = json.loads((runtimes / "catalogue.json").read_text())
    document["runtimes"][index].update(changes)
    (runtimes / "catalogue.json").write_text(json.dumps(document))


@pytest.mark.parametrize(("changes", "words"), [
    ({"lock": "py3.10.txt"}, "At key runtimes[0].lock ==> expected 'py3.10-"),
    ({"tag": "latest"}, "At key runtimes[0].tag ==> expected the numerai-predict commit"),
    ({"python": "3.11"}, "At key runtimes[0].lock ==> expected 'py3.11-"),
    ({"experimental": "yes"}, "At key runtimes[0].experimental ==> expected true or false"),
])
def test_a_broken_catalogue_entry_is_named(runtimes_copy, changes, words):
    edit_catalogue(runtimes_copy, 0, **changes)
    with pytest.raises(UsageError) as raised:
        load_catalogue(runtimes_copy)
    assert str(raised.value).startswith(f"File {runtimes_copy / 'catalogue.json'} ==> ")
    assert words in str(raised.value)


def test_a_missing_lock_list_says_how_to_get_it(runtimes_copy):
    (runtimes_copy / CATALOGUE_ENTRIES[0]["lock"]).unlink()
    with pytest.raises(UsageError, match=r"refresh_runtimes.py --ref a78dedd --python 3.10"):
        load_catalogue(runtimes_copy)


def test_without_keys_the_vendored_catalogue_is_used_and_said(cli, make_repo):
    repo = make_repo({})
    result = cli("runtimes", cwd=repo, env=NO_KEYS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("source: vendored catalogue (runtimes/catalogue.json): no NUMERAI_PUBLIC_ID")
    [default] = [entry for entry in CATALOGUE_ENTRIES if entry["default"]]
    [line] = [line for line in result.stdout.splitlines() if "(default)" in line]
    assert f"{default['image']}:{default['tag']}" in line and f"pins: runtimes/{default['lock']}" in line
    document = json.loads(cli("runtimes", "--json", cwd=repo, env=NO_KEYS).stdout)
    assert document["drift"] is None and document["changes"] is None and document["numerai"] is None


# -- comparing with Numerai -------------------------------------------------------------------------


def compare_with(images: list[dict]):
    return compare(load_catalogue(REPO_ROOT / "runtimes"), parse_images(images))


def remote_images(**changes) -> list[dict]:
    return [{"id": str(number), "name": entry["name"], "image": entry["image"], "tag": entry["tag"],
             "default": entry["default"], "deprecated": False, "experimental": False,
             **changes.get(entry["python"], {})}
            for number, entry in enumerate(CATALOGUE_ENTRIES)]


PY314 = {"id": "9", "name": "Python 3.14", "image": "ghcr.io/numerai/numerai_predict_py_3_14",
         "tag": "c44391d", "default": False, "deprecated": False, "experimental": True}
PY39 = {"id": "8", "name": "Python 3.9", "image": "ghcr.io/numerai/numerai_predict_py_3_9",
        "tag": "0a1b2c3", "default": False, "deprecated": True, "experimental": False}


def test_an_api_that_agrees_reports_nothing_to_do():
    comparison = compare_with(remote_images())
    assert comparison.catalogue_default_agrees and not comparison.missing and not comparison.retagged
    assert comparison.changes == [] and comparison.drift is False


def test_the_comparison_finds_a_new_image_a_new_tag_and_another_default():
    images = remote_images(**{"3.12": {"tag": "b1c2d3e", "default": False}, "3.13": {"default": True}})
    images.append(PY314)
    comparison = compare_with(images)
    assert comparison.default.name == "Python 3.13" and not comparison.catalogue_default_agrees
    assert [image.name for image in comparison.missing] == ["Python 3.14"]
    assert [(runtime.python, image.tag) for runtime, image in comparison.retagged] == [("3.12", "b1c2d3e")]
    assert comparison.drift
    changes = {change.python: change for change in comparison.changes}
    assert list(changes) == ["3.12", "3.13", "3.14"]
    assert changes["3.12"].kind == "retagged" and changes["3.12"].was == {"tag": "a78dedd", "default": True}
    assert changes["3.13"].kind == "flags" and changes["3.13"].was == {"default": False}
    assert changes["3.14"].kind == "new" and changes["3.14"].experimental and not changes["3.14"].default


def test_deprecated_images_are_shown_not_added_and_a_deprecation_is_drift():
    comparison = compare_with([*remote_images(**{"3.10": {"deprecated": True}}), PY39])
    assert [image.name for image in comparison.missing] == ["Python 3.9"]
    [change] = comparison.changes
    assert (change.python, change.kind, change.deprecated, change.was) == ("3.10", "flags", True, {"deprecated": False})


def test_an_image_numerai_no_longer_lists_is_drift():
    comparison = compare_with([image for image in remote_images() if image["name"] != "Python 3.10"])
    assert [runtime.python for runtime in comparison.gone] == ["3.10"]
    assert [(change.python, change.kind) for change in comparison.changes] == [("3.10", "gone")]


@pytest.fixture
def numerai():
    with NumeraiStandIn(public_id="runtime-public-id", secret_key="runtime-secret-key") as standin:
        yield standin


def keys_for(numerai, **changes) -> dict:
    return {"NUMERAI_API_URL": numerai.url, "NUMERAI_PUBLIC_ID": numerai.public_id,
            "NUMERAI_SECRET_KEY": numerai.secret_key, **changes}


def test_with_keys_numerai_is_asked_for_every_image_and_the_default(cli, make_repo, numerai):
    numerai.docker_images += [{**PY314, "id": "py314"}, {**PY39, "id": "py39"}]
    for image in numerai.docker_images:
        image["default"] = image["name"] == "Python 3.13"
    result = cli("runtimes", cwd=make_repo({}), env=keys_for(numerai))
    assert result.returncode == 0, result.stderr
    [request] = [entry for entry in numerai.requests if entry.get("operation") == "computePickleDockerImages"]
    assert re.search(r"computePickleDockerImages\(deprecated: true\)", request["query"])
    assert "source: vendored catalogue, compared with Numerai's computePickleDockerImages" in result.stdout
    assert "Numerai's default: Python 3.13" in result.stdout and "differs from the catalogue's default" in result.stdout
    assert "  Python 3.14 (ghcr.io/numerai/numerai_predict_py_3_14:c44391d) (experimental)" in result.stdout
    assert "  Python 3.9 (ghcr.io/numerai/numerai_predict_py_3_9:0a1b2c3) (deprecated)" in result.stdout
    assert "not in the catalogue: Python 3.14 (ghcr.io/numerai/numerai_predict_py_3_14:c44391d, experimental) " \
           "==> python scripts/refresh_runtimes.py --ref c44391d --python 3.14" in result.stdout
    assert "not in the catalogue: Python 3.9 (ghcr.io/numerai/numerai_predict_py_3_9:0a1b2c3, deprecated): left out" \
        in result.stdout
    assert "drift: 3 change(s)" in result.stdout
    assert numerai.secret_key not in result.stdout + result.stderr


def test_json_output_says_there_is_no_drift(cli, make_repo, numerai, tmp_path):
    report = tmp_path / "report.json"
    result = cli("runtimes", "--json", "--report", str(report), cwd=make_repo({}), env=keys_for(numerai))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert json.loads(report.read_text()) == document
    [default] = [entry for entry in CATALOGUE_ENTRIES if entry["default"]]
    assert document["drift"] is False and document["changes"] == []
    assert document["numerai"]["default"] == f"{default['image']}:{default['tag']}"
    assert document["numerai"]["catalogue_default_agrees"] is True and document["numerai"]["missing"] == []
    assert [runtime["python"] for runtime in document["runtimes"]] == [entry["python"] for entry in CATALOGUE_ENTRIES]
    assert [runtime["lock"] for runtime in document["runtimes"]] == [f"runtimes/{entry['lock']}"
                                                                     for entry in CATALOGUE_ENTRIES]
    assert numerai.secret_key not in report.read_text()


def test_a_wrong_key_is_bad_input(cli, make_repo, numerai):
    result = cli("runtimes", cwd=make_repo({}), env=keys_for(numerai, NUMERAI_SECRET_KEY="wrong-secret-key-5e1a"))
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


def poetry_lock(numpy: str) -> str:
    return textwrap.dedent(f"""
        [[package]]
        name = "numpy"
        version = "{numpy}"
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
def checkout(tmp_path) -> Path:
    """A numerai-predict checkout (at the commit the tests name) with py3.12 and py3.14 locks."""
    folder = tmp_path / "numerai-predict"
    for python, numpy in (("3.12", "9.9.9"), ("3.14", "2.4.1")):
        (folder / f"py{python}").mkdir(parents=True)
        (folder / f"py{python}" / "poetry.lock").write_text(poetry_lock(numpy))
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_refresh_moves_a_runtime_to_a_tag_and_its_own_lock(checkout, runtimes_copy):
    before = read_lock(runtimes_copy / "py3.12-a78dedd.txt")
    result = refresh("--from", str(checkout), "--ref", "b1c2d3e4f5", "--python", "3.12",
                     "--runtimes", str(runtimes_copy))
    assert result.returncode == 0, result.stderr
    assert f"py3.12: tag a78dedd -> b1c2d3e, 3 packages; numpy {before['numpy']} -> 9.9.9" in result.stdout
    assert "removed py3.12-a78dedd.txt" in result.stdout
    assert not (runtimes_copy / "py3.12-a78dedd.txt").exists()
    text = (runtimes_copy / "py3.12-b1c2d3e.txt").read_text()
    assert text.startswith("# Package versions locked in the numerai_predict_py_3_12:b1c2d3e image\n")
    assert "py3.12/poetry.lock at commit b1c2d3e" in text
    assert read_lock(runtimes_copy / "py3.12-b1c2d3e.txt") == {"numpy": "9.9.9", "scikit-learn": "1.9.0",
                                                               "numerapi": "2.99.0"}
    assert "\n# numerapi==2.99.0  (not a constraint" in text and "\nnumerapi==" not in text
    untouched = "py3.11-a78dedd.txt"
    assert (runtimes_copy / untouched).read_bytes() == (REPO_ROOT / "runtimes" / untouched).read_bytes()
    runtime = resolve_runtime("3.12", load_catalogue(runtimes_copy))
    assert (runtime.tag, runtime.lock.name, runtime.default) == ("b1c2d3e", "py3.12-b1c2d3e.txt", True)
    assert runtime.version_of("scikit-learn") == "1.9.0"
    # One line per runtime, so a pull request's diff shows which one moved.
    lines = (runtimes_copy / "catalogue.json").read_text().splitlines()
    assert sum('"python": "3.12"' in line and '"tag": "b1c2d3e"' in line for line in lines) == 1


def test_refresh_adds_an_experimental_runtime(checkout, runtimes_copy):
    result = refresh("--from", str(checkout), "--ref", "c44391d", "--python", "3.14", "--experimental",
                     "--runtimes", str(runtimes_copy))
    assert result.returncode == 0, result.stderr
    runtime = resolve_runtime("3.14", load_catalogue(runtimes_copy))
    assert (runtime.image, runtime.tag, runtime.experimental, runtime.default) == \
        ("ghcr.io/numerai/numerai_predict_py_3_14", "c44391d", True, False)


def test_a_lock_that_cannot_be_read_changes_nothing(checkout, runtimes_copy):
    before = snapshot(runtimes_copy)
    result = refresh("--from", str(checkout), "--ref", "b1c2d3e", "--python", "3.12", "--python", "3.13",
                     "--runtimes", str(runtimes_copy))
    assert result.returncode == 1
    assert "has no py3.13 there" in result.stderr and "nothing was changed" in result.stderr
    assert snapshot(runtimes_copy) == before


@pytest.mark.parametrize(("arguments", "words"), [
    (["--python", "3.12"], "--ref (missing) ==> expected the image's tag"),
    (["--ref", "master", "--python", "3.12"], "--ref master ==> expected the image's tag"),
    (["--ref", "b1c2d3e", "--python", "three"], "--python three ==> expected a Python minor"),
])
def test_refresh_refuses_bad_arguments(checkout, runtimes_copy, arguments, words):
    before = snapshot(runtimes_copy)
    result = refresh("--from", str(checkout), "--runtimes", str(runtimes_copy), *arguments)
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert snapshot(runtimes_copy) == before


def test_the_drift_report_is_applied_and_then_nothing_drifts(cli, make_repo, numerai, checkout, tmp_path):
    """What the health workflow does: compare with the key, then refresh from the report alone."""
    repo = make_repo({})
    for image in numerai.docker_images:
        if image["name"] == "Python 3.12":
            image["tag"] = "b1c2d3e"
    numerai.docker_images.append({**PY314, "id": "py314"})
    numerai.docker_images.append({**PY39, "id": "py39"})
    report = tmp_path / "report.json"
    assert cli("runtimes", "--report", str(report), cwd=repo, env=keys_for(numerai)).returncode == 0
    assert json.loads(report.read_text())["drift"] is True
    summary = tmp_path / "summary.md"
    result = refresh("--from", str(checkout), "--report", str(report), "--summary", str(summary),
                     "--runtimes", str(repo / "runtimes"))
    assert result.returncode == 0, result.stderr
    assert "- py3.12: tag a78dedd -> b1c2d3e" in summary.read_text()
    assert "- py3.14: added (ghcr.io/numerai/numerai_predict_py_3_14:c44391d)" in summary.read_text()
    catalogue = {runtime.python: runtime for runtime in load_catalogue(repo / "runtimes")}
    assert sorted(catalogue) == ["3.10", "3.11", "3.12", "3.13", "3.14"], "a deprecated image is not added"
    assert catalogue["3.14"].experimental and catalogue["3.12"].lock.name == "py3.12-b1c2d3e.txt"
    after = cli("runtimes", "--json", cwd=repo, env=keys_for(numerai))
    assert json.loads(after.stdout)["drift"] is False, after.stdout


def test_a_report_without_drift_changes_nothing(runtimes_copy, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"drift": None, "changes": None}))
    before = snapshot(runtimes_copy)
    result = refresh("--report", str(report), "--runtimes", str(runtimes_copy))
    assert result.returncode == 0 and "no drift, nothing to refresh" in result.stdout
    assert snapshot(runtimes_copy) == before


@pytest.mark.parametrize(("change", "words"), [
    ({"python": "3.12; rm -rf /", "tag": "b1c2d3e", "kind": "retagged"}, "At key changes[0].python"),
    ({"python": "3.12", "tag": "../../etc", "kind": "retagged"}, "At key changes[0].tag"),
    ({"python": "3.12", "tag": "b1c2d3e", "kind": "replace"}, "At key changes[0].kind"),
])
def test_a_report_is_checked_before_it_is_applied(runtimes_copy, tmp_path, change, words):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"drift": True, "changes": [change]}))
    before = snapshot(runtimes_copy)
    result = refresh("--report", str(report), "--runtimes", str(runtimes_copy))
    assert result.returncode == 2 and f"File {report} ==> {words}" in result.stderr, result.stderr
    assert snapshot(runtimes_copy) == before

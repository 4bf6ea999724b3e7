"""Every numerai_predict image in the baked catalogue builds and checks the example ensemble (LightGBM,
scikit-learn and a stacking layer) on synthetic data, in that image's Python with its own lock.

One bake and one environment serve every image: the CLI runs from the default image's environment and
`build` makes each other image's build environment from its lock (uv's cache makes that a matter of
seconds); check environments are the shared, cached ones every bake uses. The synthetic dataset is the
smallest that still scores every era. Run it alone with `pytest -m images` (or this file).
"""

from __future__ import annotations

import json
import re
import time

import pytest

from baking import TEMPLATE, bake, install, run
from pythons import find_python

pytestmark = pytest.mark.images

CATALOGUE = TEMPLATE / "{{cookiecutter.project_slug}}" / "runtimes" / "catalogue.json"
MINORS = [entry["python"] for entry in json.loads(CATALOGUE.read_text(encoding="utf-8"))["runtimes"]]

# Run in the baked environment: the baked catalogue as the package reads it, and a small synthetic
# dataset of every vendored version, named as that version, where `build --synthetic` looks for its own.
PREPARE = """
import json, sys
from dataclasses import replace
from pathlib import Path
from {package}.data.download import version_dir
from {package}.data.synthetic import version_shape, write_dataset
from {package}.datasets import load_versions
from {package}.runtimes import load_catalogue

repo, data = Path(sys.argv[1]), Path(sys.argv[2])
versions = load_versions(repo / "datasets")
for name in versions:
    shape = replace(version_shape(versions, name), train_eras=24, validation_eras=8, rows_per_era=80,
                    live_rows=200)
    write_dataset(version_dir(data, name, synthetic=True), shape)
print(json.dumps({{runtime.python: {{"image": f"{{runtime.image}}:{{runtime.tag}}", "packages": runtime.packages}}
                  for runtime in load_catalogue(repo / "runtimes")}}))
"""
# Build environments belong to one project folder: this bake's go with it (check environments stay).
REMOVE_BUILD_ENVIRONMENTS = """
import shutil, sys
from pathlib import Path
from {package}.artifact.environment import build_environment_folder
from {package}.runtimes import load_catalogue
from {package}.settings import load_settings

repo = Path(sys.argv[1]).resolve()
for runtime in load_catalogue(repo / "runtimes"):
    folder = build_environment_folder(repo, runtime, load_settings())
    shutil.rmtree(folder, ignore_errors=True)
    folder.with_name(folder.name + ".lock").unlink(missing_ok=True)
"""


def slot_of(minor: str) -> str:
    return f"ensemble_py{minor.replace('.', '_')}"


def ensemble_spec(example: str, minor: str) -> str:
    """The example ensemble with its own slot name and the image's Python as its runtime."""
    spec = example
    for key, value in (("slot", slot_of(minor)), ("runtime", f'"{minor}"')):
        spec, count = re.subn(rf"^{key}:.*$", f"{key}: {value}", spec, flags=re.MULTILINE)
        assert count == 1, f"examples/ensemble.yaml has no top-level `{key}:` line"
    return spec


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """The ensemble built (and checked, as build does) for every image in one `build` run."""
    started = time.monotonic()
    scratch = tmp_path_factory.mktemp("images")
    repo = bake(scratch)
    bin_dir = install(repo)
    installed = time.monotonic()
    [package] = [path.parent.name for path in (repo / "src").glob("*/__init__.py")]
    environment = {"NUMERAI_DATA_DIR": str(scratch / "data")}
    prepared = run(bin_dir, "python", "-c", PREPARE.format(package=package), str(repo), str(scratch / "data"),
                   cwd=repo, env=environment)
    catalogue = json.loads(prepared.stdout)
    present = [minor for minor in catalogue if find_python(minor)]
    if not present:
        pytest.skip("no Python of any image in the catalogue on this machine")
    example = (repo / "examples" / "ensemble.yaml").read_text(encoding="utf-8")
    for minor in present:
        (repo / "models" / f"{slot_of(minor)}.yaml").write_text(ensemble_spec(example, minor), encoding="utf-8")
    built = run(bin_dir, "numerai-deploy", "build", "--synthetic", *map(slot_of, present), cwd=repo,
                env=environment, check=False, timeout=1800)
    finished = time.monotonic()
    print(f"images: {len(present)} images built and checked in {finished - installed:.0f} s "
          f"(bake and install {installed - started:.0f} s)")
    yield {"repo": repo, "catalogue": catalogue, "build": built}
    run(bin_dir, "python", "-c", REMOVE_BUILD_ENVIRONMENTS.format(package=package), str(repo), cwd=repo)


def test_the_catalogue_the_tests_cover_is_the_baked_one(images):
    assert sorted(images["catalogue"]) == sorted(MINORS)
    assert images["build"].returncode == 0, images["build"].stdout[-6000:] + images["build"].stderr[-4000:]


@pytest.mark.parametrize("minor", MINORS)
def test_the_image_builds_and_checks_the_example_ensemble(images, minor):
    if not find_python(minor):
        pytest.skip(f"no Python {minor} on this machine (e.g. `pyenv install {minor}`)")
    build = images["build"]
    output = build.stdout[-6000:] + build.stderr[-4000:]
    pickles = list((images["repo"] / "dist").glob(f"{slot_of(minor)}-*.pkl"))
    assert len(pickles) == 1, output
    manifest = json.loads(pickles[0].with_suffix(".json").read_text(encoding="utf-8"))
    image = images["catalogue"][minor]
    pins = image["packages"]

    assert manifest["runtime"]["python"] == manifest["python"]["minor"] == minor
    assert manifest["environment"]["matches_image"] is True
    assert {"lightgbm", "scikit-learn", "numpy", "pandas", "cloudpickle"} <= set(manifest["libraries"])
    for versions in (manifest["libraries"], manifest["environment"]["libraries"]):
        assert versions == {name: pins.get(name) for name in versions}, f"Python {minor}: not the lock's versions"

    check = manifest["check"]
    assert check["passed"] is True and check["errors"] == 0, output
    assert check["image"] == image["image"]
    assert check["sha256"] == manifest["pickle"]["sha256"], "check judged other bytes than the pickle's"

"""A slot's fingerprint hashes the code its build uses and ships: an edit elsewhere rebuilds nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from {{ cookiecutter.package_name }}.artifact.code import used_modules
from {{ cookiecutter.package_name }}.artifact.fingerprint import fingerprint
from {{ cookiecutter.package_name }}.modelspec import load_specs
from {{ cookiecutter.package_name }}.runtimes import load_catalogue, resolve_runtime

from conftest import CUSTOM_SPEC, LIGHTGBM_SPEC, PACKAGE, REPO_ROOT


def fingerprints(root: Path, package_dir: Path) -> dict[str, str]:
    catalogue = load_catalogue(root / "runtimes")
    return {item.spec.slot: fingerprint(item.spec, resolve_runtime(item.spec.runtime, catalogue), package_dir)
            for item in load_specs(root / "models")}


def touch(path: Path, text: str = "\n# edited\n") -> None:
    path.write_text(path.read_text() + text)


def test_an_edit_to_one_custom_model_leaves_a_lightgbm_slots_fingerprint_unchanged(make_repo):
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC, "custom.yaml": CUSTOM_SPEC})
    package_dir = root / "src" / PACKAGE
    shutil.copytree(REPO_ROOT / "src" / PACKAGE, package_dir, ignore=shutil.ignore_patterns("__pycache__"))
    custom = package_dir / "custom"
    (custom / "helpers.py").write_text("SCALE = 1.0\n")
    touch(custom / "example.py", "\nfrom .helpers import SCALE  # noqa: E402\n")
    (custom / "other.py").write_text("x = 1\n")  # another slot's model
    first = fingerprints(root, package_dir)

    touch(custom / "helpers.py")  # what the custom entry point's module imports
    second = fingerprints(root, package_dir)
    assert second["custom_model"] != first["custom_model"]
    assert second["gbm_model"] == first["gbm_model"]

    touch(custom / "other.py")
    (custom / "scratch.py").write_text("y = 2\n")
    touch(package_dir / "deploy" / "deployer.py")  # uploads, never inside a pickle
    assert fingerprints(root, package_dir) == second

    touch(package_dir / "bundle" / "predictor.py")  # inside every pickle
    third = fingerprints(root, package_dir)
    assert all(third[slot] != second[slot] for slot in second)


def test_a_spec_naming_a_class_of_the_package_counts_its_module(tmp_path):
    package_dir = tmp_path / PACKAGE
    shutil.copytree(REPO_ROOT / "src" / PACKAGE, package_dir, ignore=shutil.ignore_patterns("__pycache__"))
    (package_dir / "custom" / "shrunk.py").write_text("from . import weights\n\n\nclass Shrunk:\n    pass\n")
    (package_dir / "custom" / "weights.py").write_text("W = 1\n")
    document = {"model": {"type": "sklearn", "estimator": f"{PACKAGE}.custom.shrunk.Shrunk"}}
    assert {"custom", "custom.shrunk", "custom.weights"} <= set(used_modules(package_dir, document))


def test_the_training_step_uses_bundle_and_train_and_no_command_deploy_or_custom_module():
    used = used_modules(REPO_ROOT / "src" / PACKAGE, {"model": {"type": "lightgbm"}})
    assert {"", "bundle.predictor", "train.ensemble", "train.estimators", "artifact.builder"} <= set(used)
    assert not [name for name in used if name.startswith(("commands", "deploy", "custom", "monitor", "plan", "main"))]

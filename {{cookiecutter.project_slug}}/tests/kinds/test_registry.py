"""Model kinds are plug-ins: every `model.type` of the spec has one kind in the table, each kind follows
the Protocol, and no module outside kinds/ switches on a model kind's class."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.kinds import KINDS, ModelKind, kind_of
from {{ cookiecutter.package_name }}.modelspec.model import Definition, ModelSpec

from conftest import PACKAGE, REPO_ROOT

SOURCE = REPO_ROOT / "src" / PACKAGE
KIND_CLASSES = {cls.__name__ for cls in Definition.__subclasses__()} | {"Definition"}


def kind_checks(source: str) -> list[int]:
    """Lines of `isinstance`/`issubclass` calls whose class argument names a model kind's spec class."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("isinstance", "issubclass") and len(node.args) == 2):
            continue
        names = {part.id for part in ast.walk(node.args[1]) if isinstance(part, ast.Name)}
        names |= {part.attr for part in ast.walk(node.args[1]) if isinstance(part, ast.Attribute)}
        if names & KIND_CLASSES:
            found.append(node.lineno)
    return found


def test_the_scan_finds_a_switch_on_a_model_kind():
    assert KIND_CLASSES >= {"LightGBMModel", "SklearnModel", "CustomModel", "EnsembleModel"}
    assert kind_checks("if isinstance(model, (LightGBMModel, int)):\n    pass\n") == [1]
    assert kind_checks("ok = isinstance(model, model_module.EnsembleModel)\n") == [1]
    assert kind_checks("ok = isinstance(value, dict)\n") == []


def test_no_module_outside_kinds_switches_on_a_model_kind():
    modules = sorted(SOURCE.rglob("*.py"))
    assert len(modules) > 50, f"the package's modules under {SOURCE}"
    switching = {str(path.relative_to(SOURCE)): lines for path in modules
                 if path.relative_to(SOURCE).parts[0] != "kinds" and (lines := kind_checks(path.read_text()))}
    assert switching == {}, "a model kind's behaviour belongs in its module under kinds/"


def test_every_model_type_of_the_spec_has_one_kind():
    types = set(ModelSpec.model_json_schema()["$defs"]["Member"]["properties"]["model"]["discriminator"]["mapping"])
    assert types == set(KINDS) == {"lightgbm", "sklearn", "custom", "ensemble"}
    for name, kind in KINDS.items():
        assert kind.name == name


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_follows_the_protocol(name):
    kind = KINDS[name]
    for method in ("parameter_problems", "peak", "fit", "modules"):
        wanted = list(inspect.signature(getattr(ModelKind, method)).parameters)[1:]
        assert list(inspect.signature(getattr(kind, method)).parameters) == wanted, f"{name}.{method}"


def test_an_unknown_definition_has_no_kind():
    with pytest.raises(TypeError, match="not a model definition"):
        kind_of(object())


def test_kinds_live_in_their_own_modules():
    modules = {Path(inspect.getfile(type(kind))).stem for kind in KINDS.values()}
    assert modules == {"lightgbm", "estimator", "custom", "ensemble"}

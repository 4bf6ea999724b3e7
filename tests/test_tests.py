"""The template's own tests can fail too: the baked repository's scan for asserts only inside loops that may
not run (`{{cookiecutter.project_slug}}/tests/test_tests.py`), on this folder."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCAN = HERE.parent / "{{cookiecutter.project_slug}}" / "tests" / "test_tests.py"


def loop_only_asserts(folder: Path) -> list[str]:
    spec = importlib.util.spec_from_file_location("baked_test_scan", SCAN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.loop_only_asserts(folder)


def test_no_template_test_asserts_only_inside_a_loop_that_may_not_run():
    assert len(sorted(HERE.glob("test_*.py"))) > 5, "the scan sees the template's tests"
    assert loop_only_asserts(HERE) == []

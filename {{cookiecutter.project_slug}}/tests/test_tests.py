"""Every test can fail: none asserts only inside a loop over something that may be empty.

A loop over a glob, a file's lines or a parsed list runs zero times when the collection is empty, and a
test whose every assert sits in such a loop then passes without checking anything. Such a test needs a
guard outside the loop (`assert items`, `assert len(found) == 3`), or a loop over a literal."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def surely_non_empty(iterable: ast.expr) -> bool:
    """A literal with items, or range() of a positive constant: a loop over it runs."""
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):  # `*items` may add nothing
        return any(not isinstance(item, ast.Starred) or surely_non_empty(item.value) for item in iterable.elts)
    if isinstance(iterable, ast.Dict):
        return bool(iterable.keys)
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.args:
        if iterable.func.id == "range":
            stop = iterable.args[-1] if len(iterable.args) == 1 else iterable.args[1]
            start = iterable.args[0] if len(iterable.args) > 1 else ast.Constant(0)
            return (isinstance(stop, ast.Constant) and isinstance(start, ast.Constant)
                    and isinstance(stop.value, int) and isinstance(start.value, int) and stop.value > start.value)
        if iterable.func.id in ("enumerate", "sorted", "reversed", "list", "tuple"):
            return surely_non_empty(iterable.args[0])
        if iterable.func.id == "zip":
            return all(surely_non_empty(argument) for argument in iterable.args)
    return False


def asserts(node: ast.AST, looped: bool) -> list[bool]:
    """For each assert under `node` (not inside nested functions): whether a loop that may not run holds it."""
    found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, ast.Assert):
            found.append(looped)
        inner = looped or (isinstance(child, (ast.For, ast.AsyncFor, ast.While))
                           and not (isinstance(child, (ast.For, ast.AsyncFor)) and surely_non_empty(child.iter)))
        if isinstance(child, (ast.For, ast.AsyncFor)):
            # The loop's iterable and its else clause run whether or not the body does.
            found += asserts(ast.Module(body=child.orelse, type_ignores=[]), looped)
            for statement in child.body:
                found += asserts(ast.Module(body=[statement], type_ignores=[]), inner)
        else:
            found += asserts(child, looped)
    return found


def loop_only_asserts(folder: Path) -> list[str]:
    """`file:line test_name` of each test whose asserts are all inside loops that may run zero times."""
    offenders = []
    for path in sorted(folder.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                found = asserts(node, looped=False)
                if found and all(found):
                    offenders.append(f"{path.relative_to(folder).as_posix()}:{node.lineno} {node.name}")
    return offenders


def test_no_test_asserts_only_inside_a_loop_that_may_not_run():
    files = sorted(TESTS.rglob("test_*.py"))
    assert len(files) > 10, "the scan sees the suite"
    assert loop_only_asserts(TESTS) == []


def test_the_scan_finds_a_loop_only_assert_and_accepts_a_guard(tmp_path):
    (tmp_path / "test_sample.py").write_text(
        "def test_unguarded(paths):\n    for path in paths:\n        assert path.exists()\n\n\n"
        "def test_guarded(paths):\n    assert paths\n    for path in paths:\n        assert path.exists()\n\n\n"
        "def test_literal():\n    for value in (1, 2):\n        assert value\n\n\n"
        "def test_starred(paths):\n    for path in [*paths]:\n        assert path\n", encoding="utf-8")
    assert loop_only_asserts(tmp_path) == ["test_sample.py:1 test_unguarded", "test_sample.py:17 test_starred"]

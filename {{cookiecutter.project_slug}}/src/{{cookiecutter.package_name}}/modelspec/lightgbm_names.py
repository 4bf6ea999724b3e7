"""The parameter names LightGBM accepts, read without importing lightgbm.

`import lightgbm` brings pandas, scikit-learn and scipy with it: seconds, for a `validate` that only
compares names (and runs on every commit as a pre-commit hook). The names are the ones lightgbm itself
gives: its C library's parameters and aliases (LGBM_DumpParamAliases, the call behind
`lightgbm.basic._ConfigAliases`) and the keyword arguments of `LGBMModel.__init__`, read from the
installed package's source. None when either cannot be read: spec.parameters then imports lightgbm.
"""

from __future__ import annotations

import ast
import ctypes
import importlib.util
import json
from pathlib import Path


def package_folder() -> Path | None:
    spec = importlib.util.find_spec("lightgbm")  # finds the package without importing it
    return Path(spec.origin).parent if spec and spec.origin else None


def library_aliases(folder: Path) -> dict[str, list[str]]:
    """{parameter: [aliases]} from LightGBM's C library, as lightgbm.basic asks it."""
    library = ctypes.cdll.LoadLibrary(str(next((folder / "lib").glob("lib_lightgbm.*"))))
    size = 1 << 16
    while True:
        needed, buffer = ctypes.c_int64(0), ctypes.create_string_buffer(size)
        if library.LGBM_DumpParamAliases(ctypes.c_int64(size), ctypes.byref(needed), buffer) != 0:
            raise OSError("LGBM_DumpParamAliases failed")
        if needed.value <= size:
            aliases: dict[str, list[str]] = json.loads(buffer.value.decode())
            return aliases
        size = needed.value


def estimator_arguments(folder: Path) -> set[str]:
    """The keyword arguments of lightgbm.sklearn.LGBMModel.__init__ (LGBMRegressor's get_params())."""
    tree = ast.parse((folder / "sklearn.py").read_text(encoding="utf-8"))
    model = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "LGBMModel")
    init = next(node for node in model.body if isinstance(node, ast.FunctionDef) and node.name == "__init__")
    return {argument.arg for argument in [*init.args.args, *init.args.kwonlyargs] if argument.arg != "self"}


def read_lightgbm() -> tuple[dict[str, list[str]], set[str]] | None:
    """LightGBM's {parameter: [aliases]} and LGBMRegressor's arguments, read from the installed package's
    files; None when either cannot be read."""
    folder = package_folder()
    if folder is None:
        return None
    try:
        return library_aliases(folder), estimator_arguments(folder)
    except (OSError, StopIteration, ValueError, SyntaxError, AttributeError):
        return None

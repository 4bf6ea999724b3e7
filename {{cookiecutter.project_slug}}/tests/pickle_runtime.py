"""Load and call a pickle only in its own runtime, in a fresh process, as `check` does.

A pickle holds objects of the image's numpy, pandas and model libraries: loaded into an interpreter of
another Python or other versions it may fail, or crash the whole test run. So tests never unpickle in
the interpreter running them: they run the pickle in the Python that built it, which is this one only
when it has the image's Python minor and pins, and else the build environment `build` trained in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from {{ cookiecutter.package_name }}.artifact.environment import ensure_build_environment, runs_here
from {{ cookiecutter.package_name }}.artifact.manifest import read_manifest
from {{ cookiecutter.package_name }}.repo import Repo
from {{ cookiecutter.package_name }}.runtimes import load_catalogue, resolve_runtime
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import PACKAGE, REPO_ROOT

# Loads the pickle where importing this package fails, as on Numerai's image, calls it on the live
# and benchmark files, prints a report and writes the predictions when asked.
LOAD_AND_PREDICT = textwrap.dedent("""
    import importlib.util, inspect, json, sys
    PACKAGE, pickle_path, live_path, benchmarks_path, predictions_path = sys.argv[1:6]

    class Blocked:
        def find_spec(self, name, path=None, target=None):
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                raise ImportError(f"{name} is not installed here")

    sys.meta_path.insert(0, Blocked())
    import pandas as pd
    model = pd.read_pickle(pickle_path)
    live = pd.read_parquet(live_path)
    benchmarks = pd.read_parquet(benchmarks_path).sample(frac=1.0, random_state=0)
    result = model(live, benchmarks)
    if predictions_path:
        result.to_parquet(predictions_path)
    print(json.dumps({
        "parameters": len(inspect.signature(model).parameters),
        "type": type(result).__name__,
        "columns": list(result.columns),
        "same_index": bool(result.index.equals(live.index)),
        "min": float(result["prediction"].min()),
        "max": float(result["prediction"].max()),
        "nan": int(result["prediction"].isna().sum()),
        "package_loaded": any(name.split(".")[0] == PACKAGE for name in sys.modules),
    }), flush=True)
    # Past the interpreter's teardown, where pyarrow's parquet threads now and then abort the process
    # ("terminate called without an active exception": apache/arrow#34314, open), after the report.
    import os
    os._exit(0)
""")


def pickle_python(pickle_path: Path) -> str:
    """The interpreter of the runtime the pickle's manifest names: this one when it is the image's,
    else the build environment (made once, reused by every build and test)."""
    runtime = resolve_runtime(read_manifest(pickle_path).runtime.python, load_catalogue(REPO_ROOT / "runtimes"))
    if runs_here(runtime):
        return sys.executable
    return str(ensure_build_environment(Repo(REPO_ROOT, load_settings()), runtime))


def load_and_predict(pickle_path: Path, live: Path, benchmarks: Path, predictions: Path | None = None) -> dict:
    """LOAD_AND_PREDICT's report of the pickle called on `live` and `benchmarks` in its own runtime."""
    result = subprocess.run(
        [pickle_python(pickle_path), "-c", LOAD_AND_PREDICT, PACKAGE, str(pickle_path), str(live), str(benchmarks),
         str(predictions or "")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)

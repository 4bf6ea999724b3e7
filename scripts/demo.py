"""`make demo`: bake the template with defaults, then run the baked repo's main job offline.

Bakes into .work/demo/numerai-models, installs it on the default runtime's Python with the image's
pins, validates the spec, builds (and checks) the example model on synthetic data, and shows what
a deploy would do. Every step prints the command it runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from baking import bake, install  # noqa: E402

# DEMO_DIR moves it (the template's tests run the demo in a temporary folder).
DEMO_DIR = Path(os.environ.get("DEMO_DIR") or ROOT / ".work" / "demo")
STEPS = (
    ("validate the specs", ["numerai-deploy", "validate"]),
    ("list the numerai_predict runtimes", ["numerai-deploy", "runtimes"]),
    ("build and check the example model on synthetic data", ["numerai-deploy", "build", "--synthetic"]),
    ("show what a deploy would do (a synthetic build: a trial)",
     ["numerai-deploy", "deploy", "--dry-run", "--allow-synthetic"]),
)


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def main() -> int:
    step(f"bake the template with default answers into {shown(DEMO_DIR)}")
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    repo = bake(DEMO_DIR)
    print(f"baked {repo}")
    step("install the baked repo (Python 3.12 and the numerai_predict_py_3_12 pins, through uv)")
    started = time.monotonic()
    bin_dir = install(repo)
    print(f"installed into {bin_dir.parent} in {time.monotonic() - started:.0f} s")
    for title, command in STEPS:
        step(f"{title}: {' '.join(command)}")
        result = subprocess.run([str(bin_dir / command[0]), *command[1:]], cwd=repo)
        if result.returncode != 0:
            print(f"\ndemo failed at: {' '.join(command)} (exit {result.returncode})", file=sys.stderr)
            return result.returncode
    step("result")
    for pickle_path in sorted((repo / "dist").glob("*.pkl")):
        manifest = json.loads(pickle_path.with_suffix(".json").read_text())
        validation = (manifest.get("metrics") or {}).get("validation") or {}
        print(f"pickle:   {pickle_path}")
        print(f"manifest: {pickle_path.with_suffix('.json')}")
        print(f"          slot {manifest['slot']}, fingerprint {manifest['fingerprint']}, "
              f"Python {manifest['python']['version']} for "
              f"{manifest['runtime']['image']}:{manifest['runtime']['tag']}, "
              f"validation corr {validation.get('corr_mean')} (sharpe {validation.get('corr_sharpe')})")
    print(f"\nNext: cd {shown(repo)} and read its README.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

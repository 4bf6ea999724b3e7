"""`make demo`, the README's first command, runs every step and ends with a pickle and its manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from baking import TEMPLATE


def test_the_demo_builds_checks_and_dry_runs_a_deploy(tmp_path):
    result = subprocess.run([sys.executable, str(TEMPLATE / "scripts" / "demo.py")], capture_output=True, text=True,
                            env={**os.environ, "DEMO_DIR": str(tmp_path)}, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for step in ("numerai-deploy validate", "numerai-deploy runtimes", "numerai-deploy build --synthetic",
                 "numerai-deploy deploy --dry-run --allow-synthetic"):
        assert f": {step}\n" in result.stdout, step
    assert "passed in" in result.stdout  # build ran check on what it built
    assert "would deploy" in result.stdout
    [pickle_path] = (tmp_path / "numerai-models" / "dist").glob("my_model-*.pkl")
    manifest = json.loads(pickle_path.with_suffix(".json").read_text())
    assert f"pickle:   {pickle_path}" in result.stdout
    assert manifest["slot"] == "my_model" and manifest["metrics"]["validation"]["corr_mean"] > 0

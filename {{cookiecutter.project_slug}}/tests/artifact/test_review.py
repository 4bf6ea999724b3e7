"""summary --plan --comment: the pull request's review names every planned slot with its verdict (passed,
failed, or no build at all), then the metrics table; a plan without slots says there is nothing to build."""

from __future__ import annotations

import json
import shutil

from conftest import manifest_dict


def plan_of(*entries: dict) -> str:
    return json.dumps({"include": list(entries)})


def entry(slot: str, fingerprint: str) -> dict:
    return {"slot": slot, "fingerprint": fingerprint, "image": "ghcr.io/numerai/numerai_predict_py_3_12:a78dedd",
            "data_version": "v5.2", "synthetic": True}


def test_each_planned_slot_gets_its_verdict_and_the_table_follows(built, cli, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    for path in (built["gbm_model"], built["gbm_model"].with_suffix(".json")):
        shutil.copy(path, dist / path.name)
    failed = manifest_dict(built["ensemble_model"])
    failed["check"]["passed"], failed["check"]["errors"] = False, 3
    (dist / built["ensemble_model"].with_suffix(".json").name).write_text(json.dumps(failed))
    gbm = manifest_dict(built["gbm_model"])["fingerprint"]
    plan = plan_of(entry("gbm_model", gbm), entry("ensemble_model", failed["fingerprint"]),
                   entry("custom_model", "0123456789ab"))

    result = cli("summary", "--artifacts", str(dist), "--plan", plan, "--comment", str(tmp_path / "comment.md"),
                 "--title", "Validation metrics of the changed slots", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    text = (tmp_path / "comment.md").read_text()
    plan_part, _, metrics = text.partition("### Validation metrics of the changed slots")
    assert plan_part.startswith("### Numerai plan\n") and "builds 3 slot(s)" in plan_part
    assert "once the 2 that did not pass" in plan_part
    rows = {line.split(" | ")[0].strip("| "): line for line in plan_part.splitlines() if line.startswith("| ")}
    assert "check passed on numerai_predict_py_3_12:a78dedd" in rows["gbm_model"] and f"`{gbm}`" in rows["gbm_model"]
    assert "check failed on numerai_predict_py_3_12:a78dedd (3 error(s))" in rows["ensemble_model"]
    assert "failed: no build came back (see the job `build and check custom_model`)" in rows["custom_model"]
    assert "| gbm_model |" in metrics  # the table, as the job summary shows it


def test_a_plan_without_slots_says_nothing_to_build(cli, tmp_path):
    result = cli("summary", "--artifacts", str(tmp_path / "none"), "--plan", plan_of(), "--comment",
                 str(tmp_path / "comment.md"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Nothing to build" in (tmp_path / "comment.md").read_text()


def test_a_comment_needs_the_plan_and_a_plan_must_be_the_matrix(cli, tmp_path):
    alone = cli("summary", "--artifacts", str(tmp_path), "--comment", str(tmp_path / "c.md"), cwd=tmp_path)
    bad = cli("summary", "--artifacts", str(tmp_path), "--plan", "[1, 2]", cwd=tmp_path)
    assert alone.returncode == bad.returncode == 2
    assert "--comment needs --plan" in alone.stderr and "--plan: not the matrix" in bad.stderr

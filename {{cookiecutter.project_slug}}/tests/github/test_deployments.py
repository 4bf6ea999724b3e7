"""GitHub deployments as the record of what each slot runs, against the GitHub stand-in: a deploy's record
becomes one deployment per slot (status and payload), read back as the baseline pull requests and plans
compare with; an unchanged slot is not recorded twice, a failure does not move the baseline, a rollback
carries its build's metrics. The github/ layer runs without the package's dependencies."""

from __future__ import annotations

import json

import github_jobs
from conftest import STANDIN_SECRET_KEY
from github_jobs import COMMIT, REPOSITORY, TOKEN

github, github_module = github_jobs.github, github_jobs.github_module

SLOTS = ("ensemble_model", "gbm_model")


def deploy_and_record(numerai_cli, github_module, repo, record, *more):
    """deploy --record, then the record job's command; (deploy's exit code, the record command's result)."""
    code = numerai_cli("deploy", "--repo", repo, "--allow-synthetic", "--record", record, *more).code
    assert STANDIN_SECRET_KEY not in record.read_text()
    return code, github_module("record", record, "--run-url", "https://example.com/run/1")


def latest_status(deployment: dict) -> str:
    return deployment["statuses"][-1]["state"]


def test_each_slot_deploy_is_a_deployment_with_a_status_and_a_payload(github, github_module, numerai, numerai_cli,
                                                                     numerai_env, deploy_repo, tmp_path):
    code, recorded = deploy_and_record(numerai_cli, github_module, deploy_repo, tmp_path / "record.json")

    assert code == 0 and recorded.returncode == 0, recorded.stdout + recorded.stderr
    assert sorted(item["environment"] for item in github.deployments) == [f"numerai/{slot}" for slot in SLOTS]
    for deployment in github.deployments:
        slot = deployment["environment"].removeprefix("numerai/")
        [manifest] = [json.loads(path.read_text()) for path in (deploy_repo / "dist").glob(f"{slot}-*.json")]
        payload = deployment["payload"]
        assert deployment["sha"] == COMMIT and latest_status(deployment) == "success"
        assert deployment["statuses"][-1]["log_url"] == "https://example.com/run/1"
        assert payload["pickle_id"] == numerai.assigned(slot)["id"]
        assert numerai.assigned(slot)["filename"].endswith(payload["filename"])
        assert payload["fingerprint"] == manifest["fingerprint"]
        assert payload["image"] == f"{manifest['runtime']['image']}:{manifest['runtime']['tag']}"
        assert payload["data_version"] == manifest["data"]["version"]
        assert payload["metrics"]["corr_mean"] == manifest["metrics"]["validation"]["corr_mean"]
        assert "features" not in payload["manifest"]  # the bulky lists stay out of the payload


def test_the_deployments_are_the_baseline_of_summary_and_plan(github_module, numerai_cli, numerai_env, deploy_repo,
                                                              tmp_path):
    deploy_and_record(numerai_cli, github_module, deploy_repo, tmp_path / "record.json")
    baseline = tmp_path / "baseline"

    read = github_module("baseline", "--out", baseline)

    assert read.returncode == 0 and f"baseline: {', '.join(SLOTS)}" in read.stdout
    assert sorted(path.name for path in baseline.iterdir()) == [f"{slot}.json" for slot in SLOTS]
    summary = numerai_cli("summary", "--artifacts", deploy_repo / "dist", "--baseline", baseline)
    fingerprints = dict(path.stem.rsplit("-", 1) for path in (deploy_repo / "dist").glob("*.json"))
    for slot in SLOTS:  # the Deployed column names the deployed build, and each score sits beside its own
        row = next(line for line in summary.out.splitlines() if line.startswith(f"| {slot} |"))
        assert row.endswith(f"| `{fingerprints[slot]}` |") and "+0.0000)" in row
    plan = numerai_cli("plan", "--repo", deploy_repo, "--synthetic", "--deployed", baseline)
    assert json.loads(plan.out)["include"] == []  # what GitHub says is deployed is what the specs build


def test_an_unchanged_slot_is_not_recorded_twice_and_a_failure_keeps_the_baseline(
        github, github_module, numerai, numerai_cli, numerai_env, deploy_repo, tmp_path):
    deploy_and_record(numerai_cli, github_module, deploy_repo, tmp_path / "first.json")
    deploy_and_record(numerai_cli, github_module, deploy_repo, tmp_path / "second.json")
    assert len(github.deployments) == len(SLOTS)  # the re-run changed nothing, and recorded nothing

    numerai.set_webhook("gbm_model", "https://example.invalid/hook")  # the next deploy of gbm_model fails
    code, recorded = deploy_and_record(numerai_cli, github_module, deploy_repo, tmp_path / "third.json", "--force")

    assert code == 2 and recorded.returncode == 0
    [failed] = [item for item in github.deployments_to("numerai/gbm_model") if latest_status(item) == "failure"]
    assert "submission webhook" in failed["statuses"][-1]["description"]
    github_module("baseline", "--out", tmp_path / "baseline")
    first = next(item for item in github.deployments_to("numerai/gbm_model") if latest_status(item) == "success")
    baseline = json.loads((tmp_path / "baseline" / "gbm_model.json").read_text())
    assert baseline["fingerprint"] == first["payload"]["fingerprint"]


def test_a_rollback_is_recorded_with_the_build_it_went_back_to(github, github_module, numerai, numerai_cli, numerai_env,
                                                               deploy_repo, tmp_path):
    deploy_and_record(numerai_cli, github_module, deploy_repo, tmp_path / "first.json", "gbm_model")
    first = numerai.assigned("gbm_model")["id"]
    numerai.seed_pickle("gbm_model", "gbm_model-fedcba987654.pkl")  # a later upload, assigned

    assert numerai_cli("rollback", "--repo", deploy_repo, "gbm_model", "--to", first, "--record",
                       tmp_path / "rollback.json").code == 0
    recorded = github_module("record", tmp_path / "rollback.json")

    assert recorded.returncode == 0, recorded.stderr
    latest = github.deployments_to("numerai/gbm_model")[-1]
    assert latest["payload"]["action"] == "rolled back" and latest["payload"]["pickle_id"] == first
    assert latest["payload"]["metrics"] == github.deployments_to("numerai/gbm_model")[0]["payload"]["metrics"]
    assert latest_status(latest) == "success"
    # The baseline says so: a plan keeps the rolled-back build until the spec changes.
    assert github_module("baseline", "--out", tmp_path / "baseline").returncode == 0
    assert json.loads((tmp_path / "baseline" / "gbm_model.json").read_text())["deployed_by"] == "rolled back"


def test_history_shows_githubs_record_beside_numerais(github, github_module, numerai_cli, numerai_env, deploy_repo,
                                                      tmp_path, monkeypatch):
    deploy_and_record(numerai_cli, github_module, deploy_repo, tmp_path / "record.json")
    for name, value in (("GITHUB_API_URL", github.url), ("GITHUB_REPOSITORY", REPOSITORY), ("GITHUB_TOKEN", TOKEN)):
        monkeypatch.setenv(name, value)

    result = numerai_cli("history", "--repo", deploy_repo, "gbm_model", "--github")

    assert result.code == 0, result.err
    assert "GitHub: deployments to numerai/gbm_model, newest first" in result.out
    assert "success   deployed: pickle" in result.out and TOKEN not in result.out


def test_no_github_answer_means_no_baseline_not_a_failed_job(github_module, tmp_path):
    result = github_module("baseline", "--out", tmp_path, GITHUB_API_URL="http://127.0.0.1:9")
    assert result.returncode == 0 and "note: no baseline" in result.stdout

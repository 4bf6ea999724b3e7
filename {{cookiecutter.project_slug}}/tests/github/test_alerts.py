"""`python3 -m <package>.github alert` against the GitHub stand-in (tests/github_standin.py), fed with real `status
--report` (and `datasets --report`) files from the Numerai stand-in: an unhealthy slot opens one
issue, a second run updates it, a healthy run closes it; a failed deploy opens one, a successful one
closes it; a spec's dataset version with a newer one out, or deprecated, opens one per kind."""

from __future__ import annotations

import json
import subprocess

from {{ cookiecutter.package_name }}.artifact.fingerprint import LENGTH

import github_jobs
from conftest import CURRENT, STANDIN_SECRET_KEY, VERSIONS

github, github_module = github_jobs.github, github_jobs.github_module


def alerts(github, *args) -> subprocess.CompletedProcess:
    """`alert ARGS` as the workflow's alert jobs run it: a bare python3, nothing installed."""
    return github_jobs.run_module(github, "alert", *args, "--run-url", "https://example.com/run/1")


def status_report(numerai_cli, repo, path) -> None:
    numerai_cli("status", "--repo", repo, "gbm_model", "--report", path)
    assert STANDIN_SECRET_KEY not in path.read_text()


def test_an_unhealthy_slot_opens_one_issue_updates_it_and_closes_it_when_healthy(
    github, numerai, numerai_cli, numerai_env, deploy_repo, tmp_path
):
    report = tmp_path / "status.json"
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    numerai.seed_pickle("gbm_model", "hand_made.pkl")
    numerai.seed_run("gbm_model", "failed", "Segmentation fault! Ensure python and library versions match",
                     ["Traceback ~~~~ (most recent call last)", "Segmentation fault"], round_id="r-9")
    status_report(numerai_cli, deploy_repo, report)

    first = alerts(github, "health", "--report", report)

    assert first.returncode == 0, first.stderr
    titles = sorted(issue["title"] for issue in github.open_issues())
    assert titles == ["Numerai: gbm_model drifted", "Numerai: gbm_model is failing"]
    failing = next(issue for issue in github.open_issues() if "failing" in issue["title"])
    assert "Segmentation fault! Ensure python" in failing["body"] and "r-9" in failing["body"]
    assert "Traceback ~~~~ (most" in failing["body"]
    assert "\n~~~~~\n" in failing["body"]  # a fence the log lines cannot close
    assert failing["labels"] == [{"name": "numerai-alert"}]

    second = alerts(github, "health", "--report", report)

    assert second.returncode == 0, second.stderr
    assert len(github.issues) == 2 and "updated #" in second.stdout
    assert all(issue["comments"] == [] for issue in github.issues)  # same problem: no new comment

    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    status_report(numerai_cli, deploy_repo, report)
    healthy = alerts(github, "health", "--report", report)

    assert healthy.returncode == 0, healthy.stderr
    assert github.open_issues() == []
    assert all(issue["state_reason"] == "completed" and "in sync" in issue["comments"][-1]
               for issue in github.issues)


def test_a_missed_round_opens_one_issue_and_the_next_submission_closes_it(
    github, numerai, numerai_cli, numerai_env, deploy_repo, tmp_path
):
    report = tmp_path / "status.json"
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    missed = numerai.open_round(run=False)  # the slot's pickle does not run for it
    numerai.close_round()
    status_report(numerai_cli, deploy_repo, report)

    first = alerts(github, "health", "--report", report)
    again = alerts(github, "health", "--report", report)

    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    [issue] = github.open_issues()
    assert issue["title"] == "Numerai: gbm_model missed a round"
    assert "<!-- numerai-alert:health:gbm_model:missed-round -->" in issue["body"]
    assert f"round {missed} closed" in issue["body"] and f"last closed round {missed}: no submission" in issue["body"]
    assert len(github.issues) == 1 and issue["comments"] == []

    numerai.open_round()  # the pickle runs for the next round and submits
    status_report(numerai_cli, deploy_repo, report)
    healthy = alerts(github, "health", "--report", report)

    assert healthy.returncode == 0, healthy.stderr
    assert github.open_issues() == []
    assert github.issues[0]["comments"][-1].startswith(f"Slot `gbm_model` submitted for round {missed + 1}.")


def test_a_run_that_found_no_open_round_opens_no_issue(github, numerai, numerai_cli, numerai_env, deploy_repo,
                                                        tmp_path):
    report = tmp_path / "status.json"
    numerai.close_round()
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    assert numerai_cli("trigger", "gbm_model").code == 0
    status_report(numerai_cli, deploy_repo, report)

    assert alerts(github, "health", "--report", report).returncode == 0

    assert github.issues == []
    assert json.loads(report.read_text())["healthy"] is True


def test_a_round_about_to_close_warns_in_the_issue_a_miss_then_takes_over(github, tmp_path):
    report = tmp_path / "status.json"

    def write(kind: str, message: str, current: dict | None, last: dict) -> None:
        slot = {"slot": "gbm_model", "state": "in sync", "checked": True, "enabled": True,
                "rounds": {"known": True, "current": current, "last": last},
                "problems": [{"kind": kind, "message": f"slot gbm_model: {message}"}]}
        report.write_text(json.dumps({"all_slots": True, "slots": [slot]}))

    write("not submitted", "round 1001 closes Sun 06 Dec 14:00 UTC (in 4h 00m)",
          {"number": 1001, "closes": "2026-12-06T14:00:00Z", "submitted": False},
          {"number": 1000, "closed": "2026-12-05T13:00:00Z", "submitted": True})
    assert alerts(github, "health", "--report", report).returncode == 0
    [warning] = github.open_issues()
    assert warning["title"] == "Numerai: gbm_model has not submitted for a round that closes soon"
    assert "not submitted yet" in warning["body"]

    write("missed round", "round 1001 closed Sun 06 Dec 14:00 UTC without a submission", None,
          {"number": 1001, "closed": "2026-12-06T14:00:00Z", "submitted": False})
    assert alerts(github, "health", "--report", report).returncode == 0

    [missed] = github.open_issues()
    assert missed["number"] == warning["number"] and missed["title"] == "Numerai: gbm_model missed a round"
    assert "The problem changed" in missed["comments"][-1]


def test_a_missing_report_opens_one_issue_and_the_next_report_closes_it(github, tmp_path):
    missing = tmp_path / "none.json"
    assert alerts(github, "health", "--report", missing).returncode == 0
    assert alerts(github, "health", "--report", missing).returncode == 0
    assert [issue["title"] for issue in github.open_issues()] == ["Numerai: the health check could not run"]

    missing.write_text('{"healthy": true, "exit_code": 0, "all_slots": true, "slots": []}')
    assert alerts(github, "health", "--report", missing).returncode == 0
    assert github.open_issues() == []


def test_an_issue_of_a_slot_numerai_could_not_be_asked_about_stays_open(github, tmp_path):
    report = tmp_path / "status.json"
    slot = {"slot": "gbm_model", "state": "drifted", "checked": True, "enabled": True,
            "problems": [{"kind": "drifted", "message": "slot gbm_model: a webhook"}]}
    report.write_text(json.dumps({"all_slots": True, "slots": [slot]}))
    assert alerts(github, "health", "--report", report).returncode == 0
    unknown = {"slot": "gbm_model", "state": "unknown", "checked": False, "problems": []}
    report.write_text(json.dumps({"all_slots": True, "slots": [unknown]}))

    assert alerts(github, "health", "--report", report).returncode == 0

    assert [issue["title"] for issue in github.open_issues()] == ["Numerai: gbm_model drifted"]


def test_a_failed_deploy_opens_one_issue_and_a_successful_one_closes_it(github, tmp_path):
    assert alerts(github, "deploy", "--outcome", "failure").returncode == 0
    assert alerts(github, "deploy", "--outcome", "failure").returncode == 0
    assert [issue["title"] for issue in github.open_issues()] == ["Numerai: deploy failed"]
    assert "https://example.com/run/1" in github.open_issues()[0]["body"]

    assert alerts(github, "deploy", "--outcome", "success").returncode == 0
    assert github.open_issues() == []


def test_a_slot_left_out_of_date_by_a_deploy_run_opens_an_issue_closed_once_in_sync(
    github, numerai, numerai_cli, numerai_env, deploy_repo, tmp_path
):
    report = tmp_path / "status.json"
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    status_report(numerai_cli, deploy_repo, report)
    assert alerts(github, "deploy", "--outcome", "success", "--report", report).returncode == 0
    assert github.open_issues() == []  # in sync after the deploy: nothing to say

    # An earlier build of this repository is assigned: a later run's deploy was cancelled or failed.
    numerai.seed_pickle("gbm_model", f"gbm_model-{'0' * LENGTH}.pkl")
    status_report(numerai_cli, deploy_repo, report)
    assert json.loads(report.read_text())["slots"][0]["state"] == "out of date"
    health = alerts(github, "health", "--report", report)
    assert health.returncode == 0 and github.open_issues() == []  # the health check opens none of these
    stale = alerts(github, "deploy", "--outcome", "success", "--report", report)
    assert stale.returncode == 0, stale.stderr
    [issue] = github.open_issues()
    assert issue["title"] == "Numerai: gbm_model is out of date after a deploy"
    assert "the next push, or a manual run" in issue["body"].lower() and "<!-- numerai-alert:stale:gbm_model -->" in \
        issue["body"]

    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    status_report(numerai_cli, deploy_repo, report)
    healthy = alerts(github, "health", "--report", report)  # the daily check closes it too
    assert healthy.returncode == 0, healthy.stderr
    assert github.open_issues() == [] and "is in sync" in github.issues[0]["comments"][-1]


def test_a_rejected_token_fails_without_showing_it(github_module, tmp_path):
    result = github_module("alert", "deploy", GITHUB_TOKEN="wrong-token-xyz")

    assert result.returncode == 1
    assert "HTTP 401" in result.stderr and "wrong-token-xyz" not in result.stdout + result.stderr


def test_dataset_version_drift_opens_an_issue_per_version_and_kind_and_closes_it_when_gone(
    github, numerai, numerai_cli, numerai_env, make_repo, tmp_path, monkeypatch
):
    older = next(name for name in VERSIONS if name != CURRENT.name)
    for name in VERSIONS:
        (tmp_path / "served" / name).mkdir(parents=True)
        (tmp_path / "served" / name / "features.json").write_text("{}")
    numerai.data_dir = tmp_path / "served"
    numerai.deprecated_data_versions.add(older)
    root = make_repo({"a.yaml": f"slot: a\ndata:\n  version: {older}\nmodel:\n  type: lightgbm\n"})
    report = tmp_path / "datasets.json"

    def datasets_report() -> None:
        monkeypatch.setenv("NUMERAI_DATA_DIR", str(tmp_path / f"cache-{len(list(tmp_path.glob('cache-*')))}"))
        assert numerai_cli("datasets", "--repo", root, "--report", report).code == 0

    datasets_report()
    assert alerts(github, "datasets", "--report", report).returncode == 0
    assert alerts(github, "datasets", "--report", report).returncode == 0
    titles = sorted(issue["title"] for issue in github.open_issues())
    assert titles == sorted([f"Numerai: dataset {CURRENT.name} is out; specs train on {older}",
                             f"Numerai: dataset {older}, which specs train on, is deprecated"])
    assert all("models/a.yaml" in issue["body"] and issue["comments"] == [] for issue in github.issues)

    unasked = tmp_path / "unasked.json"
    unasked.write_text(json.dumps({"checked": False, "findings": []}))
    assert alerts(github, "datasets", "--report", unasked).returncode == 0
    assert len(github.open_issues()) == 2, "a report that could not ask Numerai closes nothing"

    (root / "models" / "a.yaml").write_text(f"slot: a\ndata:\n  version: {CURRENT.name}\nmodel:\n  type: lightgbm\n")
    datasets_report()
    assert alerts(github, "datasets", "--report", report).returncode == 0
    assert github.open_issues() == []
    assert all(issue["state_reason"] == "completed" for issue in github.issues)


def test_no_repository_or_token_is_bad_input(github_module, tmp_path):
    """Outside GitHub Actions, without the GitHub CLI's login: exit 2 naming what to set, no traceback."""
    result = github_module("alert", "deploy", GITHUB_TOKEN="", GITHUB_REPOSITORY="", GH_TOKEN="", PATH=str(tmp_path))

    assert result.returncode == 2
    assert "GITHUB_TOKEN" in result.stderr and "Traceback" not in result.stderr

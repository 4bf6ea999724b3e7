"""status against the Numerai stand-in: one state per slot (in sync, out of date, drifted, not
deployed), the latest run's outcome and round, and an exit code a schedule can alert on."""

from __future__ import annotations

import json

from {{ cookiecutter.package_name }}.numerai.client import NumeraiClient
from {{ cookiecutter.package_name }}.numerai.credentials import read_credentials
from {{ cookiecutter.package_name }}.plan.numerai import assigned_fingerprints
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import LIGHTGBM_SPEC, STANDIN_SECRET_KEY, manifest_dict, write_spec


def row_of(output: str, slot: str) -> str:
    [row] = [line for line in output.splitlines() if line.startswith(slot + " ")]
    return row


def slot_json(output: str, slot: str) -> dict:
    [found] = [item for item in json.loads(output)["slots"] if item["slot"] == slot]
    return found


def test_status_in_sync_after_a_deploy(numerai, numerai_cli, numerai_env, deploy_repo):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    fingerprint = manifest_dict(next((deploy_repo / "dist").glob("gbm_model-*.pkl")))["fingerprint"]

    result = numerai_cli("status", "--repo", deploy_repo, "gbm_model")

    assert result.code == 0, result.out + result.err
    gbm = row_of(result.out, "gbm_model")
    assert numerai.assigned("gbm_model")["id"] in gbm
    assert fingerprint in gbm and "in sync" in gbm and "validated" in gbm and "success" in gbm
    assert numerai.mutations.count("assignPickleToModel") == 1  # status changes nothing

    # Every slot: the other spec's slot has nothing assigned, so not everything is in sync.
    everything = numerai_cli("status", "--repo", deploy_repo, "--json")
    assert everything.code == 1
    report = json.loads(everything.out)
    assert report["healthy"] is False and report["all_slots"] is True
    assert slot_json(everything.out, "gbm_model")["state"] == "in sync"
    assert slot_json(everything.out, "ensemble_model")["state"] == "not deployed"


def test_status_out_of_date_when_the_spec_changed_since_the_deploy(numerai, numerai_cli, numerai_env, deploy_repo):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC.replace("num_leaves: 15", "num_leaves: 7"))

    result = numerai_cli("status", "--repo", deploy_repo, "gbm_model")

    assert result.code == 1
    assert "out of date" in row_of(result.out, "gbm_model")
    assert "built from an earlier spec" in result.err


def test_status_exits_1_when_the_latest_run_failed_with_description_logs_and_round(
    numerai, numerai_cli, numerai_env, deploy_repo, tmp_path
):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.seed_run("gbm_model", "failed", "Your model timed out after 10 minutes", ["killed"], round_id="r-1234")
    report = tmp_path / "report.json"

    result = numerai_cli("status", "--repo", deploy_repo, "gbm_model", "--report", report)

    assert result.code == 1
    gbm = row_of(result.out, "gbm_model")
    assert "0123456789ab" in gbm and "failed" in gbm and "out of date" in gbm and "r-1234" in gbm
    assert "the latest run of pickle" in result.err and "Your model timed out after 10 minutes" in result.err
    found = slot_json(report.read_text(), "gbm_model")
    assert found["round"] == "r-1234" and found["description"] == "Your model timed out after 10 minutes"
    assert any(line.endswith("killed") for line in found["logs"])
    assert {problem["kind"] for problem in found["problems"]} == {"failing", "out of date"}
    assert STANDIN_SECRET_KEY not in report.read_text()


def test_a_pickle_assigned_by_hand_is_drift_and_deploy_reasserts_the_repos_build(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    ours = numerai.assigned("gbm_model")["id"]
    numerai.seed_pickle("gbm_model", "my_manual_upload.pkl")  # assigned at numer.ai by hand

    status = numerai_cli("status", "--repo", deploy_repo, "gbm_model", "--json")

    assert status.code == 1
    found = slot_json(status.out, "gbm_model")
    assert found["state"] == "drifted" and found["filename"] == "my_manual_upload.pkl"
    assert [problem["kind"] for problem in found["problems"]] == ["drifted"]
    assert "slot gbm_model" in found["problems"][0]["message"]

    deployed = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert deployed.code == 0, deployed.out + deployed.err
    assert numerai.assigned("gbm_model")["id"] == ours  # the earlier upload of this build, reassigned
    assert len(numerai.uploads("gbm_model")) == 1  # not uploaded again
    assert numerai_cli("status", "--repo", deploy_repo, "gbm_model").code == 0


def test_another_slots_pickle_a_webhook_or_an_archived_slot_is_drift(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.seed_pickle("gbm_model", "other_model-0123456789ab.pkl")
    numerai.seed_pickle("ensemble_model", "ensemble_model-0123456789ab.pkl")
    numerai.set_webhook("ensemble_model", "https://example.com/hook")

    result = numerai_cli("status", "--repo", deploy_repo, "--json")

    assert result.code == 1
    assert slot_json(result.out, "gbm_model")["state"] == "drifted"
    ensemble = slot_json(result.out, "ensemble_model")
    assert ensemble["state"] == "drifted"
    assert any("webhook" in problem["message"] for problem in ensemble["problems"])

    numerai.set_webhook("ensemble_model", None)
    numerai.model_named("ensemble_model")["archived"] = True
    archived = slot_json(numerai_cli("status", "--repo", deploy_repo, "--json").out, "ensemble_model")
    assert archived["state"] == "drifted" and "archived" in archived["problems"][0]["message"]


def test_a_slot_the_account_lacks_is_drift_listing_the_accounts_slots(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.models.pop(numerai.model_named("ensemble_model")["id"])

    result = numerai_cli("status", "--repo", deploy_repo)

    assert result.code == 1
    assert "drifted" in row_of(result.out, "ensemble_model")
    assert "no model named 'ensemble_model'" in result.err and "gbm_model, other_model" in result.err


def test_a_disabled_slot_is_shown_but_neither_fails_nor_alerts(numerai, numerai_cli, numerai_env, deploy_repo):
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {enabled: false}\n")

    result = numerai_cli("status", "--repo", deploy_repo, "gbm_model", "--json")

    assert result.code == 0
    found = slot_json(result.out, "gbm_model")
    assert found["enabled"] is False and found["state"] == "not deployed" and found["problems"] == []


def test_status_needs_credentials(numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", "")

    result = numerai_cli("status", "--repo", deploy_repo)

    assert result.code == 2
    assert "NUMERAI_PUBLIC_ID is not set" in result.err
    assert numerai.requests == []


def test_assigned_fingerprints_for_plan(numerai, numerai_env):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    client = NumeraiClient(read_credentials(load_settings()), load_settings())

    found = assigned_fingerprints(["gbm_model", "ensemble_model", "nobody"], client)

    assert found == {"gbm_model": "0123456789ab"}  # nothing assigned, or not on the account: no entry


def test_a_slot_whose_latest_run_found_no_open_round_is_healthy_and_says_it_waits(
    numerai, numerai_cli, numerai_env, deploy_repo, tmp_path
):
    numerai.close_round()  # deployed between rounds: the upload validates, then finds no round open
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    report = tmp_path / "report.json"

    result = numerai_cli("status", "--repo", deploy_repo, "gbm_model", "--report", report)

    assert result.code == 0, result.out + result.err
    assert "validated, waiting for the next round" in row_of(result.out, "gbm_model")
    assert 'note: slot gbm_model: pickle' in result.err and '(Numerai: "No currently open rounds!")' in result.err
    found = slot_json(report.read_text(), "gbm_model")
    assert found["problems"] == [] and found["description"] == "No currently open rounds!"
    assert found["rounds"]["current"] is None

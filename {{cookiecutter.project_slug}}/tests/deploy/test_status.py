"""status against the Numerai stand-in: what is live per slot, and an exit code a schedule can alert on."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.numerai.client import NumeraiClient
from {{ cookiecutter.package_name }}.numerai.credentials import read_credentials
from {{ cookiecutter.package_name }}.plan.numerai import assigned_fingerprints

from conftest import LIGHTGBM_SPEC, manifest_dict, write_spec


def row_of(output: str, slot: str) -> str:
    [row] = [line for line in output.splitlines() if line.startswith(slot + " ")]
    return row


def test_status_shows_the_assigned_build_and_that_it_matches_the_spec(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    fingerprint = manifest_dict(next((deploy_repo / "dist").glob("gbm_model-*.pkl")))["fingerprint"]

    result = numerai_cli("status", "--repo", deploy_repo)

    assert result.code == 0, result.out + result.err
    gbm = row_of(result.out, "gbm_model")
    assert numerai.assigned("gbm_model")["id"] in gbm
    assert fingerprint in gbm and "validated" in gbm and "success" in gbm
    assert "matches (synthetic build)" in gbm
    assert "no pickle assigned" in row_of(result.out, "ensemble_model")
    assert numerai.mutations.count("assignPickleToModel") == 1  # status changes nothing


def test_status_says_when_the_spec_changed_since_the_deploy(numerai, numerai_cli, numerai_env, deploy_repo):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC.replace("num_leaves: 15", "num_leaves: 7"))

    result = numerai_cli("status", "--repo", deploy_repo, "gbm_model")

    assert result.code == 0
    assert "differs (local " in row_of(result.out, "gbm_model")


def test_status_exits_1_when_the_latest_run_failed(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.seed_run("gbm_model", "failed", "Your model timed out after 10 minutes", ["killed"])

    result = numerai_cli("status", "--repo", deploy_repo)

    assert result.code == 1
    gbm = row_of(result.out, "gbm_model")
    assert "0123456789ab" in gbm and "failed" in gbm and "differs" in gbm
    assert "the latest run of pickle" in result.err and "Your model timed out after 10 minutes" in result.err


def test_status_of_a_slot_the_account_lacks_exits_2(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.models.pop(numerai.model_named("ensemble_model")["id"])

    result = numerai_cli("status", "--repo", deploy_repo)

    assert result.code == 2
    assert "no model named 'ensemble_model'" in result.err and "gbm_model, other_model" in result.err


def test_status_needs_credentials(numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", "")

    result = numerai_cli("status", "--repo", deploy_repo)

    assert result.code == 2
    assert "NUMERAI_PUBLIC_ID is not set" in result.err
    assert numerai.requests == []


def test_assigned_fingerprints_for_plan(numerai, numerai_env):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    client = NumeraiClient(read_credentials())

    found = assigned_fingerprints(["gbm_model", "ensemble_model", "nobody"], client)

    assert found == {"gbm_model": "0123456789ab"}  # nothing assigned, or not on the account: no entry

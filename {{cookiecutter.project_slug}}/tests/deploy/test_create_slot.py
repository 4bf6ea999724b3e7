"""Slots from git: `deploy: {create: true}` makes deploy create a slot the account lacks, then deploy it."""

from __future__ import annotations

from conftest import LIGHTGBM_SPEC, write_spec


def drop_slot(numerai, slot: str) -> None:
    numerai.models.pop(numerai.model_named(slot)["id"])


def test_deploy_creates_a_missing_slot_the_spec_asks_for_and_deploys_it(numerai, numerai_cli, numerai_env,
                                                                        deploy_repo):
    drop_slot(numerai, "gbm_model")
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {create: true}\n")
    status = numerai_cli("status", "--repo", deploy_repo, "gbm_model")
    assert status.code == 1 and "missing (deploy creates it)" in status.out

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert result.code == 0, result.out + result.err
    assert numerai.mutations.count("addModel") == 1
    assert numerai.model_named("gbm_model")["tournament"] == 8
    assert numerai.assigned("gbm_model")["filename"].endswith(".pkl")
    assert numerai_cli("status", "--repo", deploy_repo, "gbm_model").code == 0
    # Once created, a second deploy finds the slot and changes nothing.
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    assert numerai.mutations.count("addModel") == 1


def test_a_dry_run_says_it_would_create_the_slot(numerai, numerai_cli, numerai_env, deploy_repo, caplog):
    drop_slot(numerai, "gbm_model")
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {create: true}\n")

    with caplog.at_level("INFO"):
        result = numerai_cli("deploy", "--repo", deploy_repo, "--dry-run", "--allow-synthetic", "gbm_model")

    assert result.code == 0, result.out + result.err
    assert "would create the model slot 'gbm_model'" in caplog.text
    assert "would create and deploy" in result.out
    assert numerai.mutations == []


def test_without_create_a_missing_slot_fails_listing_the_accounts_slots(numerai, numerai_cli, numerai_env,
                                                                       deploy_repo):
    drop_slot(numerai, "gbm_model")

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert result.code == 2
    assert "no model named 'gbm_model'" in result.err and "ensemble_model, other_model" in result.err
    assert "deploy.create: true" in result.err
    assert numerai.mutations == []


def test_a_lost_answer_to_add_model_is_looked_up_not_sent_again(numerai, numerai_cli, numerai_env, deploy_repo):
    drop_slot(numerai, "gbm_model")
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {create: true}\n")
    numerai.lose_answer(1, operation="addModel")

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert result.code == 0, result.out + result.err
    assert numerai.mutations.count("addModel") == 1
    assert len([model for model in numerai.models.values() if model["name"] == "gbm_model"]) == 1

"""history and rollback against the Numerai stand-in: a slot's uploads newest first, and going back to an
earlier validated one with no build and no upload."""

from __future__ import annotations

import json

import leak_scan
from conftest import LIGHTGBM_SPEC, manifest_dict, write_spec

# Every run's output and every file written is scanned for the key and the upload signatures.
numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks


def newest_manifest(repo, slot):
    path = max((repo / "dist").glob(f"{slot}-*.pkl"), key=lambda item: item.stat().st_mtime)
    return manifest_dict(path)


def history(numerai_cli, slot):
    result = numerai_cli("history", slot, "--json")
    assert result.code == 0, result.out + result.err
    return json.loads(result.out)


def row_of(output: str, pickle_id: str) -> str:
    [row] = [line for line in output.splitlines() if pickle_id in line]
    return row


def test_two_deploys_are_listed_newest_first_and_rollback_reassigns_the_first_without_uploading(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    first, first_manifest = numerai.assigned("gbm_model")["id"], newest_manifest(deploy_repo, "gbm_model")
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC.replace("n_estimators: 40", "n_estimators: 35"))
    assert numerai_cli("build", "--repo", deploy_repo, "--synthetic", "gbm_model").code == 0
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    second, second_manifest = numerai.assigned("gbm_model")["id"], newest_manifest(deploy_repo, "gbm_model")
    assert first != second and first_manifest["fingerprint"] != second_manifest["fingerprint"]

    listed = history(numerai_cli, "gbm_model")

    assert listed["assigned"] == second
    uploads = listed["uploads"]
    assert [upload["pickle_id"] for upload in uploads] == [second, first]
    assert [upload["assigned"] for upload in uploads] == [True, False]
    for upload, manifest in zip(uploads, (second_manifest, first_manifest), strict=True):
        assert upload["fingerprint"] == manifest["fingerprint"]
        assert upload["data_stamp"] == manifest["data"]["stamp"]
        assert upload["filename"] == f"gbm_model-{manifest['fingerprint']}-{manifest['data']['stamp']}.pkl"
        assert upload["image"] == "Python 3.12" and upload["data_version"] == manifest["data"]["version"]
        assert upload["validation"] == "validated" and upload["inserted_at"]
    text = numerai_cli("history", "gbm_model")
    assert text.code == 0
    assert row_of(text.out, second).startswith("*") and not row_of(text.out, first).startswith("*")
    assert text.out.index(second) < text.out.index(first)

    uploads_before, operations_before = numerai.mutations.count("createComputePickleUpload"), len(numerai.requests)
    back = numerai_cli("rollback", "gbm_model")

    assert back.code == 0, back.out + back.err
    assert numerai.assigned("gbm_model")["id"] == first
    assert f"gbm_model: rolled back to pickle {first}" in back.out and f"(was {second})" in back.out
    assert numerai.mutations.count("createComputePickleUpload") == uploads_before
    sent = [entry["operation"] for entry in numerai.requests[operations_before:]]
    assert "computePickleUploadAuth" not in sent and "upload" not in sent
    assert sent.count("assignPickleToModel") == 1 and sent[-1] == "model"  # the assignment read back
    assert history(numerai_cli, "gbm_model")["assigned"] == first


def test_rollback_to_a_named_upload_and_to_the_one_already_assigned(numerai, numerai_cli, numerai_env):
    older = numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab-0badda7a.pkl")
    newer = numerai.seed_pickle("gbm_model", "gbm_model-ba9876543210-0badda7a.pkl")

    result = numerai_cli("rollback", "gbm_model", "--to", older, "--json")

    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer["changed"] is True and answer["previous"] == newer and answer["assigned"]["pickle_id"] == older
    assert answer["assigned"]["fingerprint"] == "0123456789ab"
    assert numerai.assigned("gbm_model")["id"] == older
    again = numerai_cli("rollback", "gbm_model", "--to", older)
    assert again.code == 0 and "already assigned; nothing changed" in again.out
    assert numerai.mutations.count("assignPickleToModel") == 1


def test_history_follows_an_assignment_made_by_hand(numerai, numerai_cli, numerai_env):
    older = numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    newer = numerai.seed_pickle("gbm_model", "gbm_model-ba9876543210.pkl")
    numerai.assign_by_hand("gbm_model", older)

    listed = history(numerai_cli, "gbm_model")

    assert listed["assigned"] == older
    uploads = [(upload["pickle_id"], upload["assigned"]) for upload in listed["uploads"]]
    assert uploads == [(newer, False), (older, True)]
    assert listed["uploads"][0]["data_stamp"] is None  # a name without a data stamp
    # The default target is the newest validated upload other than the current one.
    assert numerai_cli("rollback", "gbm_model").code == 0
    assert numerai.assigned("gbm_model")["id"] == newer


def test_rollback_refuses_an_upload_that_is_not_validated(numerai, numerai_cli, numerai_env):
    good = numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    bad = numerai.seed_pickle("gbm_model", "gbm_model-ba9876543210.pkl", validation="invalid", assign=False)

    result = numerai_cli("rollback", "gbm_model", "--to", bad)

    assert result.code == 1
    assert f"pickle {bad} is not validated (its validation: invalid)" in result.err
    assert "nothing changed" in result.err and "numerai-deploy history gbm_model" in result.err
    assert numerai.assigned("gbm_model")["id"] == good and numerai.mutations == []


def test_rollback_refuses_another_slots_upload(numerai, numerai_cli, numerai_env):
    mine = numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    theirs = numerai.seed_pickle("ensemble_model", "ensemble_model-0123456789ab.pkl")

    result = numerai_cli("rollback", "gbm_model", "--to", theirs)

    assert result.code == 1
    assert f"pickle {theirs} is not one of this slot's uploads: it is an upload of ensemble_model" in result.err
    assert numerai.assigned("gbm_model")["id"] == mine and numerai.mutations == []


def test_rollback_with_nothing_to_go_back_to(numerai, numerai_cli, numerai_env):
    only = numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.seed_pickle("gbm_model", "gbm_model-ba9876543210.pkl", validation="invalid", assign=False)

    result = numerai_cli("rollback", "gbm_model")

    assert result.code == 1 and "no other validated upload to roll back to" in result.err
    assert numerai.assigned("gbm_model")["id"] == only and numerai.mutations == []


def test_a_lost_answer_to_the_assignment_is_looked_up_not_sent_again(numerai, numerai_cli, numerai_env):
    older = numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.seed_pickle("gbm_model", "gbm_model-ba9876543210.pkl")
    numerai.lose_answer(1, operation="assignPickleToModel")

    result = numerai_cli("rollback", "gbm_model")

    assert result.code == 0, result.out + result.err
    assert numerai.assigned("gbm_model")["id"] == older
    assert numerai.mutations.count("assignPickleToModel") == 1
    assert "the change did happen, its answer was lost" in result.out


def test_history_of_an_empty_slot_and_of_a_slot_the_account_lacks(numerai, numerai_cli, numerai_env):
    empty = numerai_cli("history", "other_model")
    assert empty.code == 0 and "other_model: no uploads on Numerai yet" in empty.out

    missing = numerai_cli("history", "nobody")
    assert missing.code == 2
    assert "no model named 'nobody'" in missing.err and "ensemble_model, gbm_model, other_model" in missing.err


def test_history_and_rollback_need_credentials(numerai, numerai_cli, numerai_env, monkeypatch):
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "")
    for command in (("history", "gbm_model"), ("rollback", "gbm_model")):
        result = numerai_cli(*command)
        assert result.code == 2 and "NUMERAI_SECRET_KEY is not set" in result.err
    assert numerai.requests == []

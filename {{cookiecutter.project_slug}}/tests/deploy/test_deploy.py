"""deploy against the Numerai stand-in: upload, validation, assignment, idempotence, bad input."""

from __future__ import annotations

import hashlib
import json

import leak_scan
from conftest import ACCOUNT_SLOTS, CUSTOM_SPEC, LIGHTGBM_SPEC, manifest_dict, write_spec

# Every run's output and every file written is scanned for the key and the upload signatures.
numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks

SLOTS = ("gbm_model", "ensemble_model")


def manifest_of(repo, slot):
    [path] = sorted((repo / "dist").glob(f"{slot}-*.pkl"), key=lambda item: item.stat().st_mtime)[-1:]
    return path, manifest_dict(path)


def test_first_deploy_uploads_validates_assigns_and_reads_back(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert result.code == 0, result.out + result.err
    for slot in SLOTS:
        path, manifest = manifest_of(deploy_repo, slot)
        assigned = numerai.assigned(slot)
        assert assigned["filename"].endswith(f"{slot}-{manifest['fingerprint']}-{manifest['data']['stamp']}.pkl")
        assert assigned["validationStatus"] == "validated"
        # The bytes that reached storage are the pickle's, on the image and data version it was built for.
        [stored] = [item for item in numerai.state()["stored"] if item["key"] == assigned["filename"]]
        assert (
            stored["sha256"] == manifest["pickle"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        )
        assert assigned["dockerImageName"] == manifest["runtime"]["name"] == "Python 3.12"
        assert assigned["dataVersionId"] == numerai.data_versions[manifest["data"]["version"]]
        assert f"{slot}: validation pending" in result.out
        assert f"{slot}: validation validating" in result.out
        assert f"{slot}: assigned pickle {assigned['id']} and read it back" in result.out
    assert numerai.mutations.count("createComputePickleUpload") == 2
    assert numerai.mutations.count("assignPickleToModel") == 2
    # The token goes to Numerai's API only, never to the storage URL.
    assert not any(entry["authorized"] for entry in numerai.requests if entry["method"] == "PUT")
    table = result.out.split("slot ", 1)[1]
    for slot in SLOTS:
        assert any(
            line.startswith(slot) and "deployed" in line and numerai.assigned(slot)["id"] in line
            for line in table.splitlines()
        )
    summary = (deploy_repo.parent / "step-summary.md").read_text()
    assert "| slot | action | pickle id | status | seconds |" in summary
    assert f"| gbm_model | deployed | {numerai.assigned('gbm_model')['id']} | validated |" in summary


def test_a_rerun_uploads_nothing(numerai, numerai_cli, numerai_env, deploy_repo):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic").code == 0
    mutations = list(numerai.mutations)
    assigned = {slot: numerai.assigned(slot)["id"] for slot in SLOTS}

    again = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert again.code == 0, again.out + again.err
    assert numerai.mutations == mutations
    assert "upload" not in numerai.operations()[-10:]
    for slot in SLOTS:
        assert f"{slot}: unchanged, pickle {assigned[slot]}" in again.out
        assert numerai.assigned(slot)["id"] == assigned[slot]


def test_a_changed_spec_deploys_only_its_slot(numerai, numerai_cli, numerai_env, deploy_repo):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic").code == 0
    before = {slot: numerai.assigned(slot)["id"] for slot in SLOTS}
    write_spec(
        deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC.replace("n_estimators: 40", "n_estimators: 35")
    )
    assert numerai_cli("build", "--repo", deploy_repo, "--synthetic", "gbm_model").code == 0
    _path, manifest = manifest_of(deploy_repo, "gbm_model")

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert result.code == 0, result.out + result.err
    assert numerai.mutations.count("createComputePickleUpload") == 3
    assert numerai.assigned("gbm_model")["id"] != before["gbm_model"]
    assert numerai.assigned("gbm_model")["filename"].endswith(
        f"gbm_model-{manifest['fingerprint']}-{manifest['data']['stamp']}.pkl")
    assert numerai.assigned("ensemble_model")["id"] == before["ensemble_model"]
    assert "ensemble_model: unchanged" in result.out


def test_dry_run_calls_no_mutation_and_uploads_nothing(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.set_webhook("gbm_model", "https://example.invalid/hook")
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {webhook: clear}\n")

    result = numerai_cli("deploy", "--repo", deploy_repo, "--dry-run", "--allow-synthetic")

    assert result.code == 0, result.out + result.err
    assert numerai.operations("mutation") == []
    assert numerai.mutations == []
    assert all(entry["method"] == "POST" for entry in numerai.requests)
    assert "gbm_model: would clear the submission webhook" in result.out
    for slot in SLOTS:
        assert f"{slot}: would upload {slot}-" in result.out
    assert numerai.model_named("gbm_model")["submissionWebhook"] == "https://example.invalid/hook"


def test_dry_run_without_credentials_says_what_it_skipped(
    numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch
):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", "")
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "")

    result = numerai_cli("deploy", "--repo", deploy_repo, "--dry-run", "--allow-synthetic")

    assert result.code == 0, result.out + result.err
    assert numerai.requests == []
    assert "gbm_model: skipped without credentials: the slot's model id, its webhook" in result.out
    assert "would deploy" in result.out


def test_an_unknown_slot_lists_the_accounts_slots_and_the_others_still_deploy(
    numerai, numerai_cli, numerai_env, deploy_repo, built
):
    write_spec(deploy_repo / "models", "custom.yaml", CUSTOM_SPEC)
    for path in (built["custom_model"], built["custom_model"].with_suffix(".json")):
        (deploy_repo / "dist" / path.name).write_bytes(path.read_bytes())

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert result.code == 2
    assert "slot custom_model: this Numerai account has no model named 'custom_model'" in result.err
    assert ", ".join(sorted(ACCOUNT_SLOTS)) in result.err
    assert "Traceback" not in result.err
    assert numerai.assigned("gbm_model") and numerai.assigned("ensemble_model")


def test_a_webhook_is_refused_unless_the_spec_says_clear(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.set_webhook("gbm_model", "https://example.invalid/hook")

    refused = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert refused.code == 2
    assert "slot gbm_model has a submission webhook" in refused.err
    assert "set `deploy: {webhook: clear}` in models/gbm.yaml" in refused.err
    assert numerai.assigned("gbm_model") is None
    assert "computePickleUploadAuth" not in numerai.operations()

    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {webhook: clear}\n")
    cleared = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert cleared.code == 0, cleared.out + cleared.err
    assert "gbm_model: cleared the submission webhook" in cleared.out
    assert numerai.model_named("gbm_model")["submissionWebhook"] is None
    assert numerai.mutations.index("setSubmissionWebhook") < numerai.mutations.index(
        "createComputePickleUpload"
    )
    assert numerai.assigned("gbm_model") is not None


def test_a_disabled_spec_is_skipped(numerai, numerai_cli, numerai_env, deploy_repo):
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {enabled: false}\n")

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert result.code == 0, result.out + result.err
    assert "gbm_model: skipped: deploy.enabled is false in models/gbm.yaml" in result.out
    assert numerai.assigned("gbm_model") is None
    assert numerai.assigned("ensemble_model") is not None


def test_synthetic_pickles_need_an_explicit_flag(numerai, numerai_cli, numerai_env, deploy_repo):
    result = numerai_cli("deploy", "--repo", deploy_repo)

    assert result.code == 2
    assert "trained on synthetic data ==> build on Numerai's data" in result.err
    assert "--allow-synthetic" in result.err
    assert numerai.requests == []


def test_missing_credentials_exit_2_naming_the_variables(
    numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch
):
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "")

    half = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", "")
    none = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert half.code == none.code == 2
    assert "NUMERAI_SECRET_KEY is not set" in half.err
    assert "NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY are not set" in none.err
    assert numerai.requests == []


def test_bad_credentials_exit_2_without_retrying_or_showing_them(
    numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch
):
    wrong = "wrong-secret-value-1234"
    monkeypatch.setenv("NUMERAI_SECRET_KEY", wrong)

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert result.code == 2
    assert "Numerai rejected the API key" in result.err and "NUMERAI_SECRET_KEY" in result.err
    assert "Traceback" not in result.err
    assert numerai.operations() == ["account"]
    assert wrong not in result.out + result.err


def test_the_manifest_is_read_beside_each_pickle(numerai, numerai_cli, numerai_env, deploy_repo):
    path, manifest = manifest_of(deploy_repo, "gbm_model")
    manifest["runtime"] = {**manifest["runtime"], "name": "Python 3.9", "image": "numerai_predict_py_3_9"}
    path.with_suffix(".json").write_text(json.dumps(manifest))

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert result.code == 1
    assert "gbm_model" in result.err and "it was built for numerai_predict_py_3_9:" in result.err
    assert "ghcr.io/numerai/numerai_predict_py_3_12" in result.err
    assert numerai.assigned("gbm_model") is None and numerai.assigned("ensemble_model") is not None


def test_a_retrain_on_new_data_deploys_again(numerai, numerai_cli, numerai_env, deploy_repo):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic").code == 0
    before = {slot: numerai.assigned(slot)["id"] for slot in SLOTS}
    path, manifest = manifest_of(deploy_repo, "gbm_model")
    manifest["data"]["stamp"] = "0badda7a"  # the same recipe, trained on data with new eras
    path.with_suffix(".json").write_text(json.dumps(manifest))

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic")

    assert result.code == 0, result.out + result.err
    assert numerai.assigned("gbm_model")["id"] != before["gbm_model"]
    assert numerai.assigned("gbm_model")["filename"].endswith(f"gbm_model-{manifest['fingerprint']}-0badda7a.pkl")
    assert numerai.assigned("ensemble_model")["id"] == before["ensemble_model"]

"""doctor against the Numerai stand-in: whose key, its scopes, each spec's slot and webhook, the runtimes
against Numerai's images; each problem with its fix, and an exit code that says how bad."""

from __future__ import annotations

import json

import leak_scan
from conftest import LIGHTGBM_SPEC, write_spec

# Every run's output and every file written is scanned for the key and the upload signatures.
numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks


def findings(result) -> list[dict]:
    return json.loads(result.out)["findings"]


def test_a_good_key_on_a_ready_account(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")

    result = numerai_cli("doctor", "--repo", deploy_repo)

    assert result.code == 0, result.out + result.err
    assert "key: belongs to account standin, key 'stand-in token', scopes: read_submission_info, " \
           "read_user_info, upload_submission" in result.out
    assert f"slot gbm_model: pickle {numerai.assigned('gbm_model')['id']} assigned (validated)" in result.out
    assert "slot ensemble_model: found, no pickle assigned yet" in result.out
    assert "runtime py3.12: Numerai runs ghcr.io/numerai/numerai_predict_py_3_12:" in result.out
    assert "ready to deploy: no problem found" in result.out
    assert numerai.mutations == []


def test_a_key_without_the_upload_scope_exits_2_naming_it(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.scopes = ("read_user_info", "read_submission_info")

    result = numerai_cli("doctor", "--repo", deploy_repo)

    assert result.code == 2, result.out + result.err
    [line] = [line for line in result.out.splitlines() if line.startswith("problem")]
    assert "the key lacks the upload_submission scope: it cannot upload, assign and run pickles" in line
    assert "==> make a key with the upload_submission scope at numer.ai" in line
    assert "1 problem(s) to fix" in result.out
    as_json = numerai_cli("doctor", "--repo", deploy_repo, "--json")
    assert as_json.code == 2 and json.loads(as_json.out)["missing_scopes"] == ["upload_submission"]


def test_a_missing_slot_and_a_webhook_are_problems_with_their_fixes(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.models.pop(numerai.model_named("ensemble_model")["id"])
    numerai.set_webhook("gbm_model", "https://example.invalid/hook")

    result = numerai_cli("doctor", "--repo", deploy_repo, "--json")

    assert result.code == 2
    problems = {item["topic"]: item for item in findings(result) if item["level"] == "problem"}
    assert set(problems) == {"slot gbm_model", "slot ensemble_model"}
    missing = problems["slot ensemble_model"]
    assert "no model named 'ensemble_model' (its models: gbm_model, other_model)" in missing["text"]
    assert "set `slot:` in models/ensemble.yaml" in missing["fix"]
    assert "submission webhook" in problems["slot gbm_model"]["text"]
    assert "`deploy: {webhook: clear}` in models/gbm.yaml" in problems["slot gbm_model"]["fix"]

    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {webhook: clear}\n")
    cleared = numerai_cli("doctor", "--repo", deploy_repo)
    assert "note    slot gbm_model: has a submission webhook; deploy clears it" in cleared.out


def test_a_runtime_numerai_runs_at_another_tag_exits_1(numerai, numerai_cli, numerai_env, deploy_repo):
    image = next(item for item in numerai.docker_images if item["name"] == "Python 3.12")
    image["tag"] = "fedcba9"

    result = numerai_cli("doctor", "--repo", deploy_repo)

    assert result.code == 1, result.out + result.err
    assert "problem runtime py3.12: Numerai runs ghcr.io/numerai/numerai_predict_py_3_12 at tag fedcba9" in result.out
    assert "==> python scripts/refresh_runtimes.py --ref fedcba9 --python 3.12" in result.out


def test_without_keys_doctor_says_how_to_set_them(numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", "")
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "")

    result = numerai_cli("doctor", "--repo", deploy_repo)

    assert result.code == 2
    assert "NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY are not set" in result.err
    assert "gh secret set NUMERAI_SECRET_KEY" in result.err and "upload_submission" in result.err
    assert numerai.requests == []


def test_a_rejected_key_exits_2(numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch):
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "wrong-secret-value-1234")

    result = numerai_cli("doctor", "--repo", deploy_repo)

    assert result.code == 2
    assert "problem key: Numerai rejected the API key" in result.out
    assert numerai.operations() == ["apiTokenInfo"]
    assert "wrong-secret-value-1234" not in result.out + result.err

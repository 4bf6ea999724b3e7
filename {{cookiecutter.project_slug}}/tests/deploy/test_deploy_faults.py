"""deploy when Numerai misbehaves: transient faults are retried within bounds, the rest fail clearly,
nothing half-done is ever assigned, and the secret key shows nowhere."""

from __future__ import annotations

import os
import subprocess
import sys

import leak_scan
from conftest import PACKAGE, STANDIN_SECRET_KEY

# Every run's output and every file written is scanned for the key and the upload signatures.
numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks

SLOTS = ("gbm_model", "ensemble_model")


def deploy(numerai_cli, repo, *args):
    return numerai_cli("deploy", "--repo", repo, "--allow-synthetic", *args)


def faulted(numerai, kind):
    return [entry["operation"] for entry in numerai.requests if entry["fault"] == kind]


def test_a_burst_of_5xx_is_retried_to_success(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.fail_next(3, status=503)

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 0, result.out + result.err
    assert faulted(numerai, "status") == ["account", "account", "account"]
    assert "account: HTTP 503; retry 3/3" in result.out
    assert all(numerai.assigned(slot) for slot in SLOTS)


def test_5xx_beyond_the_retries_fails_that_step_with_nothing_assigned(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    numerai.fail_next(100, status=502, operation="createComputePickleUpload")

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 1
    assert numerai.operations().count("createComputePickleUpload") == 2 * 4  # 4 attempts per slot, no more
    assert "createComputePickleUpload: HTTP 502, gave up after 4 attempt(s)" in result.err
    assert "(nothing assigned)" in result.err
    assert numerai.mutations == []
    assert all(numerai.assigned(slot) is None for slot in SLOTS)


def test_a_slow_answer_times_out_and_is_retried(numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch):
    monkeypatch.setenv("NUMERAI_REQUEST_TIMEOUT", "0.3")
    numerai.slow_next(1, 1.5, operation="model")

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 0, result.out + result.err
    assert "model: no complete answer within 0.3s (NUMERAI_REQUEST_TIMEOUT)" in result.out
    assert faulted(numerai, "slow") == ["model"]
    assert all(numerai.assigned(slot) for slot in SLOTS)


def test_answers_that_stay_slow_are_bounded_in_time(
    numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch
):
    monkeypatch.setenv("NUMERAI_REQUEST_TIMEOUT", "0.2")
    monkeypatch.setenv("NUMERAI_RETRY_ATTEMPTS", "2")
    numerai.slow_next(100, 1.0, operation="computePickleDockerImages")

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 1
    assert (
        "computePickleDockerImages: no complete answer within 0.2s" in result.err
        and "gave up after 2 attempt(s)" in result.err
    )
    assert numerai.operations().count("computePickleUploadAuth") == 0
    assert all(numerai.assigned(slot) is None for slot in SLOTS)


def test_dropped_connections_are_retried(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.drop_next(2, operation="computePickles")

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 0, result.out + result.err
    assert faulted(numerai, "drop") == ["computePickles", "computePickles"]
    assert "computePickles: ConnectionError" in result.out
    assert all(numerai.assigned(slot) for slot in SLOTS)


def test_a_dropped_file_upload_is_retried(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.drop_next(1, operation="upload")

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 0, result.out + result.err
    assert "file upload: ConnectionError" in result.out
    assert all(numerai.assigned(slot) for slot in SLOTS)


def test_a_rejected_put_fails_clearly_and_nothing_is_created_or_assigned(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    numerai.reject_put(count=100, status=403)

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 1
    assert "file upload: the storage refused" in result.err and "HTTP 403" in result.err
    assert "AccessDenied" in result.err
    assert "<SignatureProvided>***</SignatureProvided>" in result.err  # echoed by the storage, scrubbed
    assert numerai.signatures and not any(signature in result.err for signature in numerai.signatures)
    assert [entry["method"] for entry in numerai.requests].count("PUT") == 2  # a refusal is not retried
    assert "createComputePickleUpload" not in numerai.operations()
    assert all(numerai.assigned(slot) is None for slot in SLOTS)


def test_a_graphql_error_is_not_retried_and_other_slots_still_deploy(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    numerai.graphql_error("computePickleUploadAuth", "Model uploads are disabled for this model", count=1)

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 1
    assert (
        "computePickleUploadAuth: Numerai answered: Model uploads are disabled for this model" in result.err
    )
    assert numerai.operations().count("computePickleUploadAuth") == 2  # one per slot: no retry
    failed, deployed = [line for line in result.out.splitlines() if line.startswith(SLOTS)][-2:]
    assert sum(numerai.assigned(slot) is not None for slot in SLOTS) == 1
    assert {failed.split()[1], deployed.split()[1]} == {"failed", "deployed"}


def test_a_failed_validation_shows_numerais_description_and_logs_and_assigns_nothing(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    numerai.validation_fails(
        "gbm_model",
        "Your model's predictions contain NaN",
        ["Traceback (most recent call last):", "ValueError: NaN found in predictions"],
    )

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 1
    assert "gbm_model: validation invalid" in result.out
    assert "gbm_model: Numerai says: Your model's predictions contain NaN" in result.out
    assert "ValueError: NaN found in predictions" in result.out
    assert "Numerai's validation rejected pickle" in result.err and "nothing was assigned" in result.err
    assert numerai.assigned("gbm_model") is None
    assert numerai.assigned("ensemble_model") is not None
    assert numerai.mutations.count("assignPickleToModel") == 1


def test_a_validation_that_never_ends_is_waited_for_within_bounds(numerai, numerai_cli, numerai_env,
                                                                  deploy_repo):
    numerai.validation_never_ends("gbm_model")

    result = deploy(numerai_cli, deploy_repo, "gbm_model", "--wait-timeout", "0.3", "--poll-interval", "0.02")

    assert result.code == 1
    assert "validation of pickle" in result.err and "did not finish within 0.3s" in result.err
    assert "last status: validating" in result.err
    assert numerai.assigned("gbm_model") is None
    assert numerai.operations().count("computePickles") > 3  # it did poll, several times

    # A later run picks the same upload up instead of uploading it again.
    again = deploy(numerai_cli, deploy_repo, "gbm_model", "--wait-timeout", "0.1")
    assert again.code == 1
    assert "reusing the earlier upload" in again.out
    assert numerai.mutations.count("createComputePickleUpload") == 1


def test_the_secret_key_appears_in_no_output_and_no_file(
    numerai, numerai_env, numerai_cli, deploy_repo, tmp_path, outputs
):
    """Through retries, an error echoing the request's token, a failed validation and a success (the
    real CLI in a subprocess, then in-process runs), every byte printed and every file written is
    scanned for the key."""
    numerai.state_file = tmp_path / "standin-state.json"
    numerai.fail_next(1)
    numerai.graphql_error("model", "Bad request from {authorization}", count=1)
    numerai.validation_fails("gbm_model", "crashed", ["Segmentation fault"])
    first = subprocess.run(
        [sys.executable, "-m", PACKAGE, "deploy", "--allow-synthetic"],
        cwd=deploy_repo,
        capture_output=True,
        text=True,
        env={**os.environ, **numerai_env},
        timeout=300,
    )
    outputs.extend([first.stdout, first.stderr])  # scanned for signatures too (conftest.nothing_leaks)
    # numerai_cli checks its own output for the key on every run.
    later = [
        numerai_cli(*args, "--repo", deploy_repo)
        for args in (["deploy", "--allow-synthetic", "ensemble_model"], ["deploy", "--dry-run", "--allow-synthetic"],
                     ["status"])
    ]

    # status: gbm_model's upload failed validation, so it is not deployed (exit 1, not in sync).
    assert [first.returncode, *(run.code for run in later)] == [1, 0, 0, 1]
    assert "Numerai answered: Bad request from Token ***" in first.stderr  # scrubbed, not withheld
    assert STANDIN_SECRET_KEY not in first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    scanned = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert {"step-summary.md", "standin-state.json"} <= {path.name for path in scanned}
    for path in scanned:
        assert STANDIN_SECRET_KEY.encode() not in path.read_bytes(), path

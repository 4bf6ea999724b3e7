"""deploy rides out outages, never repeats a change blindly, shows no signed URL, and resumes after
being killed: all against the Numerai stand-in, through numerapi over HTTP."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import leak_scan
from conftest import LIGHTGBM_SPEC, PACKAGE, write_spec

# Every run's output and every file written is scanned for the key and the upload signatures.
numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks

SLOTS = ("gbm_model", "ensemble_model")
RETRY_VARIABLES = (
    "NUMERAI_REQUEST_TIMEOUT",
    "NUMERAI_RETRY_ATTEMPTS",
    "NUMERAI_RETRY_BACKOFF",
    "NUMERAI_RETRY_MAX_BACKOFF",
    "NUMERAI_RETRY_BUDGET",
)
RETRY_LINE = re.compile(
    r"(?P<call>\w+|file upload): (?P<problem>.+); retry (?P<retry>\d+)/(?P<most>\d+) in (?P<wait>[\d.e+-]+)s "
    r"\((?P<left>[\d.e+-]+)s of the (?P<budget>[\d.]+)s retry budget left\)"
)


def deploy(numerai_cli, repo, *args):
    return numerai_cli("deploy", "--repo", repo, "--allow-synthetic", *args)


def retries(text: str) -> list[dict]:
    return [match.groupdict() for match in RETRY_LINE.finditer(text)]


def only_upload(numerai, slot: str) -> dict:
    """The slot's one and only upload, which must be the one assigned and validated."""
    [upload] = numerai.uploads(slot)
    assigned = numerai.assigned(slot)
    assert assigned is not None and assigned["id"] == upload["id"]
    assert assigned["validationStatus"] == "validated"
    return upload


# -- 1. outages ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_an_outage_of_a_minute_is_ridden_out_with_the_default_settings(
    numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch
):
    """60 s of wall time in which nothing works: 2 s with nothing listening (connections refused: a
    restart, within the few seconds a refusing host is retried), then 58 s of 503 answers and dropped
    connections."""
    for name in RETRY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    numerai.outage(60, refuse_for=2)
    started = time.monotonic()

    result = deploy(numerai_cli, deploy_repo)

    took = time.monotonic() - started
    assert result.code == 0, result.out + result.err
    assert took >= 60
    for slot in SLOTS:
        only_upload(numerai, slot)
    assert any(entry["fault"] == "outage" for entry in numerai.requests)  # the 5xx/drop part was met
    lines = retries(result.out)
    assert lines and {line["call"] for line in lines} == {"account"}  # the first call waited it out
    assert any("ConnectionError" in line["problem"] for line in lines)
    assert {line["budget"] for line in lines} == {"180"} and {line["most"] for line in lines} == {"11"}
    waits = [float(line["wait"]) for line in lines]
    assert waits[0] < 4 and max(waits) > 8  # exponential: short first, longer later
    assert [float(line["left"]) for line in lines] == sorted((float(line["left"]) for line in lines), reverse=True)


def test_the_retry_budget_bounds_an_outage_that_lasts(numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch):
    monkeypatch.setenv("NUMERAI_RETRY_ATTEMPTS", "1000")
    monkeypatch.setenv("NUMERAI_RETRY_BACKOFF", "0.05")
    monkeypatch.setenv("NUMERAI_RETRY_MAX_BACKOFF", "0.3")
    monkeypatch.setenv("NUMERAI_RETRY_BUDGET", "2")
    numerai.outage(3600)

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 1
    gave_up = re.search(r"account: .*, gave up after (\d+) attempt\(s\) in ([\d.]+)s", result.err)
    attempts, took = int(gave_up.group(1)), float(gave_up.group(2))
    assert 2 <= took < 2 + 2  # the budget, and one more request (NUMERAI_REQUEST_TIMEOUT=2) at most
    assert 4 < attempts < 1000  # the time ran out, not the attempts
    lines = retries(result.out)
    assert len(lines) == attempts - 1
    assert all(line["problem"] == "HTTP 503" or line["problem"].startswith("ConnectionError") for line in lines)
    assert all(float(line["wait"]) <= 0.3 + 1e-9 for line in lines)
    assert numerai.mutations == []


def test_each_retry_says_what_it_waits_for(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.fail_next(2, status=502, operation="computePickleDockerImages")

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 0, result.out + result.err
    [first, second] = retries(result.out)
    assert first["call"] == second["call"] == "computePickleDockerImages"
    assert first["problem"] == "HTTP 502" and (first["retry"], second["retry"]) == ("1", "2")
    assert first["most"] == "3"  # NUMERAI_RETRY_ATTEMPTS=4: three retries at most


def test_status_rides_out_a_short_outage(numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch):
    monkeypatch.setenv("NUMERAI_RETRY_ATTEMPTS", "12")
    monkeypatch.setenv("NUMERAI_RETRY_BACKOFF", "0.2")
    numerai.outage(1.5)

    result = numerai_cli("status", "--repo", deploy_repo)

    assert result.code == 1, result.out + result.err  # answered: nothing deployed yet, so not in sync
    assert "not deployed" in result.out and "Traceback" not in result.err
    assert retries(result.err) and {line["call"] for line in retries(result.err)} == {"account"}  # logs: stderr
    assert "gbm_model" in result.out and "no pickle assigned" in result.out


# -- 2. no duplicate changes -----------------------------------------------------------------------


@pytest.mark.parametrize("lost", ["dropped", "late"])
def test_a_lost_answer_to_create_upload_is_looked_up_not_sent_again(
    numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch, lost
):
    """Numerai creates the upload, but its answer never arrives (the connection drops, or the answer
    comes after the client's timeout): the next attempt finds the upload by its file name."""
    monkeypatch.setenv("NUMERAI_REQUEST_TIMEOUT", "0.5")
    numerai.lose_answer(1, operation="createComputePickleUpload", seconds=None if lost == "dropped" else 1.5)

    result = deploy(numerai_cli, deploy_repo, "gbm_model")

    assert result.code == 0, result.out + result.err
    assert numerai.operations().count("createComputePickleUpload") == 1
    assert numerai.mutations.count("createComputePickleUpload") == 1
    upload = only_upload(numerai, "gbm_model")
    assert "createComputePickleUpload: the change did happen, its answer was lost; not sending it again" in result.out
    assert f"gbm_model: uploaded, pickle {upload['id']}" in result.out
    assert len([item for item in numerai.state()["stored"] if "gbm_model" in item["key"]]) == 1


def test_a_change_that_did_not_happen_is_sent_again(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.fail_next(1, status=503, operation="createComputePickleUpload")  # answered 503, not carried out

    result = deploy(numerai_cli, deploy_repo, "gbm_model")

    assert result.code == 0, result.out + result.err
    assert numerai.operations().count("createComputePickleUpload") == 2
    operations = numerai.operations()
    first = operations.index("createComputePickleUpload")
    assert operations[first + 1] == "computePickles"  # looked up before it was sent again
    only_upload(numerai, "gbm_model")


def test_a_lost_answer_to_assign_is_read_back_not_sent_again(numerai, numerai_cli, numerai_env, deploy_repo):
    numerai.lose_answer(1, operation="assignPickleToModel")

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 0, result.out + result.err
    assert numerai.operations().count("assignPickleToModel") == 2  # one per slot, none repeated
    assert "assignPickleToModel: the change did happen" in result.out
    for slot in SLOTS:
        only_upload(numerai, slot)


def test_a_lost_answer_to_clearing_the_webhook_is_read_back_not_sent_again(
    numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch
):
    monkeypatch.setenv("NUMERAI_REQUEST_TIMEOUT", "0.5")
    numerai.set_webhook("gbm_model", "https://example.invalid/hook")
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC + "    deploy: {webhook: clear}\n")
    numerai.lose_answer(1, operation="setSubmissionWebhook", seconds=1.5)

    result = deploy(numerai_cli, deploy_repo, "gbm_model")

    assert result.code == 0, result.out + result.err
    assert numerai.operations().count("setSubmissionWebhook") == 1
    assert "setSubmissionWebhook: the change did happen" in result.out
    assert numerai.model_named("gbm_model")["submissionWebhook"] is None
    only_upload(numerai, "gbm_model")


# -- 3. no signed URL or secret in any output --------------------------------------------------------


def test_a_refused_upload_url_fails_cleanly_without_showing_its_signature(
    numerai, numerai_cli, numerai_env, deploy_repo, monkeypatch
):
    monkeypatch.setenv("NUMERAI_DEBUG", "1")  # urllib3's own debug lines included
    numerai.upload_urls_to_dead_port()

    result = deploy(numerai_cli, deploy_repo)

    assert result.code == 1
    assert "file upload: cannot be reached, nothing listens there (ConnectionError" in result.err
    assert "gave up after 4 attempt(s)" in result.err
    assert result.err.count("(nothing assigned)") == 2
    assert "Traceback" not in result.err
    assert "/uploads/" in result.out + result.err  # the URL's path may show, its query string never
    assert "X-Amz-Signature" not in result.out + result.err
    assert numerai.signatures and not any(sig in result.out + result.err for sig in numerai.signatures)
    assert "createComputePickleUpload" not in numerai.operations()
    assert all(numerai.assigned(slot) is None for slot in SLOTS)


def test_debug_output_of_a_deploy_shows_no_signature(numerai, numerai_cli, numerai_env, deploy_repo):
    result = numerai_cli("--debug", "deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert result.code == 0, result.out + result.err
    assert '"PUT /uploads/' in result.out + result.err  # urllib3 logged the request line...
    assert numerai.signatures and not any(sig in result.out + result.err for sig in numerai.signatures)


def test_error_texts_are_scrubbed(numerai, numerai_cli, numerai_env, deploy_repo):
    signed = "https://storage.example/bucket/x.pkl?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=0a1b2c3d4e5f"
    numerai.graphql_error("computePickleUploadAuth", "storage " + signed + " said no to {authorization}")

    result = deploy(numerai_cli, deploy_repo, "gbm_model")

    assert result.code == 1
    assert (
        "computePickleUploadAuth: Numerai answered: storage https://storage.example/bucket/x.pkl?*** "
        "said no to Token ***" in result.err
    )
    assert "0a1b2c3d4e5f" not in result.out + result.err and "AKIAEXAMPLE" not in result.out + result.err


# -- 4. an interrupted run resumes -----------------------------------------------------------------


def console_script() -> list[str]:
    script = Path(sys.executable).with_name("numerai-deploy")
    return [str(script)] if script.exists() else [sys.executable, "-m", PACKAGE]


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_deploy_killed_while_waiting_for_validation_resumes_the_same_upload(
    numerai, numerai_cli, numerai_env, deploy_repo, outputs
):
    numerai.validation_never_ends("gbm_model")
    env = {**os.environ, **numerai_env, "NUMERAI_POLL_INTERVAL": "0.05", "NUMERAI_VALIDATION_TIMEOUT": "600",
           "PYTHONUNBUFFERED": "1"}
    command = [*console_script(), "deploy", "--repo", str(deploy_repo), "--allow-synthetic", "gbm_model"]
    assert shutil.which(command[0]) or Path(command[0]).exists()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: numerai.uploads("gbm_model"), 120, "the upload")
        [upload] = numerai.uploads("gbm_model")
        polled = numerai.operations().count("computePickles")
        wait_for(lambda: numerai.operations().count("computePickles") >= polled + 3, 30, "validation polls")
        assert numerai.uploads("gbm_model")[0]["validationStatus"] == "validating"
    finally:
        process.send_signal(signal.SIGKILL)
        out, err = process.communicate(timeout=30)
        outputs.extend([out, err])
    assert process.returncode == -signal.SIGKILL
    assert numerai.assigned("gbm_model") is None
    assert "gbm_model: validation validating" in out

    numerai.let_validation_finish("gbm_model")
    before = len(numerai.operations())
    again = deploy(numerai_cli, deploy_repo, "gbm_model")

    assert again.code == 0, again.out + again.err
    assert f"gbm_model: reusing the earlier upload {upload['id']} of this build" in again.out
    assert "computePickleUploadAuth" not in numerai.operations()[before:]
    assert numerai.mutations.count("createComputePickleUpload") == 1
    assert len([entry for entry in numerai.requests if entry["method"] == "PUT"]) == 1
    assert only_upload(numerai, "gbm_model")["id"] == upload["id"]

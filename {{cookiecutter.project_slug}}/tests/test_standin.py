"""The stand-in itself: numerapi's own calls work against it (sent by the client's transport, as the
package sends them), and it runs standalone for workflow tests."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests

from {{ cookiecutter.package_name }}.numerai.client import NumeraiClient
from {{ cookiecutter.package_name }}.numerai.credentials import Credentials
from {{ cookiecutter.package_name }}.numerai.errors import AuthenticationFailed
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import REPO_ROOT

STANDIN = REPO_ROOT / "tests" / "standin.py"
# The client scrubs a key from every later message of this process: none that may occur in one.
PUBLIC_ID, SECRET_KEY = "STANDALONE-PUBLIC", "standalone-secret-2c8e1f"


@pytest.fixture
def standalone(tmp_path):
    """`python tests/standin.py ...` in its own process; yields (url, state file)."""
    state = tmp_path / "state.json"
    process = subprocess.Popen(
        [
            sys.executable,
            str(STANDIN),
            "--port",
            "0",
            "--models",
            "slot_a,slot_b",
            "--public-id",
            PUBLIC_ID,
            "--secret-key",
            SECRET_KEY,
            "--state-file",
            str(state),
            "--webhook",
            "slot_b=https://example.invalid/hook",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        yield url, state
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def numerapi_at(monkeypatch):
    """numerapi, its requests sent to `url` (NUMERAI_API_URL) with the key `public_id`, `secret_key`."""

    def connect(url: str, public_id: str | None = None, secret_key: str | None = None):
        monkeypatch.setenv("NUMERAI_API_URL", url)
        credentials = Credentials(public_id, secret_key) if public_id and secret_key else None
        return NumeraiClient(credentials, load_settings()).numerapi

    return connect


def test_standalone_serves_numerapis_calls_and_dumps_its_state(standalone, numerapi_at, tmp_path):
    url, state_file = standalone
    api = numerapi_at(url, PUBLIC_ID, SECRET_KEY)

    models = api.get_models()
    assert set(models) == {"slot_a", "slot_b"}
    assert set(api.model_upload_docker_images()) >= {"Python 3.12"}
    assert set(api.model_upload_data_versions()) >= {"v5.2"}
    assert api.set_submission_webhook(models["slot_b"], None) is True

    pickle = tmp_path / "slot_a-0123456789ab.pkl"
    pickle.write_bytes(b"not really a pickle")
    pickle_id = api.model_upload(
        str(pickle), model_id=models["slot_a"], data_version="v5.2", docker_image="Python 3.12"
    )
    state = json.loads(state_file.read_text())
    assert [item["id"] for item in state["pickles"]] == [pickle_id]
    assert state["stored"][0]["bytes"] == len(b"not really a pickle")
    assert state["mutations"] == ["setSubmissionWebhook", "createComputePickleUpload"]
    assert {model["name"]: model["submissionWebhook"] for model in state["models"]} == {
        "slot_a": None,
        "slot_b": None,
    }

    # Validation moves on over polls; then the pickle can be assigned and the state file says so.
    query = (
        "query ($id: ID, $modelId: ID) { computePickles(id: $id, modelId: $modelId) { validationStatus } }"
    )
    seen = [
        api.raw_query(query, {"id": pickle_id, "modelId": models["slot_a"]}, authorization=True)["data"][
            "computePickles"
        ][0]["validationStatus"]
        for _ in range(3)
    ]
    assert seen == ["pending", "validating", "validated"]
    assign = (
        "mutation ($modelId: String, $pickleId: ID) "
        "{ assignPickleToModel(modelId: $modelId, pickleId: $pickleId) }"
    )
    api.raw_query(assign, {"modelId": models["slot_a"], "pickleId": pickle_id}, authorization=True)
    assert json.loads(state_file.read_text())["assignments"] == {
        "slot_a": {"pickleId": pickle_id, "filename": state["pickles"][0]["filename"]}
    }


def test_authentication_is_required_and_checked(standalone, numerapi_at):
    url, _state = standalone

    with pytest.raises(AuthenticationFailed, match="You must be authenticated"):
        numerapi_at(url).raw_query("query { account { models { id } } }", authorization=False)
    with pytest.raises(AuthenticationFailed, match="Invalid API key"):
        numerapi_at(url, PUBLIC_ID, "wrong-secret-5d0b7a").get_models()


def test_an_upload_url_takes_only_its_own_file(standalone):
    url, _state = standalone

    answer = requests.put(f"{url}/uploads/not-a-token/x.pkl", data=b"x", timeout=5)

    assert answer.status_code == 403


def test_faults_are_served_in_order(tmp_path):
    from standin import NumeraiStandIn

    with NumeraiStandIn(models=["a"], public_id="P", secret_key="S") as standin:
        standin.fail_next(1, status=500)
        standin.drop_next(1)
        standin.slow_next(1, 0.3)
        headers = {"Authorization": "Token P$S"}
        body = {"query": "query { account { models { id name } } }"}
        assert requests.post(standin.url, json=body, headers=headers, timeout=5).status_code == 500
        with pytest.raises(requests.ConnectionError):
            requests.post(standin.url, json=body, headers=headers, timeout=5)
        started = time.monotonic()
        answer = requests.post(standin.url, json=body, headers=headers, timeout=5)
        assert time.monotonic() - started >= 0.3
        assert answer.json()["data"]["account"]["models"][0]["name"] == "a"
        assert [entry["fault"] for entry in standin.requests] == ["status", "drop", "slow"]


def test_rounds_open_and_close_and_each_submission_names_its_round(numerapi_at):
    """numerapi's own round and submission calls against the stand-in's calendar."""
    from standin import FIRST_ROUND, NO_OPEN_ROUND, NumeraiStandIn

    with NumeraiStandIn(models=["a"], public_id=PUBLIC_ID, secret_key=SECRET_KEY) as standin:
        api = numerapi_at(standin.url, PUBLIC_ID, SECRET_KEY)
        model_id = api.get_models()["a"]
        assert api.get_current_round() == FIRST_ROUND
        standin.seed_pickle("a", "a.pkl")  # validated: it runs at once for the open round
        assert [item["filename"] for item in api.submission_ids(model_id)] == [f"a-{FIRST_ROUND}.csv"]

        standin.close_round()
        with pytest.raises(Exception, match="Current round not open for submissions"):
            api.get_current_round()
        standin.seed_pickle("a", "later.pkl")
        assert standin.assigned("a")["triggers"][0]["statuses"][-1]["description"] == NO_OPEN_ROUND

        assert standin.open_round() == FIRST_ROUND + 1  # every assigned pickle runs for it at once
        assert api.get_current_round() == FIRST_ROUND + 1
        rounds = standin.state()["rounds"]
        assert [(item["number"], item["status"]) for item in rounds] == [
            (FIRST_ROUND - 1, "RESOLVING"), (FIRST_ROUND, "RESOLVING"), (FIRST_ROUND + 1, "OPEN")]
        assert [item["round"]["number"] for item in standin.state()["submissions"]] == [FIRST_ROUND, FIRST_ROUND + 1]

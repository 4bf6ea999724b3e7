"""Each client sends every request, numerapi's methods' included, to the NUMERAI_API_URL of its own
settings through the transport, and a presigned URL's signature never shows in what it raises."""

from __future__ import annotations

import socket
import time

import pytest

from {{ cookiecutter.package_name }}.logs import scrub
from {{ cookiecutter.package_name }}.numerai.client import NumeraiClient
from {{ cookiecutter.package_name }}.numerai.credentials import Credentials
from {{ cookiecutter.package_name }}.numerai.errors import AuthenticationFailed, TransientFailure
from {{ cookiecutter.package_name }}.numerai.signed_urls import hide_signed_url, without_path_queries
from {{ cookiecutter.package_name }}.settings import Settings

from standin import NumeraiStandIn

# The client scrubs a key from every later message of this process: none that may occur in one.
PUBLIC_ID, SECRET_KEY = "TRANSPORT-PUBLIC", "transport-secret-41c9d2"


def client_at(url: str, **settings) -> NumeraiClient:
    return NumeraiClient(Credentials(PUBLIC_ID, SECRET_KEY), Settings(api_url=url, retry_attempts=1, **settings))


def test_two_clients_in_one_process_each_reach_their_own_endpoint():
    with (
        NumeraiStandIn(models=["slot_a"], public_id=PUBLIC_ID, secret_key=SECRET_KEY) as first,
        NumeraiStandIn(models=["slot_b"], public_id=PUBLIC_ID, secret_key=SECRET_KEY) as second,
    ):
        one, other = client_at(first.url), client_at(second.url)

        # numerapi's own method and the client's own query, interleaved
        assert set(one.account_models()) == {"slot_a"}
        assert set(other.account_models()) == {"slot_b"}
        assert one.model_state(first.model_named("slot_a")["id"])["name"] == "slot_a"
        assert set(other.numerapi.model_upload_data_versions()) >= {"v5.2"}

    assert [entry["operation"] for entry in first.requests] == ["account", "model"]
    assert [entry["operation"] for entry in second.requests] == ["account", "computePickleDataVersions"]


def test_numerapis_methods_raise_the_transports_errors_not_keyerror():
    with NumeraiStandIn(models=["slot_a"], public_id=PUBLIC_ID, secret_key="another-secret-8f60b3") as standin:
        with pytest.raises(AuthenticationFailed, match="NUMERAI_SECRET_KEY"):
            client_at(standin.url).numerapi.get_models()


def test_a_signed_urls_query_and_signing_values_are_scrubbed_wherever_they_turn_up():
    signature = "5f2b9c0d1e-signature-8a7c"
    hide_signed_url(f"https://storage.example/x.pkl?X-Amz-Expires=600&X-Amz-Signature={signature}")

    assert signature not in scrub(f"<SignatureProvided>{signature}</SignatureProvided>")
    assert "600" in scrub("expires in 600 seconds")  # a short, unsigned value stays
    assert without_path_queries("PUT /uploads/x.pkl?X-Amz-Signature=abc failed") == "PUT /uploads/x.pkl?*** failed"


def test_a_server_that_answers_a_byte_at_a_time_cannot_hold_a_call_past_its_deadline():
    """NUMERAI_REQUEST_TIMEOUT bounds the whole request, not each read: every read gets a byte in time."""
    with NumeraiStandIn(models=["slot_a"], public_id=PUBLIC_ID, secret_key=SECRET_KEY) as standin:
        standin.trickle_next(1, 0.05)  # some 300 bytes: 15 s for the whole answer
        started = time.monotonic()
        with pytest.raises(TransientFailure, match=r"no complete answer within 1s"):
            client_at(standin.url, request_timeout=1).account_models()
        assert time.monotonic() - started < 5
        assert set(client_at(standin.url, request_timeout=1).account_models()) == {"slot_a"}  # the next call is fine


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(("url", "words", "most_seconds"), [
    ("https://numerai-api.invalid/graphql", "cannot be reached, the host name does not resolve", 10),
    ("http://127.0.0.1:PORT/graphql", "cannot be reached, nothing listens there", 15),
])
def test_what_waiting_cannot_heal_fails_in_seconds_with_the_default_retries(url, words, most_seconds):
    """A name that does not resolve (offline) is not retried; a refusing host only for a few seconds
    (a restart), not the minutes of retries an outage gets."""
    settings = Settings(api_url=url.replace("PORT", str(closed_port())))
    started = time.monotonic()
    with pytest.raises(TransientFailure) as raised:
        NumeraiClient(Credentials(PUBLIC_ID, SECRET_KEY), settings).account_models()
    assert time.monotonic() - started < most_seconds
    message = str(raised.value)
    assert words in message and "==> check the network connection (offline?)" in message
    assert "\n" not in message
    if "invalid" in url:
        assert "gave up after 1 attempt(s)" in message

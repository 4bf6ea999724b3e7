"""The stand-in's per-round scores, asked as numerapi 3.1.1 asks (submission_scores) and as the client
asks (v2RoundModelPerformances with payoutMultipliers): resolved and unresolved rounds, each score's
daily entries, each round's payout multipliers, and no entry at all for a round a slot missed."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.numerai.client import NumeraiClient
from {{ cookiecutter.package_name }}.numerai.credentials import Credentials
from {{ cookiecutter.package_name }}.settings import load_settings

from standin import NumeraiStandIn

PUBLIC_ID, SECRET_KEY = "SCORES-PUBLIC-ID", "scores-secret-key-5b1e"


@pytest.fixture
def standin(monkeypatch):
    with NumeraiStandIn(models=["slot_a", "slot_b"], public_id=PUBLIC_ID, secret_key=SECRET_KEY) as running:
        monkeypatch.setenv("NUMERAI_API_URL", running.url)
        running.score_round(1001, multipliers={"v2_corr20": 0.75, "mmc": 2.25})
        running.score_round(1002)
        running.score_round(1003, resolved=False)
        running.seed_scores("slot_a", {1001: {"v2_corr20": 0.02, "mmc": 0.01}, 1002: {"corr60": 0.03, "mmc60": 0.0},
                                       1003: {"corr60": 0.5, "mmc60": 0.5}})
        running.seed_scores("slot_b", {1001: {"v2_corr20": 0.01, "mmc": 0.0}})
        yield running


def test_numerapis_submission_scores_sees_daily_entries_and_filters_resolved(standin):
    napi = NumeraiClient(None, load_settings()).numerapi  # public: no key
    model_id = standin.model_named("slot_a")["id"]

    every = napi.submission_scores(model_id)
    resolved = napi.submission_scores(model_id, resolved=True)

    assert {entry["roundNumber"] for entry in every} == {1001, 1002, 1003}
    assert {entry["roundNumber"] for entry in resolved} == {1001, 1002}
    final = {(entry["displayName"], entry["value"], entry["day"]) for entry in resolved if entry["roundNumber"] == 1001}
    assert final == {("v2_corr20", 0.02, 20), ("mmc", 0.01, 20)}
    early = [entry for entry in every if entry["roundNumber"] == 1001 and entry["day"] == 5]
    assert early and all(entry["resolved"] is False and entry["value"] != 0.02 for entry in early
                         if entry["displayName"] == "v2_corr20")
    assert {entry["displayName"] for entry in napi.submission_scores(model_id, display_name="mmc")} == {"mmc"}


def test_round_performances_carry_each_rounds_payout_multipliers(standin):
    client = NumeraiClient(Credentials(PUBLIC_ID, SECRET_KEY), load_settings())

    answer = client.round_payout_multipliers(standin.model_named("slot_a")["id"])

    by_round = {item["roundNumber"]: item for item in answer}
    assert by_round[1001]["payoutMultipliers"] == [{"displayName": "v2_corr20", "multiplier": 0.75},
                                                   {"displayName": "mmc", "multiplier": 2.25}]
    assert (by_round[1002]["roundResolved"], by_round[1003]["roundResolved"]) == (True, False)
    missed = client.round_payout_multipliers(standin.model_named("slot_b")["id"])
    assert [item["roundNumber"] for item in missed] == [1001]  # slot_b missed 1002 and 1003

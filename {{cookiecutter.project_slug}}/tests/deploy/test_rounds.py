"""Rounds by number: status shows, per slot, the round open now (when it closes, submitted or not)
and the last closed one, from Numerai's round calendar and the slot's submissions (the stand-in's
calendar opens and closes rounds); a round that closed without the slot's submission, or is about to,
is a problem until the slot submits again."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from {{ cookiecutter.package_name }}.monitor.rounds import LATE, MISSED, Calendar, Round, round_problems

import leak_scan
from standin import FIRST_ROUND

numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks


def slot_json(output: str, slot: str) -> dict:
    [found] = [item for item in json.loads(output)["slots"] if item["slot"] == slot]
    return found


def row_of(output: str, slot: str) -> str:
    [row] = [line for line in output.splitlines() if line.startswith(slot + " ")]
    return row


def test_status_names_the_current_and_last_rounds_by_number_with_submitted_per_slot(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0

    fresh = numerai_cli("status", "--repo", deploy_repo, "gbm_model", "--json")

    assert fresh.code == 0, fresh.out + fresh.err
    rounds = slot_json(fresh.out, "gbm_model")["rounds"]
    assert rounds["current"]["number"] == FIRST_ROUND and rounds["current"]["submitted"] is True  # its validation
    assert rounds["current"]["closes"].endswith("Z")
    # The round before closed before this slot had a pickle: not held against it.
    assert rounds["last"] == {**rounds["last"], "number": FIRST_ROUND - 1, "submitted": False, "missed": False}
    assert slot_json(fresh.out, "gbm_model")["round"] == str(FIRST_ROUND)  # the latest run's round, by number

    numerai.seed_pickle("ensemble_model", "ensemble_model-0123456789ab.pkl")
    numerai.open_round(run=False)  # no pickle has run for it yet
    numerai.submit("gbm_model")

    both = numerai_cli("status", "--repo", deploy_repo, "--json")
    table = numerai_cli("status", "--repo", deploy_repo)

    gbm, ensemble = slot_json(both.out, "gbm_model")["rounds"], slot_json(both.out, "ensemble_model")["rounds"]
    assert (gbm["current"]["number"], gbm["current"]["submitted"]) == (FIRST_ROUND + 1, True)
    assert (ensemble["current"]["number"], ensemble["current"]["submitted"]) == (FIRST_ROUND + 1, False)
    assert (gbm["last"]["number"], gbm["last"]["submitted"]) == (FIRST_ROUND, True)
    assert (ensemble["last"]["number"], ensemble["last"]["submitted"]) == (FIRST_ROUND, True)
    assert f"{FIRST_ROUND + 1} submitted" in row_of(table.out, "gbm_model")
    assert f"{FIRST_ROUND + 1} not yet (closes " in row_of(table.out, "ensemble_model")
    assert f"{FIRST_ROUND} submitted" in row_of(table.out, "ensemble_model")


def test_a_round_that_closed_without_a_submission_is_missed_until_the_slot_submits_again(
    numerai, numerai_cli, numerai_env, deploy_repo
):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    numerai.run_outcome("gbm_model", "failed", "Your model timed out after 10 minutes", ["killed"])
    missed = numerai.open_round()  # the pickle runs at once, and fails
    numerai.close_round()

    result = numerai_cli("status", "--repo", deploy_repo, "gbm_model", "--json")
    table = numerai_cli("status", "--repo", deploy_repo, "gbm_model")

    assert result.code == 1
    found = slot_json(result.out, "gbm_model")
    assert found["rounds"]["current"] is None
    assert found["rounds"]["last"] == {**found["rounds"]["last"], "number": missed, "submitted": False, "missed": True}
    assert {problem["kind"] for problem in found["problems"]} == {MISSED, "failing"}
    [message] = [problem["message"] for problem in found["problems"] if problem["kind"] == MISSED]
    assert f"round {missed} closed" in message and "without a submission" in message
    assert f"{missed} missed" in row_of(table.out, "gbm_model") and "none open" in row_of(table.out, "gbm_model")

    numerai.run_outcome("gbm_model", "success", "Predictions submitted", ["ok"])
    submitted = numerai.open_round()

    again = numerai_cli("status", "--repo", deploy_repo, "gbm_model", "--json")

    assert again.code == 0, again.out + again.err
    rounds = slot_json(again.out, "gbm_model")["rounds"]
    assert (rounds["current"]["number"], rounds["current"]["submitted"]) == (submitted, True)
    assert (rounds["last"]["number"], rounds["last"]["missed"]) == (missed, True)  # still shown, no longer a problem


def test_status_goes_on_when_the_round_calendar_cannot_be_read(numerai, numerai_cli, numerai_env, deploy_repo):
    assert numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model").code == 0
    numerai.graphql_error("rounds", "Internal server error")

    result = numerai_cli("status", "--repo", deploy_repo, "gbm_model")

    assert result.code == 0, result.out + result.err
    assert "unknown" in row_of(result.out, "gbm_model") and "in sync" in row_of(result.out, "gbm_model")
    assert "its rounds are not known" in result.err and "Internal server error" in result.err


# -- the rules, on a calendar of their own -----------------------------------------------------------

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=timezone.utc)  # a Sunday: Saturday's round closes at 14:00
WEEK_AGO = NOW - timedelta(days=7)


def calendar(*, opened: timedelta, closes_in: timedelta, last_closed: timedelta = timedelta(days=1)) -> Calendar:
    return Calendar(NOW, current=Round("r-1001", 1001, NOW - opened, NOW + closes_in),
                    last=Round("r-1000", 1000, None, NOW - last_closed))


@pytest.mark.parametrize(
    ("opened", "closes_in", "submitted", "uploaded", "warned"),
    [
        (timedelta(hours=20), timedelta(hours=4), {1000}, WEEK_AGO, True),  # hours before the close, nothing yet
        (timedelta(hours=20), timedelta(hours=4), {1000, 1001}, WEEK_AGO, False),  # it submitted
        (timedelta(hours=20), timedelta(hours=10), {1000}, WEEK_AGO, False),  # the close is far
        (timedelta(minutes=10), timedelta(minutes=50), {1000}, WEEK_AGO, False),  # just opened: Numerai runs it now
        (timedelta(hours=20), timedelta(hours=4), {1000}, NOW - timedelta(minutes=5), False),  # uploaded just now
        (timedelta(hours=20), timedelta(hours=4), {1000}, None, False),  # nothing assigned
    ],
)
def test_a_round_about_to_close_without_a_submission_is_warned_about(opened, closes_in, submitted, uploaded, warned):
    found = round_problems(calendar(opened=opened, closes_in=closes_in), "gbm_model", submitted, uploaded) \
        if uploaded else []

    assert [kind for kind, _message in found] == ([LATE] if warned else [])
    if warned:
        assert "round 1001 closes Sun 06 Dec 14:00 UTC (in 4h 00m)" in found[0][1]
        assert "numerai-deploy trigger gbm_model" in found[0][1]


@pytest.mark.parametrize(
    ("submitted", "uploaded", "missed"),
    [
        (set(), WEEK_AGO, True),  # round 1000 closed without it, and nothing since
        ({1001}, WEEK_AGO, False),  # it submitted again since
        ({1000}, WEEK_AGO, False),
        (set(), NOW - timedelta(hours=2), False),  # its pickle came after round 1000 closed
    ],
)
def test_a_missed_round_counts_until_the_slot_submits_again(submitted, uploaded, missed):
    found = round_problems(calendar(opened=timedelta(hours=1), closes_in=timedelta(hours=20)), "gbm_model",
                           submitted, uploaded)

    assert [kind for kind, _message in found] == ([MISSED] if missed else [])

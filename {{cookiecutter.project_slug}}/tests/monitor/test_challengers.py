"""Champion and challenger on live rounds: both slots' resolved scores, read from the stand-in, paired by
round; a paired t-test at 95 % gives promote, retire or hold (too few rounds, or no significant
difference, with the rounds still needed); unresolved rounds never count; a round one slot missed is
lost by that slot."""

from __future__ import annotations

import json

import pytest
from standin_scores import contest

from {{ cookiecutter.package_name }}.monitor.cadence import Cadence
from {{ cookiecutter.package_name }}.monitor.challengers import (
    HOLD,
    PROMOTE,
    RETIRE,
    Pair,
    judge,
    latest_resolved,
    paired_rounds,
)

FIRST = 1001
MULTIPLIERS = {"corr60": 0.5, "mmc60": 2.0}
CADENCE = Cadence(rounds_per_week=5, resolve_days=28, checked="2026-12-06")


def specs(min_rounds: int = 20, metric: str | None = None) -> dict[str, str]:
    extra = f"  metric: {metric}\n" if metric else ""
    return {"champion.yaml": "slot: champ\nmodel:\n  type: lightgbm\n",
            "challenger.yaml": f"slot: chall\nmodel:\n  type: lightgbm\nchallenger:\n  of: champ\n"
                               f"  min_rounds: {min_rounds}\n{extra}"}


def seed(numerai, rounds: int, edge: float, *, skip: dict[str, set[int]] | None = None) -> None:
    """`rounds` resolved rounds from FIRST: the challenger's corr60 beats the champion's by `edge` on average."""
    numerai.seed_contest(contest("champ", "chall", rounds, edge, first=FIRST, skip=skip, multipliers=MULTIPLIERS))


def verdict_of(numerai_cli, repo) -> dict:
    result = numerai_cli("challengers", "--repo", repo, "--json")
    assert result.code == 0, result.out + result.err
    [found] = json.loads(result.out)["challengers"]
    return found


def test_a_clearly_better_challenger_is_promoted(numerai, numerai_cli, make_repo):
    seed(numerai, 24, edge=0.02)
    repo = make_repo(specs())

    found = verdict_of(numerai_cli, repo)
    table = numerai_cli("challengers", "--repo", repo)

    assert (found["verdict"], found["rounds"], found["first_round"], found["last_round"]) == \
        (PROMOTE, 24, FIRST, FIRST + 23)
    assert 0 < found["ci_low"] < found["mean_difference"] < found["ci_high"]
    assert found["mean_difference"] == pytest.approx(0.5 * 0.02, abs=0.004)  # corr60's edge at its multiplier
    assert found["challenger"] == "chall" and found["champion"] == "champ" and found["metric"] == "payout score"
    # Both specs train the same model here: a promotion would change nothing, and says so.
    assert found["promotion"] is None
    assert "champ already trains what chall trains: nothing to promote ==> remove models/challenger.yaml" in \
        found["notes"][0]
    assert table.code == 0
    assert "chall       champ     promote  24      1001-1024" in table.out
    assert "chall: promote: chall beats champ on the payout score over 24 rounds (paired t-test, 95 %" in table.out


def test_a_clearly_worse_challenger_is_to_be_retired(numerai, numerai_cli, make_repo):
    seed(numerai, 24, edge=-0.02)
    found = verdict_of(numerai_cli, make_repo(specs()))
    assert found["verdict"] == RETIRE and found["ci_high"] < 0
    assert "remove or change the challenger" in found["reason"]


def test_an_equal_challenger_is_held_with_the_rounds_still_needed(numerai, numerai_cli, make_repo):
    seed(numerai, 24, edge=0.0)
    repo = make_repo(specs())
    found = verdict_of(numerai_cli, repo)
    assert found["verdict"] == HOLD and found["ci_low"] < 0 < found["ci_high"]
    assert found["reason"].startswith("no significant difference on the payout score over 24 rounds")
    assert found["rounds_needed"] is None or found["rounds_needed"] > 0
    text = numerai_cli("challengers", "--repo", repo).out
    assert "chall       champ     hold" in text


def test_too_few_resolved_rounds_hold_whatever_the_difference(numerai, numerai_cli, make_repo):
    seed(numerai, 6, edge=0.05)
    found = verdict_of(numerai_cli, make_repo(specs(min_rounds=20)))
    assert (found["verdict"], found["rounds"]) == (HOLD, 6)
    assert found["reason"].startswith("too few rounds: 6 resolved round(s) compared, the spec asks for 20")
    assert found["rounds_needed"] == 14 and found["weeks_needed"] == 7  # 14 rounds: 3 weeks, then 4 to resolve


def test_unresolved_rounds_never_count(numerai, numerai_cli, make_repo):
    seed(numerai, 24, edge=0.0)
    for number in range(FIRST + 24, FIRST + 44):  # a landslide for the challenger, not yet resolved
        numerai.score_round(number, resolved=False)
    later = range(FIRST + 24, FIRST + 44)
    numerai.seed_scores("champ", {number: {"corr60": -0.05, "mmc60": -0.01} for number in later})
    numerai.seed_scores("chall", {number: {"corr60": 0.09, "mmc60": 0.02} for number in later})

    found = verdict_of(numerai_cli, make_repo(specs()))

    assert (found["verdict"], found["rounds"], found["last_round"]) == (HOLD, 24, FIRST + 23)


def test_a_missed_round_is_lost_by_the_slot_that_missed_it(numerai, numerai_cli, make_repo):
    seed(numerai, 24, edge=0.0, skip={"champ": {FIRST + 5}, "chall": {FIRST + 9, FIRST + 10}})
    repo = make_repo(specs())

    found = verdict_of(numerai_cli, repo)
    text = numerai_cli("challengers", "--repo", repo).out

    assert found["rounds"] == 24
    assert [(item["round"], item["slot"]) for item in found["missed"]] == \
        [(FIRST + 5, "champ"), (FIRST + 9, "chall"), (FIRST + 10, "chall")]
    by_round = {item["number"]: item for item in found["per_round"]}
    assert by_round[FIRST + 5]["difference"] >= 0 and by_round[FIRST + 5]["champion"] is None
    assert by_round[FIRST + 9]["difference"] <= 0 and by_round[FIRST + 9]["challenger"] is None
    assert f"round {FIRST + 9}: missed by chall, counted as lost" in text


def test_a_metric_the_spec_names_is_compared_instead_of_the_payout_score(numerai, numerai_cli, make_repo):
    seed(numerai, 24, edge=0.0)
    for number in range(FIRST, FIRST + 24):  # mmc60 alone: the challenger ahead
        numerai.slot_scores[(numerai.model_named("chall")["id"], number)]["mmc60"] += 0.01
    found = verdict_of(numerai_cli, make_repo(specs(metric="mmc60")))
    assert (found["verdict"], found["metric"]) == (PROMOTE, "mmc60")
    assert found["mean_difference"] == pytest.approx(0.01)


def test_each_round_is_priced_by_its_own_multipliers():
    scores = {1: {"v2_corr20": 0.02, "mmc": 0.01}, 2: {"corr60": 0.02, "mmc60": 0.01}}
    multipliers = {1: {"v2_corr20": 0.75, "mmc": 2.25}, 2: {"corr60": 0.5, "mmc60": 2.0}}
    from {{ cookiecutter.package_name }}.monitor.challengers import payout_scores

    notes: list[str] = []
    assert payout_scores(scores, multipliers, notes, "x") == pytest.approx({1: 0.0375, 2: 0.03})
    assert payout_scores({3: {"corr60": 0.1}}, {3: {"corr60": 0.5, "mmc60": 2.0}}, notes, "x") == {}
    assert notes == ["round 3: x has no mmc60 score; not compared"]


def test_the_latest_day_of_a_resolved_score_counts():
    entries = [{"roundNumber": 5, "displayName": "corr60", "value": 0.1, "day": 5, "resolved": False},
               {"roundNumber": 5, "displayName": "corr60", "value": 0.3, "day": 20, "resolved": True},
               {"roundNumber": 5, "displayName": "corr60", "value": 0.2, "day": 19, "resolved": True},
               {"roundNumber": 6, "displayName": "corr60", "value": 0.4, "day": 5, "resolved": False}]
    assert latest_resolved(entries) == {5: {"corr60": 0.3}}


def test_paired_rounds_start_where_both_slots_were_scored():
    challenger = {10: 0.02, 11: 0.03, 13: 0.01}
    champion = {5: 0.5, 8: 0.1, 10: 0.01, 11: -0.04, 12: 0.02, 13: 0.0}
    rounds = paired_rounds(challenger, champion, ("b", "a"))
    assert [item.number for item in rounds] == [10, 11, 12, 13]
    [missed] = [item for item in rounds if item.missed_by]
    assert (missed.number, missed.missed_by, missed.difference) == (12, "b", pytest.approx(-0.04 - 0.02))
    verdict = judge(Pair("b", "a", 4, None), rounds, CADENCE)
    assert verdict.rounds == 4 and verdict.verdict == HOLD


def test_status_shows_each_challenger_beside_its_champion_with_its_verdict(numerai, numerai_cli, make_repo):
    seed(numerai, 24, edge=0.02)
    repo = make_repo(specs())

    table = numerai_cli("status", "--repo", repo)
    report = numerai_cli("status", "--repo", repo, "--json")

    assert "chall       champ     promote  24      1001-1024" in table.out
    [pair] = json.loads(report.out)["challengers"]
    assert (pair["challenger"], pair["champion"], pair["verdict"]) == ("chall", "champ", PROMOTE)
    assert table.code == report.code  # a verdict is shown, never a failure of status

"""The stand-in's per-round scores: what Numerai says of each slot's resolved and unresolved rounds.

Numerai scores a round's submissions daily for about four weeks after the round closes, then marks it
resolved. Two queries read the scores (field names and types: tests/numerai_schema.graphql):
- `submissionScores(modelId, displayName, resolved, ...)`: one entry per score, day and version;
  here each round has an early daily score (day 5) and, once resolved, its final one (day 20), so a
  reader that does not take the latest day gets the wrong value;
- `v2RoundModelPerformances(modelId, ...)`: one entry per round the slot submitted for, with the
  round's `payoutMultipliers` (how Numerai turns the scores into the payout score) and its latest
  scores.
A round a slot did not submit for has no score of that slot. NumeraiStandIn inherits this class.

In a test:

    numerai.score_round(1001, multipliers={"corr60": 0.5, "mmc60": 2.0})      # resolved
    numerai.score_round(1030, resolved=False)
    numerai.seed_scores("slot_a", {1001: {"corr60": 0.02, "mmc60": 0.001}})

Standalone: `python tests/standin.py --scores scores.json`, with scores.json like
`{"rounds": {"1001": {"resolved": true, "multipliers": {"corr60": 0.5}}},
  "scores": {"slot_a": {"1001": {"corr60": 0.02}}}}`.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

# Numerai's payout scores of the recent rounds (names only; each round carries its own multipliers).
DEFAULT_MULTIPLIERS = {"corr60": 0.5, "mmc60": 2.0}
EARLY_DAY, FINAL_DAY = 5, 20
# Round N's times: rounds a day apart, resolved four weeks after closing (facts/rounds.json).
EPOCH = datetime(2026, 1, 6, 13, tzinfo=timezone.utc)
FIRST_NUMBER = 1000


def contest(champion: str, challenger: str, rounds: int, edge: float, *, first: int = 1001, seed: int = 7,
            skip: dict[str, set[int]] | None = None, multipliers: dict[str, float] | None = None) -> dict:
    """Scores as seed_scores_file reads them: `rounds` resolved rounds from `first` in which the challenger's
    corr60 beats the champion's by `edge` on average (noise of a fixed seed); `skip`: rounds a slot missed."""
    noise = random.Random(seed)
    scores: dict[str, dict[str, dict[str, float]]] = {champion: {}, challenger: {}}
    for number in range(first, first + rounds):
        corr, mmc = noise.gauss(0.01, 0.02), noise.gauss(0.0, 0.003)
        scores[champion][str(number)] = {"corr60": corr, "mmc60": mmc}
        scores[challenger][str(number)] = {"corr60": corr + edge + noise.gauss(0, 0.01), "mmc60": mmc}
    for slot, numbers in (skip or {}).items():
        for number in numbers:
            del scores[slot][str(number)]
    weights = DEFAULT_MULTIPLIERS if multipliers is None else multipliers
    return {"rounds": {str(number): {"resolved": True, "multipliers": weights}
                       for number in range(first, first + rounds)}, "scores": scores}


def time_of(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def closes(number: int) -> datetime:
    return EPOCH + timedelta(days=number - FIRST_NUMBER)


class ScoresStandIn:
    """Per-round scores of several slots: resolved and unresolved rounds, multipliers, missed rounds."""

    models: dict[str, dict]

    @property
    def scored_rounds(self) -> dict[int, dict]:
        """Round number -> {resolved, multipliers {displayName: multiplier}}."""
        return self.__dict__.setdefault("_scored_rounds", {})

    @property
    def slot_scores(self) -> dict[tuple[str, int], dict[str, float]]:
        """(model id, round number) -> {displayName: final value}: the slot submitted for that round."""
        return self.__dict__.setdefault("_slot_scores", {})

    def model_named(self, name: str) -> dict:  # NumeraiStandIn's
        raise NotImplementedError

    # -- seeding -----------------------------------------------------------------------------------

    def score_round(self, number: int, *, resolved: bool = True, multipliers: dict[str, float] | None = None) -> None:
        self.scored_rounds[number] = {"resolved": resolved,
                                      "multipliers": dict(DEFAULT_MULTIPLIERS if multipliers is None else multipliers)}

    def seed_scores(self, slot: str, scores: dict[int, dict[str, float]]) -> None:
        """The slot's final scores per round (a round not listed: the slot missed it). Rounds not yet
        described by score_round are resolved, with the default multipliers."""
        model_id = self.model_named(slot)["id"]
        for number, values in scores.items():
            if number not in self.scored_rounds:
                self.score_round(number)
            self.slot_scores[(model_id, number)] = dict(values)

    def seed_scores_file(self, path: Path) -> None:
        self.seed_contest(json.loads(Path(path).read_text(encoding="utf-8")))

    def seed_contest(self, content: dict) -> None:
        """Scores as `contest` (or a --scores file) gives them; models the account lacks are added."""
        for slot in content.get("scores") or {}:
            if not any(model["name"] == slot for model in self.models.values()):
                self.add_model(slot)
        for number, item in (content.get("rounds") or {}).items():
            self.score_round(int(number), resolved=bool(item.get("resolved", True)),
                             multipliers=item.get("multipliers"))
        for slot, rounds in (content.get("scores") or {}).items():
            self.seed_scores(slot, {int(number): values for number, values in rounds.items()})

    # -- views -------------------------------------------------------------------------------------

    def score_entries(self, model_id: str, number: int) -> list[dict[str, Any]]:
        """Every daily score of the slot in the round: an early one, and the final one once resolved."""
        values, scored = self.slot_scores.get((model_id, number)), self.scored_rounds.get(number)
        if values is None or scored is None:
            return []
        resolved, entries = scored["resolved"], []
        resolves = closes(number) + timedelta(days=28)
        for day in (EARLY_DAY, FINAL_DAY) if resolved else (EARLY_DAY,):
            for name, value in values.items():
                shown = value if day == FINAL_DAY or not resolved else value / 2 - 0.01  # early days differ
                entries.append({
                    "roundNumber": number, "roundId": f"round-{number}", "submissionId": f"sub-{model_id}-{number}",
                    "displayName": name, "value": shown, "percentile": 0.5, "day": day, "version": "1",
                    "date": time_of(closes(number) + timedelta(days=day + 1)),
                    "resolved": resolved and day == FINAL_DAY, "roundResolveTime": time_of(resolves),
                    "roundCloseStakingTime": time_of(closes(number)), "roundScoreTime": time_of(closes(number)),
                    "resolveDate": time_of(resolves),
                })
        return entries

    def op_submissionScores(self, modelId, displayName=None, resolved=None, day=None, version=None,
                            lastNRounds=None, distinctOnRound=None, **_):
        numbers = sorted(number for model_id, number in self.slot_scores if model_id == modelId)
        if lastNRounds:
            numbers = numbers[-lastNRounds:]
        entries = [entry for number in numbers for entry in self.score_entries(modelId, number)
                   if (displayName is None or entry["displayName"] == displayName)
                   and (resolved is None or entry["resolved"] is resolved)
                   and (day is None or entry["day"] == day) and (version is None or entry["version"] == version)]
        if distinctOnRound:
            latest: dict[int, dict] = {}
            for entry in entries:
                latest[entry["roundNumber"]] = entry
            entries = list(latest.values())
        return entries

    def op_v2RoundModelPerformances(self, modelId, resolvedOnly=None, lastNRounds=None, **_):
        numbers = sorted(number for model_id, number in self.slot_scores if model_id == modelId)
        if resolvedOnly:
            numbers = [number for number in numbers if self.scored_rounds[number]["resolved"]]
        if lastNRounds:
            numbers = numbers[-lastNRounds:]
        answers = []
        for number in numbers:
            scored, entries = self.scored_rounds[number], self.score_entries(modelId, number)
            last_day = max(entry["day"] for entry in entries)
            answers.append({
                "roundNumber": number, "roundId": f"round-{number}", "roundResolved": scored["resolved"],
                "roundOpenTime": time_of(closes(number) - timedelta(hours=25)),
                "roundCloseStakingTime": time_of(closes(number)),
                "roundResolveTime": time_of(closes(number) + timedelta(days=28)),
                "roundPayoutFactor": "1.000000000000000000",
                "payoutMultipliers": [{"displayName": name, "multiplier": multiplier}
                                      for name, multiplier in scored["multipliers"].items()],
                "submissionScores": [entry for entry in entries if entry["day"] == last_day],
            })
        return answers

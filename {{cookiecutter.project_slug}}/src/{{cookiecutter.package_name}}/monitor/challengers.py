"""Champion and challenger: does a challenger slot beat the slot it challenges on Numerai's live rounds?

Both slots' resolved scores are read from Numerai per round (numerai/client.py) and compared paired by
round: the difference challenger - champion of each round, on the payout score (the sum of the round's
scores times that round's own payout multipliers, which Numerai has changed over time) or on the one
score the spec names (`challenger.metric`).

- Unresolved rounds never count: a round counts once Numerai marks its scores resolved.
- The rounds compared run from the first round both slots were scored on (before it, one of them did
  not yet exist as far as Numerai's scores show) to the latest resolved round of either.
- A round in that range that one slot missed (no score of its own) and the other did not counts as
  lost by the slot that missed it: the missing score is taken as the worst score either slot had in any
  compared round (never better than a round it played, and on the scores' own scale, which a constant
  penalty would not be); it is listed. A round both missed is not compared.
- Verdict, by a paired t-test on the differences at 95 % (two-sided): **promote** when the confidence
  interval of the mean difference lies above zero, **retire** when below, **hold** when fewer than
  `min_rounds` rounds were compared or the interval contains zero; a hold says about how many more
  rounds (and weeks: facts/rounds.json) a decision needs at the difference seen so far.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from scipy import stats

from .. import tables
from ..modelspec import LoadedSpec
from ..modelspec.promotion import kept_differences, promoted_text, trains_the_same
from ..numerai.client import NumeraiClient
from ..numerai.errors import ApiError
from .cadence import Cadence

PROMOTE, RETIRE, HOLD, UNKNOWN = "promote", "retire", "hold", "unknown"
CONFIDENCE = 0.95
PAYOUT = "payout score"
MOST_ROUNDS = 5000  # beyond this many, "rounds still needed" is given as "more than"
COLUMNS = ("challenger", "champion", "verdict", "rounds", "range", "challenger mean", "champion mean",
           "mean difference", "95% CI")


@dataclass(frozen=True)
class Pair:
    challenger: str
    champion: str
    min_rounds: int
    metric: str | None  # None: the payout score


@dataclass
class PairedRound:
    number: int
    challenger: float | None  # None: the slot missed the round
    champion: float | None
    difference: float = 0.0
    missed_by: str = ""  # the slot that missed it, if one did


@dataclass
class Verdict:
    challenger: str
    champion: str
    metric: str
    min_rounds: int
    verdict: str = UNKNOWN
    reason: str = ""
    rounds: int = 0
    first_round: int | None = None
    last_round: int | None = None
    challenger_mean: float | None = None
    champion_mean: float | None = None
    mean_difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    rounds_needed: int | None = None  # more rounds a decision needs (hold); None: no estimate
    weeks_needed: int | None = None
    missed: list[dict[str, Any]] = field(default_factory=list)  # {round, slot, counted_as}
    notes: list[str] = field(default_factory=list)
    per_round: list[dict[str, Any]] = field(default_factory=list)
    # promote: the champion's spec file after the promotion, for the pull request (modelspec/promotion.py)
    promotion: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def row(self) -> tuple[str, ...]:
        span = f"{self.first_round}-{self.last_round}" if self.rounds else "-"
        interval = f"[{signed(self.ci_low)}, {signed(self.ci_high)}]" if self.ci_low is not None else "-"
        return (self.challenger, self.champion, self.verdict, str(self.rounds), span, number(self.challenger_mean),
                number(self.champion_mean), signed(self.mean_difference), interval)


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.4f}"


def pairs_of(specs: Iterable[LoadedSpec]) -> list[Pair]:
    return [Pair(item.spec.slot, item.spec.challenger.of, item.spec.challenger.min_rounds, item.spec.challenger.metric)
            for item in specs if item.spec.challenger is not None]


# -- Numerai's scores, per round ------------------------------------------------------------------


def latest_resolved(entries: Iterable[dict[str, Any]]) -> dict[int, dict[str, float]]:
    """{round: {score name: value}} of the resolved entries, each score's latest day (then date) of its round;
    Numerai lists a score once per day it was updated."""
    latest: dict[tuple[int, str], tuple[tuple[int, str], float]] = {}
    for entry in entries:
        number, name, value = entry.get("roundNumber"), entry.get("displayName"), entry.get("value")
        if entry.get("resolved") is not True or not isinstance(number, int) or not isinstance(name, str):
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            continue
        day = entry.get("day")
        when = (day if isinstance(day, int) else -1, str(entry.get("date") or ""))
        if (number, name) not in latest or when >= latest[(number, name)][0]:
            latest[(number, name)] = (when, float(value))
    found: dict[int, dict[str, float]] = {}
    for (number, name), (_when, value) in latest.items():
        found.setdefault(number, {})[name] = value
    return found


def multipliers_by_round(performances: Iterable[dict[str, Any]]) -> dict[int, dict[str, float]]:
    """{round: {score name: multiplier}} of the resolved rounds listed."""
    found: dict[int, dict[str, float]] = {}
    for item in performances:
        number = item.get("roundNumber")
        if not isinstance(number, int) or item.get("roundResolved") is not True:
            continue
        weights = {entry["displayName"]: float(entry["multiplier"]) for entry in item.get("payoutMultipliers") or []
                   if isinstance(entry, dict) and isinstance(entry.get("displayName"), str)
                   and isinstance(entry.get("multiplier"), (int, float))}
        if weights:
            found.setdefault(number, weights)
    return found


def payout_scores(scores: dict[int, dict[str, float]], multipliers: dict[int, dict[str, float]],
                  notes: list[str], slot: str) -> dict[int, float]:
    """{round: the round's payout score}: each score times the round's own multiplier, summed. A round
    without multipliers, or lacking a score its multipliers name, is left out (and said)."""
    found = {}
    for number, values in sorted(scores.items()):
        weights = multipliers.get(number)
        if not weights:
            notes.append(f"round {number}: Numerai lists no payout multipliers for it; not compared")
            continue
        lacking = sorted(name for name, weight in weights.items() if weight and name not in values)
        if lacking:
            notes.append(f"round {number}: {slot} has no {', '.join(lacking)} score; not compared")
            continue
        found[number] = sum(values[name] * weight for name, weight in weights.items() if weight)
    return found


def slot_scores(client: NumeraiClient, model_id: str, metric: str | None,
                multipliers: dict[int, dict[str, float]], notes: list[str], slot: str) -> dict[int, float]:
    """{resolved round: the slot's score} on the metric, or on the payout score."""
    scores = latest_resolved(client.submission_scores(model_id, metric))
    if metric:
        return {number: values[metric] for number, values in scores.items() if metric in values}
    for number, weights in multipliers_by_round(client.round_payout_multipliers(model_id)).items():
        multipliers.setdefault(number, weights)
    return payout_scores(scores, multipliers, notes, slot)


# -- the comparison --------------------------------------------------------------------------------


def paired_rounds(challenger: dict[int, float], champion: dict[int, float],
                  names: tuple[str, str]) -> list[PairedRound]:
    """The rounds compared, a missed round counted as lost by the slot that missed it (module docstring)."""
    if not challenger or not champion:
        return []
    first, last = max(min(challenger), min(champion)), max(max(challenger), max(champion))
    numbers = sorted(number for number in set(challenger) | set(champion) if first <= number <= last)
    played = [scores[number] for scores in (challenger, champion) for number in numbers if number in scores]
    worst = min(played)
    found = []
    for number in numbers:
        ours, theirs = challenger.get(number), champion.get(number)
        paired = PairedRound(number, ours, theirs)
        paired.missed_by = names[0] if ours is None else names[1] if theirs is None else ""
        paired.difference = (worst if ours is None else ours) - (worst if theirs is None else theirs)
        found.append(paired)
    return found


def critical_t(rounds: int) -> float:
    return float(stats.t.ppf((1 + CONFIDENCE) / 2, rounds - 1))


def rounds_for(mean: float, deviation: float, have: int) -> int | None:
    """Fewest rounds at which a mean difference of `mean` with this spread becomes significant; None when
    it never does (no difference at all) or only beyond MOST_ROUNDS."""
    if mean == 0:
        return None
    if deviation == 0:
        return max(have, 2)
    rounds = max(have, 2, math.ceil((1.96 * deviation / abs(mean)) ** 2))  # the normal approximation, from below
    while rounds <= MOST_ROUNDS:
        if critical_t(rounds) * deviation / math.sqrt(rounds) < abs(mean):
            return rounds
        rounds += 1
    return None


def p_value(mean: float, deviation: float, rounds: int) -> float:
    """Two-sided, of a paired t-test (no spread at all: certain, unless there is no difference either)."""
    if deviation == 0:
        return 0.0 if mean else 1.0
    return float(2 * stats.t.sf(abs(mean) / (deviation / math.sqrt(rounds)), rounds - 1))


def judge(pair: Pair, rounds: list[PairedRound], cadence: Cadence) -> Verdict:
    found = Verdict(pair.challenger, pair.champion, pair.metric or PAYOUT, pair.min_rounds)
    found.rounds = len(rounds)
    found.per_round = [asdict(item) for item in rounds]
    found.missed = [{"round": item.number, "slot": item.missed_by, "difference": item.difference}
                    for item in rounds if item.missed_by]
    if rounds:
        found.first_round, found.last_round = rounds[0].number, rounds[-1].number
        differences = [item.difference for item in rounds]
        found.mean_difference = sum(differences) / len(differences)
        played = [item.challenger for item in rounds if item.challenger is not None]
        held = [item.champion for item in rounds if item.champion is not None]
        found.challenger_mean = sum(played) / len(played) if played else None
        found.champion_mean = sum(held) / len(held) if held else None
    deviation = None
    if len(rounds) >= 2 and found.mean_difference is not None:
        differences = [item.difference for item in rounds]
        deviation = math.sqrt(sum((d - found.mean_difference) ** 2 for d in differences) / (len(differences) - 1))
        margin = critical_t(len(rounds)) * deviation / math.sqrt(len(rounds))
        found.ci_low, found.ci_high = found.mean_difference - margin, found.mean_difference + margin
        found.p_value = p_value(found.mean_difference, deviation, len(rounds))
    decide(found, deviation, cadence)
    return found


def decide(found: Verdict, deviation: float | None, cadence: Cadence) -> None:
    """The verdict, its reason and, for a hold, the rounds (and weeks) a decision still needs."""
    on = f"on the {found.metric}" if found.metric == PAYOUT else f"on {found.metric}"
    needed: int | None
    if found.rounds < found.min_rounds:
        found.verdict = HOLD
        estimate = rounds_for(found.mean_difference or 0.0, deviation, found.rounds) if deviation is not None else None
        needed = max(found.min_rounds, estimate or 0) - found.rounds
        found.reason = (f"too few rounds: {found.rounds} resolved round(s) compared, the spec asks for "
                        f"{found.min_rounds} before any verdict")
    elif found.ci_low is not None and found.ci_low > 0:
        found.verdict, needed = PROMOTE, None
        found.reason = (f"{found.challenger} beats {found.champion} {on} over {found.rounds} rounds "
                        f"(paired t-test, 95 %, p = {found.p_value:.3g})")
    elif found.ci_high is not None and found.ci_high < 0:
        found.verdict, needed = RETIRE, None
        found.reason = (f"{found.challenger} is worse than {found.champion} {on} over {found.rounds} rounds "
                        f"(paired t-test, 95 %, p = {found.p_value:.3g}) ==> remove or change the challenger")
    else:
        found.verdict = HOLD
        estimate = rounds_for(found.mean_difference or 0.0, deviation or 0.0, found.rounds)
        needed = estimate - found.rounds if estimate is not None else None
        found.reason = f"no significant difference {on} over {found.rounds} rounds (the 95 % interval contains 0)"
    if found.verdict == HOLD:
        found.rounds_needed = needed
        found.weeks_needed = cadence.weeks_for(needed) if needed is not None else None
        if needed is not None and needed > 0:
            found.reason += (f"; about {needed} more round(s), {found.weeks_needed} week(s), at the difference seen "
                             "so far")
        elif needed is None and not found.mean_difference:
            found.reason += "; no estimate of the rounds a decision needs: the slots have scored the same so far"
        elif needed is None:
            found.reason += (f"; more than {MOST_ROUNDS} more rounds at the difference seen so far: the two "
                             "perform alike")


def compare(client: NumeraiClient, pair: Pair, account: dict[str, str], cadence: Cadence) -> Verdict:
    """One pair's verdict from Numerai's scores (UNKNOWN, with the reason, when they cannot be read)."""
    missing = [slot for slot in (pair.challenger, pair.champion) if slot not in account]
    if missing:
        found = Verdict(pair.challenger, pair.champion, pair.metric or PAYOUT, pair.min_rounds)
        found.reason = f"this Numerai account has no model named {', '.join(missing)} ==> deploy it first"
        return found
    notes: list[str] = []
    multipliers: dict[int, dict[str, float]] = {}
    try:
        ours = slot_scores(client, account[pair.challenger], pair.metric, multipliers, notes, pair.challenger)
        theirs = slot_scores(client, account[pair.champion], pair.metric, multipliers, notes, pair.champion)
    except ApiError as error:
        if error.exit_code == 2:
            raise
        found = Verdict(pair.challenger, pair.champion, pair.metric or PAYOUT, pair.min_rounds)
        found.reason = f"Numerai's scores could not be read: {error}"
        return found
    found = judge(pair, paired_rounds(ours, theirs, (pair.challenger, pair.champion)), cadence)
    found.notes = sorted(set(notes))
    return found


def verdicts(client: NumeraiClient, pairs: list[Pair], cadence: Cadence) -> list[Verdict]:
    account = client.account_models() if pairs else {}
    return [compare(client, pair, account, cadence) for pair in pairs]


def attach_promotions(found: list[Verdict], specs: list[LoadedSpec]) -> None:
    """Each promote verdict carries the champion's spec as the promotion makes it: {path (models/<file>),
    content, kept: the sections that differ but stay the champion's}; none when the champion already trains
    what the challenger trains (a promotion merged: the challenger's spec has done its work)."""
    by_slot = {item.spec.slot: item for item in specs}
    for item in found:
        champion, challenger = by_slot.get(item.champion), by_slot.get(item.challenger)
        if item.verdict == PROMOTE and champion and challenger and trains_the_same(champion, challenger):
            item.notes.append(f"{item.champion} already trains what {item.challenger} trains: nothing to promote ==> "
                              f"remove models/{challenger.path.name} or give it a new model to try")
        elif item.verdict == PROMOTE and champion and challenger:
            item.promotion = {"path": f"models/{champion.path.name}",
                              "challenger_spec": f"models/{challenger.path.name}",
                              "content": promoted_text(champion, challenger),
                              "kept": kept_differences(champion, challenger)}


def exit_code(found: list[Verdict]) -> int:
    """1 when a pair's verdict is unknown (Numerai could not be asked); a verdict itself is no failure."""
    return 1 if any(item.verdict == UNKNOWN for item in found) else 0


def text_table(found: list[Verdict]) -> str:
    return tables.text_table(COLUMNS, (item.row() for item in found))


def markdown_table(found: list[Verdict]) -> list[str]:
    return tables.markdown_table(COLUMNS, (item.row() for item in found))


def explanations(item: Verdict) -> list[str]:
    """The lines under the table: the verdict's reason, the rounds a slot missed, the notes."""
    lines = [f"{item.challenger}: {item.verdict}: {item.reason}"]
    for missed in item.missed:
        lines.append(f"  round {missed['round']}: missed by {missed['slot']}, counted as lost (scored as the worst "
                     f"round either slot had; difference {missed['difference']:+.4f})")
    lines.extend(f"  {note}" for note in item.notes)
    return lines

"""Numerai's round calendar against a slot's submissions: did the slot submit for the round open now,
and for the last round that closed; and what a scheduled check warns about.

The calendar is Numerai's (the `rounds` query), never a hard-coded one: Classic rounds open Tuesday
to Saturday, and Numerai's hours have changed before. A round's deadline is its closeStakingTime (the
one numerapi's check_round_open reads), else its closeTime. A slot submitted for a round when Numerai
lists a submission of the slot for that round's number.

Problems, for a slot with a pickle assigned:
- MISSED: the last round closed without a submission from the slot, although its assigned pickle was
  uploaded before that round closed, and the slot has not submitted since (for the round open now);
- LATE: the round open now closes within WARN_BEFORE_CLOSE and the slot has not submitted for it,
  GRACE_AFTER_OPEN after the round (or the pickle) came: Numerai runs pickles as a round opens.
The health workflow turns both into one issue per slot, closed once the slot submits again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from operator import attrgetter
from typing import Any

from ..numerai.client import NumeraiClient
from ..numerai.errors import ApiError

MISSED, LATE = "missed round", "not submitted"
# A closed round stays RESOLVING while it is scored, so these two hold the open and the last closed one.
LISTED_STATES = ("OPEN", "RESOLVING")
WARN_BEFORE_CLOSE = timedelta(hours=6)
GRACE_AFTER_OPEN = timedelta(minutes=30)


def parse_time(value: object) -> datetime | None:
    """A GraphQL `Time` (ISO 8601, UTC with a Z), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def shown(moment: datetime) -> str:
    """A time as the table shows it: weekday, date and hour in UTC."""
    return moment.astimezone(timezone.utc).strftime("%a %d %b %H:%M UTC")


def iso(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else ""


def span(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


@dataclass(frozen=True)
class Round:
    id: str
    number: int
    opens: datetime | None
    closes: datetime

    @classmethod
    def of(cls, item: dict[str, Any]) -> Round | None:
        closes = parse_time(item.get("closeStakingTime")) or parse_time(item.get("closeTime"))
        number = item.get("number")
        if closes is None or not isinstance(number, int) or isinstance(number, bool):
            return None
        return cls(str(item.get("id") or ""), number, parse_time(item.get("openTime")), closes)


@dataclass
class Calendar:
    now: datetime
    current: Round | None = None  # the round open now
    last: Round | None = None  # the last round that closed
    numbers: dict[str, int] = field(default_factory=dict)  # round id -> number (a run names its round by id)
    problem: str = ""  # why Numerai's calendar is not known

    def number_of(self, round_id: str) -> str:
        """A run's round as users know it: its number, else the id Numerai gave."""
        return str(self.numbers.get(round_id, round_id))


def read_calendar(client: NumeraiClient, now: datetime | None = None) -> Calendar:
    """The round open now and the last one that closed, from Numerai's listing of Classic rounds."""
    now = now or datetime.now(timezone.utc)
    try:
        listed = [item for state in LISTED_STATES for item in client.rounds(state) if isinstance(item, dict)]
    except ApiError as error:
        if error.exit_code == 2:
            raise
        return Calendar(now, problem=f"Numerai's round calendar could not be read: {error}")
    rounds = [found for found in map(Round.of, listed) if found is not None]
    open_now = [item for item in rounds if (item.opens is None or item.opens <= now) and now < item.closes]
    closed = [item for item in rounds if item.closes <= now]
    by_number = attrgetter("number")
    return Calendar(now, max(open_now, key=by_number, default=None), max(closed, key=by_number, default=None),
                    {item.id: item.number for item in rounds if item.id})


@dataclass
class SlotRounds:
    """One slot against the calendar; `as_json` is what `status --json` shows as the slot's `rounds`."""

    current: dict[str, Any] | None = None  # {number, opens, closes, submitted}
    # {number, closed, submitted, missed: not submitted although a pickle was assigned}
    last: dict[str, Any] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    problem: str = ""  # why the slot's rounds are not known

    def as_json(self) -> dict[str, Any]:
        return {"current": self.current, "last": self.last, "known": not self.problem, "problem": self.problem}

    def cells(self) -> tuple[str, str]:
        """The table's `this round` and `last round` cells."""
        if self.problem:
            return "unknown", "unknown"
        current, last = self.current, self.last
        now_cell = "none open"
        if current:
            closes = shown(moment) if (moment := parse_time(current["closes"])) else "unknown"
            now_cell = f"{current['number']} submitted" if current["submitted"] else \
                f"{current['number']} not yet (closes {closes})"
        last_cell = "-"
        if last:
            last_cell = f"{last['number']} " + ("submitted" if last["submitted"] else
                                                "missed" if last.get("missed") else "not submitted")
        return now_cell, last_cell


def submitted_rounds(client: NumeraiClient, model_id: str) -> set[int]:
    numbers = set()
    for item in client.submissions(model_id):
        number = ((item or {}).get("round") or {}).get("number") if isinstance(item, dict) else None
        if isinstance(number, int):
            numbers.add(number)
    return numbers


def slot_rounds(client: NumeraiClient, calendar: Calendar, slot: str, model_id: str,
                uploaded: str | None) -> SlotRounds:
    """Whether the slot submitted for the current and the last round, and the problems (MISSED, LATE)
    of a slot whose assigned pickle was uploaded at `uploaded` (None: nothing is assigned)."""
    if calendar.problem:
        return SlotRounds(problem=calendar.problem)
    try:
        submitted = submitted_rounds(client, model_id)
    except ApiError as error:
        if error.exit_code == 2:
            raise
        return SlotRounds(problem=f"the slot's submissions could not be read: {error}")
    current, last = calendar.current, calendar.last
    uploaded_at = parse_time(uploaded) if uploaded else None
    found = SlotRounds(
        current={"number": current.number, "opens": iso(current.opens), "closes": iso(current.closes),
                 "submitted": current.number in submitted} if current else None,
        last={"number": last.number, "closed": iso(last.closes), "submitted": last.number in submitted,
              "missed": last.number not in submitted and uploaded_at is not None and uploaded_at < last.closes}
        if last else None,
    )
    if uploaded_at is not None:
        found.problems = round_problems(calendar, slot, submitted, uploaded_at)
    return found


def round_problems(calendar: Calendar, slot: str, submitted: set[int], uploaded_at: datetime) -> list[tuple[str, str]]:
    current, last, now = calendar.current, calendar.last, calendar.now
    problems = []
    submitted_now = current is not None and current.number in submitted
    if last and last.number not in submitted and uploaded_at < last.closes and not submitted_now:
        problems.append((MISSED, f"round {last.number} closed {shown(last.closes)} without a submission from "
                                 f"this slot ==> `numerai-deploy logs {slot}` says how its latest run ended; the "
                                 f"pickle runs again when the next round opens (`numerai-deploy trigger {slot}` runs "
                                 f"it now, while a round is open)"))
    if current and not submitted_now and current.closes - now <= WARN_BEFORE_CLOSE:
        came = max(current.opens or uploaded_at, uploaded_at)
        if now - came >= GRACE_AFTER_OPEN:
            problems.append((LATE, f"round {current.number} closes {shown(current.closes)} (in "
                                   f"{span(current.closes - now)}) and this slot has not submitted for it yet ==> "
                                   f"`numerai-deploy logs {slot}` says how its latest run ended; "
                                   f"`numerai-deploy trigger {slot}` runs it now"))
    return problems

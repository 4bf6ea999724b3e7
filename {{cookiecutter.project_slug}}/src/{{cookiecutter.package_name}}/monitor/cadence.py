"""Numerai's round cadence as dated data (facts/rounds.json, with its sources): how many rounds open a
week and how long a round takes to resolve, so that "rounds still needed" can be said in weeks.

The payout formula is not here: its multipliers are read per round from Numerai (numerai/client.py).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from ..errors import UsageError
from ..repo import Repo

FILE = "rounds.json"


@dataclass(frozen=True)
class Cadence:
    rounds_per_week: int
    resolve_days: int  # after a round closes
    checked: str

    def weeks_for(self, rounds: int) -> int:
        """Weeks until `rounds` more rounds have resolved: they open over weeks, the last resolves later."""
        return math.ceil(rounds / self.rounds_per_week + self.resolve_days / 7) if rounds > 0 else 0


def read_cadence(repo: Repo) -> Cadence:
    path = repo.facts / FILE
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        cadence = Cadence(int(content["rounds_per_week"]), int(content["resolve_days_after_close"]),
                          str(content["checked"]))
    except FileNotFoundError:
        raise UsageError(f"File {path} is missing ==> restore facts/{FILE} from the template (cruft update)") from None
    except (ValueError, KeyError, TypeError) as error:
        raise UsageError(f"File {path} ==> expected rounds_per_week, resolve_days_after_close and checked "
                         f"(numbers and a date): {error}") from None
    if cadence.rounds_per_week < 1 or cadence.resolve_days < 0:
        raise UsageError(f"File {path} ==> At key rounds_per_week ==> expected a positive number of rounds")
    return cadence

"""One message in a team conversation: the text, the tools scoped to its sender, the dialogue state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from agent.spanish import WEEKDAY_NAMES, format_date, normalize, relative_day_label
from agent.team.state import TeamState
from agent.team.tools import TeamTools

ANYTHING_ELSE = "¿Algo más?"
NOTHING_CHANGED = "Va, no cambié nada. ¿Algo más?"


@dataclass
class Turn:
    text: str
    tools: TeamTools
    state: TeamState

    @property
    def norm(self) -> str:
        return normalize(self.text)

    @property
    def today(self) -> date:
        return self.tools.today

    @property
    def now(self) -> datetime:
        return self.tools.local_now

    @property
    def first_name(self) -> str:
        return (self.tools.me.get("name") or "").split()[0] if self.tools.me.get("name") else ""

    def at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, self.tools.tz)


def day_label(day: date, today: date) -> str:
    """"hoy viernes", "mañana sábado", "el jueves 22 de enero"."""
    relative = relative_day_label(day, today)
    if relative in ("hoy", "mañana"):
        return f"{relative} {WEEKDAY_NAMES[day.weekday()]}"
    return f"el {format_date(day)}"


def short_hour(moment: datetime | time) -> str:
    """"las 4", "las 4:30", "la 1": how people say a time in a sentence."""
    clock = moment.time() if isinstance(moment, datetime) else moment
    hour = clock.hour % 12 or 12
    text = f"{hour}" if clock.minute == 0 else f"{hour}:{clock.minute:02d}"
    return f"la {text}" if hour == 1 else f"las {text}"


def first(name: str | None) -> str:
    return (name or "").split()[0] if name and not name.startswith("+") else ""

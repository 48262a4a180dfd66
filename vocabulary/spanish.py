"""Exact-string Spanish formatting for what people read. One house style, no locale lookups.

Babel/locale output drifts between versions and platforms (es_MX short times come out as
"3:00\u202fp.m."), and customers see these strings verbatim, so the tables live here and tests
pin the exact output. Standard library only.
"""

from __future__ import annotations

import datetime as _dt

from vocabulary.hours import WeeklyHours, wall_time
from vocabulary.weekdays import MONTH_NAMES, WEEKDAY_NAMES, WEEKDAYS


def _as_date(d: _dt.date) -> _dt.date:
    # datetime is a date subclass, but date arithmetic between the two raises TypeError.
    return d.date() if isinstance(d, _dt.datetime) else d


def capitalize(text: str) -> str:
    """First letter upper-case, the rest untouched ('jueves 15 de enero' → 'Jueves 15 de enero')."""
    return text[:1].upper() + text[1:]


def format_date(d: _dt.date) -> str:
    """'jueves 15 de enero': lowercase names, no leading zero, no year."""
    return f"{WEEKDAY_NAMES[d.weekday()]} {d.day} de {MONTH_NAMES[d.month - 1]}"


def format_date_capitalized(d: _dt.date) -> str:
    """'Jueves 15 de enero', for the start of a sentence."""
    return capitalize(format_date(d))


def format_time(t: _dt.time | _dt.datetime) -> str:
    """'3:00 PM', '11:30 AM', '12:00 PM' (noon), '12:00 AM' (midnight).

    A datetime is shown in its own wall-clock time: convert to the business's zone first.
    """
    if isinstance(t, _dt.datetime):
        t = t.time()
    hour12 = t.hour % 12 or 12
    suffix = "AM" if t.hour < 12 else "PM"
    return f"{hour12}:{t.minute:02d} {suffix}"


def format_at_time(t: _dt.time | _dt.datetime) -> str:
    """'a las 4:00 PM', but 'a la 1:30 PM': Spanish uses the singular article for one o'clock."""
    text = format_time(t)
    article = "a la" if text.startswith("1:") else "a las"
    return f"{article} {text}"


def format_price(cents: int) -> str:
    """'$150', '$150.50', '$1,200'. Whole pesos drop the decimals, as menus in Mexico do."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"price must be an int number of cents, got {type(cents).__name__}")
    sign = "-" if cents < 0 else ""
    pesos, rest = divmod(abs(cents), 100)
    decimals = f".{rest:02d}" if rest else ""
    return f"{sign}${pesos:,}{decimals}"


def format_duration(minutes: int) -> str:
    """'30 min', '1 hr', '1 hr 30 min', '2 hr'. Abbreviations are invariable, like 'min'."""
    if minutes < 0:
        raise ValueError("duration cannot be negative")
    hours, mins = divmod(int(minutes), 60)
    if not hours:
        return f"{mins} min"
    if not mins:
        return f"{hours} hr"
    return f"{hours} hr {mins} min"


def relative_day_label(d: _dt.date, today: _dt.date) -> str | None:
    """'hoy', 'mañana', 'pasado mañana', or None for any other day (including past days)."""
    return {0: "hoy", 1: "mañana", 2: "pasado mañana"}.get((_as_date(d) - _as_date(today)).days)


def format_day_phrase(d: _dt.date, today: _dt.date) -> str:
    """'mañana jueves 15 de enero', 'hoy miércoles 14 de enero', 'el sábado 17 de enero'.

    The relative word comes first because that is what customers check; the full date follows
    so there is no doubt near midnight or across a weekend.
    """
    label = relative_day_label(d, today)
    return f"{label} {format_date(d)}" if label else f"el {format_date(d)}"


def format_ranges(ranges: object, joiner: str = ", ") -> str:
    """'10:00 AM a 2:00 PM, 4:00 PM a 8:00 PM' for one day's [["10:00", "14:00"], ...]
    ("24:00" reads as 12:00 AM, the midnight it closes at)."""
    return joiner.join(f"{format_time(wall_time(a))} a {format_time(wall_time(b))}" for a, b in ranges or [])  # type: ignore[attr-defined]


def format_weekly_hours(hours: WeeklyHours | None, *, closed: str = "cerrado", bullet: str = "  - ") -> str:
    """One line per weekday, Monday first: '  - Lunes: 10:00 AM a 8:00 PM' / '  - Domingo: cerrado'."""
    hours = hours or {}
    lines = []
    for key, name in zip(WEEKDAYS, WEEKDAY_NAMES):
        text = format_ranges(hours.get(key)) or closed
        lines.append(f"{bullet}{capitalize(name)}: {text}")
    return "\n".join(lines)

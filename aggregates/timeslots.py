"""Weekly hours and time intervals, shared by the aggregates (standard library only).

Weekly hours are stored as ``{"mon": [["10:00", "20:00"]], "sun": []}``: string keys and
lists survive the JSON round trip of the event store unchanged, so replayed state equals
live state. A missing or empty day means closed.

The interval math itself is ``vocabulary.hours`` (the read side's availability uses the same
functions); this module adds validation and turns its errors into ``InvalidInput``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from aggregates.errors import InvalidInput
from vocabulary import hours as _hours
from vocabulary.hours import WeeklyHours, overlaps
from vocabulary.weekdays import WEEKDAY_NAMES as WEEKDAY_NAMES_ES
from vocabulary.weekdays import WEEKDAYS

__all__ = [
    "WEEKDAYS", "WEEKDAY_NAMES_ES", "WeeklyHours", "overlaps", "parse_hhmm", "day_intervals", "within_hours",
    "validate_weekly_hours", "validate_timezone", "ensure_utc", "local_date",
]  # fmt: skip

_checked = _hours.raising(InvalidInput)
parse_hhmm = _checked(_hours.parse_hhmm)
# The UTC intervals a weekly schedule covers on one local date (DST-correct), and whether
# [start, end) lies inside one of them: the read side's availability uses the same functions.
day_intervals = _checked(_hours.day_intervals)
within_hours = _checked(_hours.within_hours)


def validate_weekly_hours(hours: dict) -> WeeklyHours:
    """Return a canonical copy of weekly hours or raise InvalidInput."""
    if not isinstance(hours, dict):
        raise InvalidInput("El horario debe indicar los días de la semana.")
    canonical: WeeklyHours = {}
    for day, ranges in hours.items():
        if day not in WEEKDAYS:
            raise InvalidInput(f"«{day}» no es un día válido; usa mon, tue, wed, thu, fri, sat o sun.")
        if ranges is None:
            ranges = []
        if isinstance(ranges, dict):  # the spec's {open, close} shape
            ranges = [[ranges.get("open"), ranges.get("close")]]
        if not isinstance(ranges, (list, tuple)):
            raise InvalidInput("Cada día necesita una lista de horarios, por ejemplo [[\"10:00\", \"20:00\"]].")
        parsed = []
        for pair in ranges:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise InvalidInput("Cada horario necesita hora de apertura y de cierre.")
            opens, closes = parse_hhmm(pair[0]), parse_hhmm(pair[1])
            if opens >= closes:
                raise InvalidInput(
                    f"El {WEEKDAY_NAMES_ES[WEEKDAYS.index(day)]} la hora de apertura debe ser antes del cierre."
                )
            parsed.append([pair[0], pair[1]])
        parsed.sort()
        for (a_open, a_close), (b_open, _) in zip(parsed, parsed[1:]):
            if parse_hhmm(b_open) < parse_hhmm(a_close):
                raise InvalidInput("Los horarios de un mismo día no pueden encimarse.")
        canonical[day] = parsed
    return {day: canonical.get(day, []) for day in WEEKDAYS}


def validate_timezone(name: str) -> str:
    if not isinstance(name, str) or name not in available_timezones():
        raise InvalidInput(f"«{name}» no es una zona horaria válida (por ejemplo America/Mexico_City).")
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - tzdata mismatch
        raise InvalidInput(f"«{name}» no es una zona horaria válida.") from exc
    return name


def ensure_utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InvalidInput("Las fechas y horas deben incluir zona horaria.")
    if not 2000 <= moment.year <= 2200:
        # Far-off years overflow date arithmetic later on; no appointment is booked that far out.
        raise InvalidInput("Esa fecha está fuera del rango permitido.")
    return moment.astimezone(timezone.utc)


def local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()

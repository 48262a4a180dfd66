"""Weekly hours and time intervals, shared by the aggregates (standard library only).

Weekly hours are stored as ``{"mon": [["10:00", "20:00"]], "sun": []}``: string keys and
lists survive the JSON round trip of the event store unchanged, so replayed state equals
live state. A missing or empty day means closed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from aggregates.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")

WeeklyHours = dict[str, list[list[str]]]


def parse_hhmm(value: str) -> time:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise InvalidInput(f"La hora «{value}» no es válida; usa el formato HH:MM (por ejemplo 09:30).")
    if value == "24:00":
        return time.max
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


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


def day_intervals(hours: WeeklyHours, day: date, tz: str) -> list[tuple[datetime, datetime]]:
    """The UTC intervals a weekly schedule covers on one local date (DST-correct)."""
    zone = ZoneInfo(tz)
    intervals = []
    for opens, closes in hours.get(WEEKDAYS[day.weekday()], []):
        start = datetime.combine(day, parse_hhmm(opens), zone)
        end_time = parse_hhmm(closes)
        end = (
            datetime.combine(day + timedelta(days=1), time(0), zone)
            if end_time == time.max
            else datetime.combine(day, end_time, zone)
        )
        intervals.append((start.astimezone(timezone.utc), end.astimezone(timezone.utc)))
    return intervals


def within_hours(hours: WeeklyHours, start: datetime, end: datetime, tz: str) -> bool:
    """True when [start, end) lies inside one opening interval of its local day."""
    day = local_date(start, tz)
    return any(opens <= start and end <= closes for opens, closes in day_intervals(hours, day, tz))


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end

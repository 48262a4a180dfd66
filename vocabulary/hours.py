"""Opening hours and time intervals (standard library only).

Weekly hours are ``{"mon": [["10:00", "20:00"]], "sun": []}``: string keys and lists survive the
JSON round trip of the event store unchanged. A missing or empty day means closed; ``"24:00"``
closes at the next local midnight. Local wall-clock times are read with ``fold=0`` and turned
into UTC, so a schedule means the same instants on the write side (aggregates) and the read side
(availability).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from vocabulary.weekdays import WEEKDAYS

UTC = timezone.utc
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")

WeeklyHours = Mapping[str, Sequence[Sequence[str]]]
Interval = tuple[datetime, datetime]


class InvalidTime(ValueError):
    """An "HH:MM" that is not one. ``message`` is Spanish; callers wrap it in their own error."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.message = f"La hora «{value}» no es válida; usa el formato HH:MM (por ejemplo 09:30)."
        super().__init__(self.message)


def raising(error: Callable[[str], Exception]) -> Callable[[Callable], Callable]:
    """Wrap a function of this module so a bad time raises the caller's own ``error(message)``:
    ``parse_hhmm = raising(InvalidInput)(hours.parse_hhmm)``."""

    def wrap(function: Callable) -> Callable:
        @functools.wraps(function)
        def checked(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - same signature as ``function``
            try:
                return function(*args, **kwargs)
            except InvalidTime as bad:
                raise error(bad.message) from None

        return checked

    return wrap


def parse_hhmm(value: str) -> time:
    """``"09:30"`` → ``time(9, 30)``; ``"24:00"`` → ``time.max`` (end of the day)."""
    if not isinstance(value, str) or not HHMM.match(value):
        raise InvalidTime(value)
    if value == "24:00":
        return time.max
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def wall_time(value: str) -> time:
    """The wall-clock time to show for an "HH:MM" (``"24:00"`` shows as midnight, 12:00 AM)."""
    parsed = parse_hhmm(value)
    return time(0) if parsed == time.max else parsed


def _zone(zone: ZoneInfo | str) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def local_midnight(day: date, zone: ZoneInfo | str) -> datetime:
    """The UTC instant a local date begins."""
    return datetime.combine(day, time(0), _zone(zone)).astimezone(UTC)


def day_intervals(hours: WeeklyHours | None, day: date, zone: ZoneInfo | str) -> list[Interval]:
    """The UTC intervals a weekly schedule covers on one local date, sorted (DST-correct)."""
    if not hours:
        return []
    tz = _zone(zone)
    intervals = []
    for opens, closes in hours.get(WEEKDAYS[day.weekday()], None) or []:
        start = datetime.combine(day, parse_hhmm(opens), tz)
        end_time = parse_hhmm(closes)
        end = (
            datetime.combine(day + timedelta(days=1), time(0), tz)
            if end_time == time.max
            else datetime.combine(day, end_time, tz)
        )
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if start < end:
            intervals.append((start, end))
    intervals.sort()
    return intervals


def within_hours(hours: WeeklyHours | None, start: datetime, end: datetime, zone: ZoneInfo | str) -> bool:
    """True when [start, end) lies inside one opening interval of the local day of ``start``."""
    tz = _zone(zone)
    day = start.astimezone(tz).date()
    return any(opens <= start and end <= closes for opens, closes in day_intervals(hours, day, tz))


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) share an instant."""
    return a_start < b_end and b_start < a_end


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def epoch(moment: datetime | int) -> int:
    """Whole seconds since the epoch; naive datetimes are UTC; ints are epoch seconds already."""
    if isinstance(moment, int):
        return moment
    return int(as_utc(moment).timestamp())


# Business-local hours [from, to) of each part of the day, as customers mean "mañana/tarde/noche".
PART_OF_DAY_HOURS = {"morning": (0, 12), "afternoon": (12, 19), "evening": (19, 24)}


def part_of_day(local_start: datetime) -> str:
    """morning before 12:00, afternoon 12:00-18:59, evening from 19:00 (business-local)."""
    hour = local_start.hour
    return next(part for part, (low, high) in PART_OF_DAY_HOURS.items() if low <= hour < high)


def spread(items: Sequence, limit: int | None) -> list:
    """Up to ``limit`` items spread evenly over ``items``, in order: always the first, the last
    when more than one fits. ``None`` keeps all; 0 or less keeps none."""
    if limit is None or len(items) <= limit:
        return list(items)
    if limit <= 0:
        return []
    if limit == 1:
        return [items[0]]
    last = len(items) - 1
    picks = sorted({round(i * last / (limit - 1)) for i in range(limit)})
    return [items[i] for i in picks]

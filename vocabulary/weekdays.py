"""Weekdays and months: the storage keys and their Spanish names (index = ``date.weekday()``)."""

from __future__ import annotations

from datetime import date

# The keys of weekly hours as stored in events and read models (Monday first, like date.weekday()).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
# Without accents: what the offline engine matches after normalizing a message.
WEEKDAY_WORDS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
MONTH_NAMES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
    "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip


def weekday_key(day: date) -> str:
    """``"mon"``..``"sun"`` for a date (the key of its weekly hours)."""
    return WEEKDAYS[day.weekday()]


def weekday_name(key_or_day: str | date) -> str:
    """``"lunes"``..``"domingo"`` for a weekday key or a date."""
    index = WEEKDAYS.index(key_or_day) if isinstance(key_or_day, str) else key_or_day.weekday()
    return WEEKDAY_NAMES[index]

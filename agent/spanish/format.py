"""Exact-string formatting for replies: re-exported from the shared vocabulary.

The rules live in ``vocabulary.spanish`` (dates, times, prices, durations, business hours) and
``vocabulary.phones`` (phone display) so every layer formats the same way; these names stay
here because the agent, the gateway and the tests import them from ``agent.spanish.format``.
"""

from __future__ import annotations

from vocabulary.phones import format_phone
from vocabulary.spanish import (
    format_at_time,
    format_date,
    format_date_capitalized,
    format_day_phrase,
    format_duration,
    format_price,
    format_ranges,
    format_time,
    format_weekly_hours,
    relative_day_label,
)
from vocabulary.weekdays import MONTH_NAMES, WEEKDAY_NAMES

__all__ = [
    "WEEKDAY_NAMES",
    "MONTH_NAMES",
    "format_date",
    "format_date_capitalized",
    "format_time",
    "format_at_time",
    "format_price",
    "format_phone",
    "format_duration",
    "relative_day_label",
    "format_day_phrase",
    "format_ranges",
    "format_weekly_hours",
]

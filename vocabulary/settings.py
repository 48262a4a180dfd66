"""A business's settings: the only keys there are, their defaults and their allowed ranges.

The Organization aggregate validates changes against ``SETTING_LIMITS``; availability and the
reminders read stored settings with ``DEFAULT_SETTINGS`` filling the gaps.
"""

from __future__ import annotations

from types import MappingProxyType

DEFAULT_SETTINGS = MappingProxyType(
    {
        "min_notice_minutes": 60,
        "max_horizon_days": 30,
        "buffer_minutes": 0,
        "slot_interval_minutes": 30,
        "reminder_hours_before": 24,
    }
)

# Allowed (inclusive) ranges.
SETTING_LIMITS = MappingProxyType(
    {
        "min_notice_minutes": (0, 7 * 24 * 60),
        "max_horizon_days": (1, 365),
        "buffer_minutes": (0, 240),
        "slot_interval_minutes": (5, 240),
        "reminder_hours_before": (1, 72),
    }
)

"""Event data as JSON-able values (standard library only), for audits and read-model rows.

Both the write side (commands/history.py) and the read side (projections) show event data; this is
the one shared conversion, kept here because both layers may import aggregates and not each other.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any


def jsonable(value: Any) -> Any:
    """UUIDs and dates as strings, aware datetimes in UTC (ISO 8601), containers recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return (value.astimezone(timezone.utc) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)

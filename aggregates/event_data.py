"""Event data as JSON-able values (standard library only), for audits and read-model rows.

Both the write side (commands/history.py) and the read side (projections) show event data; this is
the one shared conversion, kept here because both layers may import aggregates and not each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any


def jsonable(value: Any) -> Any:
    """UUIDs and dates as strings, aware datetimes in UTC (ISO 8601), containers (and value
    objects, which read as mappings) recursively."""
    if isinstance(value, Mapping):
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


# Events whose change is their name: (field, value) they set.
_IMPLIED = {
    "ServiceDeactivated": ("is_active", False),
    "ServiceReactivated": ("is_active", True),
    "SpotDeactivated": ("is_active", False),
    "SpotReactivated": ("is_active", True),
}


def changed_fields(event: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """Which of ``fields`` an event changes, and to what: the typed field of a per-change event
    (``Renamed.name``), the fields an upcast legacy ``...Updated`` event set (None: not changed),
    or the one a ``...Deactivated``/``...Reactivated`` event implies."""
    implied = _IMPLIED.get(type(event).__name__)
    if implied is not None:
        return {implied[0]: implied[1]} if implied[0] in fields else {}
    if getattr(type(event), "partial_changes", False):
        return {name: getattr(event, name) for name in fields if getattr(event, name, None) is not None}
    return {name: getattr(event, name) for name in fields if hasattr(event, name)}

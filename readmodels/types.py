"""Column types of the read models.

``UTCDateTime`` is the one place that says "times are UTC": a naive datetime bound to a column is
taken as UTC (SQLite keeps no offset), and every value read back is timezone-aware UTC whatever
the database or its session time zone, so no reader converts rows by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from vocabulary.hours import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always stores and returns aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

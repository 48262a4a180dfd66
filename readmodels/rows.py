"""What every read-model query class shares: plain dict rows out of one engine.

Datetime columns come back aware UTC from the column type (``readmodels.types.UTCDateTime``), so
rows need no conversion here.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine, Select

Row = dict[str, Any]


def as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


class Reads:
    """Base of the query classes (``ReadStore``, ``ConversationReads``). Thread-safe (engine-based)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _all(self, query: Select) -> list[Row]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def _one(self, query: Select) -> Row | None:
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row is not None else None

    def _scalar(self, query: Select) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

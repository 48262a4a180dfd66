"""The one shape of row change most handlers make: update a row by id and stamp it with the event's time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, update

from projections.base import utc


def set_row(conn: Connection, table: Table, row_id: Any, event: Any, **values: Any) -> None:
    """Change the row ``row_id`` of ``table``; ``updated_at`` is the event's time (never the clock)."""
    conn.execute(update(table).where(table.c.id == row_id).values(**values, updated_at=utc(event.timestamp)))

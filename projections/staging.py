"""Staged rebuilds: run the handlers against an in-memory SQLite copy of the tables, then copy
the rows into the real read-model database in bulk.

Why: a rebuild on PostgreSQL spends most of its time on round trips - one per handler statement,
several per event (read-modify-write handlers). Against in-memory SQLite a statement is a function
call; the rows then go to PostgreSQL hundreds per INSERT (SQLAlchemy's insertmanyvalues), all in
the rebuild's one transaction.

What keeps the rows the same as a live (PostgreSQL) run:

* the scratch tables start empty, as after ``clear``: the handlers read only what they wrote;
* text holding NUL is refused here as PostgreSQL refuses it (:class:`DataError`, same message),
  so a poisoned event is skipped and recorded exactly as live processing does;
* SQLite keeps no time zone: the handlers store UTC (``utc()``), so naive values read back are
  UTC and are made aware before they are copied;
* anything else PostgreSQL would refuse (a too-long value...) fails the copy, which rolls back the
  whole rebuild transaction, and the runner then rebuilds in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from psycopg import sql as psycopg_sql
from sqlalchemy import JSON, Connection, DateTime, Engine, Table, create_engine, event, select
from sqlalchemy.pool import StaticPool

CHUNK = 1000
NUL_MESSAGE = "PostgreSQL text fields cannot contain NUL (0x00) bytes"


class DataError(ValueError):
    """A value PostgreSQL ``text`` cannot hold (named and worded like psycopg's own error)."""


def scratch_engine(tables: Sequence[Table]) -> Engine:
    """An in-memory SQLite database with these tables (one connection, real savepoints)."""
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN/SAVEPOINT itself (below)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_nul(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        for row in parameters if executemany else (parameters,):
            values = row.values() if isinstance(row, dict) else (row or ())
            for value in values:
                if isinstance(value, str) and "\x00" in value:
                    raise DataError(NUL_MESSAGE)

    metadatas = {id(t.metadata): t.metadata for t in tables}
    for metadata in metadatas.values():
        metadata.create_all(engine, tables=[t for t in tables if t.metadata is metadata])
    return engine


def copy_rows(source: Connection, target: Connection, tables: Iterable[Table], *, skip_columns: set[str] = frozenset()) -> int:
    """Insert every row of these tables from ``source`` into ``target``; returns the row count.
    PostgreSQL: ``COPY ... FROM STDIN`` on the target's own connection (same transaction)."""
    copied = 0
    for table in tables:
        columns = [c for c in table.columns if c.name not in skip_columns]
        aware = [i for i, c in enumerate(columns) if isinstance(c.type, DateTime) and c.type.timezone]
        documents = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
        result = source.execute(select(*columns))
        if target.dialect.name == "postgresql":
            raw = target.connection.driver_connection
            statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
                psycopg_sql.Identifier(table.name), psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(c.name) for c in columns)
            )
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in result:
                    copy.write_row(_storable(row, aware, documents))
                    copied += 1
            continue
        while True:
            chunk = result.fetchmany(CHUNK)
            if not chunk:
                break
            names = [c.name for c in columns]
            rows = [dict(zip(names, _aware(list(r), aware), strict=True)) for r in chunk]
            target.execute(table.insert(), rows)
            copied += len(rows)
    return copied


def _aware(values: list, aware: list[int]) -> list:
    for i in aware:
        value = values[i]
        if isinstance(value, datetime) and value.tzinfo is None:
            values[i] = value.replace(tzinfo=timezone.utc)
    return values


def _storable(row: Any, aware: list[int], documents: list[int]) -> list:
    """A row as COPY takes it: aware UTC times, JSON documents as their text (SQLAlchemy's JSON
    type stores ``None`` as the document ``null`` too)."""
    values = _aware(list(row), aware)
    for i in documents:
        values[i] = json.dumps(values[i])
    return values

"""Where events and read models live: the eventsourcing environment and the SQLAlchemy engine."""

from __future__ import annotations

import os

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine, event

from infra.settings import Settings


# Aggregate cache (eventsourcing Repository, see commands/base.py CommandBase.construct_repository).
# Every command loads the long-lived Organization, StaffMember and Customer aggregates and the day
# calendars; replaying their whole history on each load was most of the CPU of a booking (issue #3).
# With the cache, a load is one SELECT of the events *after* the cached version ("fast-forward"),
# so other processes' writes are always seen (never turn FASTFORWARD off: the cache would go stale
# across processes/workers). Commands get a deep copy, so a failed command cannot leave a mutated
# aggregate in the cache, and a version conflict still raises IntegrityError -> retry on fresh state.
AGGREGATE_CACHE_ENV = {
    "AGGREGATE_CACHE_MAXSIZE": "1000",  # LRU, per application (process); aggregates are small
    "AGGREGATE_CACHE_FASTFORWARD": "y",
}


def event_store_env(settings: Settings) -> dict[str, str]:
    if settings.is_postgres:
        parts = settings.postgres_parts()
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts["dbname"],
            "POSTGRES_HOST": parts["host"],
            "POSTGRES_PORT": parts["port"],
            "POSTGRES_USER": parts["user"],
            "POSTGRES_PASSWORD": parts["password"],
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "20",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_CONNECT_TIMEOUT": "5",
            **AGGREGATE_CACHE_ENV,
        }
    path = settings.sqlite_path
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": "10",
        **AGGREGATE_CACHE_ENV,
    }


def ensure_database(settings: Settings) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist yet."""
    if not settings.is_postgres:
        return
    parts = settings.postgres_parts()
    conninfo = psycopg.conninfo.make_conninfo(
        host=parts["host"], port=parts["port"], user=parts["user"], password=parts["password"] or None, dbname="postgres"
    )
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parts["dbname"],)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts["dbname"])))


def create_readmodel_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        url = settings.database_url
        for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix):]
                break
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_engine(f"sqlite:///{settings.sqlite_readmodels_path}", connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine

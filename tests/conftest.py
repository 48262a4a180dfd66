"""Shared fixtures for every Parlo test suite.

Keep this file general: anything specific to one area belongs in that area's own conftest.

- ``clock`` / ``FROZEN_NOW``: a settable frozen clock (Wed 14 Jan 2026 12:00 in Mexico City).
- ``memory_app``: a ``ParloApplication`` on the in-memory (POPO) event store, no I/O.
- ``demo``: the demo business (Barbería Don Carlos) seeded into ``memory_app``.
- ``pg_url`` / ``pg_module_url``: a fresh PostgreSQL database per test / per module, dropped afterwards.
- ``sqlite_url``: a SQLite file in ``tmp_path``.
- ``make_settings(url, **overrides)``: ``infra.settings.Settings`` ignoring ``.env`` and the environment's URL.
- ``make_app``: builds ``ParloApplication`` instances for a database URL and closes them at teardown.

Use the fixtures rather than ``from conftest import ...``: several directories have a conftest.py,
so the module name ``conftest`` is ambiguous.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from commands import ParloApplication
from infra.seed import DemoBusiness, seed_demo
from infra.settings import Settings

MX = ZoneInfo("America/Mexico_City")
# Wednesday 14 January 2026, noon in Mexico City. The demo business is open; 15 Jan is a Thursday.
FROZEN_NOW = datetime(2026, 1, 14, 12, 0, tzinfo=MX)

PG_HOST = os.environ.get("PARLO_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PARLO_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("PARLO_TEST_PG_USER", "postgres")
# Every database the tests create is named with this prefix (and dropped afterwards).
PG_PREFIX = os.environ.get("PARLO_TEST_DB_PREFIX", "parlo_t3_")
MEMORY_ENV = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


# ---- isolation on the shared Redis ---------------------------------------------------------


@pytest.fixture(autouse=True)
def _own_throttle_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test counts its login attempts under its own Redis prefix (the local Redis is shared
    by every test and every worktree); production processes share one prefix on purpose."""
    monkeypatch.setenv("PARLO_THROTTLE_PREFIX", f"parlo-test:{uuid.uuid4().hex}")


# ---- clock ------------------------------------------------------------------------------


class FrozenClock:
    """A callable clock for ``ParloApplication(clock=...)`` that only moves when told to."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.current = moment

    def advance(self, **delta: float) -> datetime:
        self.current = self.current + timedelta(**delta)
        return self.current


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo = MX) -> datetime:
    """An aware datetime in the demo business's timezone (default America/Mexico_City)."""
    return datetime(year, month, day, hour, minute, tzinfo=tz)


# ---- settings and applications ----------------------------------------------------------


def make_settings(url: str, **overrides: object) -> Settings:
    """Settings for a database URL, ignoring ``.env``. Overrides use the env names (``PARLO_ENV=...``)
    or the field names (``env=...``)."""
    fields = Settings.model_fields
    by_field = {name: info.validation_alias for name, info in fields.items() if isinstance(info.validation_alias, str)}
    values: dict[str, object] = {"PARLO_DATABASE_URL": url, "PARLO_ENV": "test"}
    for key, value in overrides.items():
        values[by_field.get(key, key)] = value
    return Settings(_env_file=None, **values)


def app_env(url: str, **extra: str) -> dict[str, str]:
    """The eventsourcing environment for a database URL (creating the PostgreSQL database if needed)."""
    from infra.persistence import ensure_database, event_store_env

    settings = make_settings(url)
    ensure_database(settings)
    env = event_store_env(settings)
    if settings.is_postgres:
        # psycopg_pool opens POSTGRES_POOL_SIZE connections up front, and many suites share one
        # server (max_connections=100): tests start small and grow on demand.
        env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="9")
    env.update(extra)
    return env


def new_app(url: str | None = None, clock: Callable[[], datetime] | None = None, **env: str) -> ParloApplication:
    """A ParloApplication on ``url`` (None: in memory). The caller closes it."""
    return ParloApplication(MEMORY_ENV if url is None else app_env(url, **env), clock=clock)


@pytest.fixture
def make_app() -> Iterator[Callable[..., ParloApplication]]:
    """``make_app(url=None, clock=None, **env)`` -> ParloApplication, closed at teardown."""
    made: list[ParloApplication] = []

    def factory(url: str | None = None, clock: Callable[[], datetime] | None = None, **env: str) -> ParloApplication:
        app = new_app(url, clock, **env)
        made.append(app)
        return app

    yield factory
    for app in made:
        try:
            app.close()
        except Exception:  # noqa: BLE001 - already closed by the test
            pass


@pytest.fixture(name="make_settings")
def make_settings_fixture() -> Callable[..., Settings]:
    return make_settings


@pytest.fixture
def memory_app(clock: FrozenClock) -> Iterator[ParloApplication]:
    app = ParloApplication(dict(MEMORY_ENV), clock=clock)
    yield app
    app.close()


def seed(app: ParloApplication) -> DemoBusiness:
    """Seed the demo business (idempotent): Barbería Don Carlos, Mon–Fri 10–20, Sat 10–18, Sun closed."""
    return seed_demo(app)


@pytest.fixture
def demo(memory_app: ParloApplication) -> DemoBusiness:
    return seed(memory_app)


@pytest.fixture(name="seed_demo")
def seed_demo_fixture() -> Callable[[ParloApplication], DemoBusiness]:
    """``seed_demo(app)``: seed the demo business into any application (idempotent)."""
    return seed


# ---- databases --------------------------------------------------------------------------


def _admin_connection():
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=3)


def postgres_available() -> bool:
    try:
        with _admin_connection():
            return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


def create_pg_database(label: str = "") -> str:
    """Create a uniquely named database and return its URL."""
    from psycopg import sql

    suffix = "".join(c if c.isalnum() else "_" for c in label.lower())[:20]
    name = f"{PG_PREFIX}{suffix + '_' if suffix else ''}{uuid.uuid4().hex[:10]}"
    with _admin_connection() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def drop_pg_database(url: str) -> None:
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    if not name.startswith(PG_PREFIX):  # never drop anything the tests did not create
        raise ValueError(f"refusing to drop {name!r}")
    with _admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _require_postgres() -> None:
    if not postgres_available():
        pytest.skip(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}")


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    _require_postgres()
    url = create_pg_database(request.node.name[:20])
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="module")
def pg_module_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database shared by the tests of one module, dropped afterwards."""
    _require_postgres()
    url = create_pg_database(request.module.__name__.rsplit(".", 1)[-1][:20])
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'parlo.db'}"


@pytest.fixture
def utc_now(clock: FrozenClock) -> datetime:
    return clock().astimezone(timezone.utc)


def _redis_available() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI the real services are required: a missing one fails the run instead of skipping tests."""
    if os.environ.get("CI", "").lower() in ("", "0", "false"):
        return
    missing = [name for name, up in (("PostgreSQL", postgres_available()), ("Redis", _redis_available())) if not up]
    if missing:
        pytest.exit(f"CI needs {' and '.join(missing)} on 127.0.0.1 (see .ci/run)", returncode=3)

"""Fixtures for the projection tests. PostgreSQL databases are named ``parlo_t4p_*``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from infra.container import Container
from proj_support import FrozenClock, make_settings, postgres_available

PREFIX = "parlo_t4p_"


def _admin():
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True, connect_timeout=3)


def create_db(label: str = "") -> str:
    from psycopg import sql

    name = f"{PREFIX}{label[:12]}{'_' if label else ''}{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_db(url: str) -> None:
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    assert name.startswith(PREFIX)
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def t4p_pg() -> Iterator:
    """A factory of fresh PostgreSQL databases (``parlo_t4p_*``), all dropped at teardown."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable")
    made: list[str] = []

    def factory(label: str = "") -> str:
        url = create_db(label)
        made.append(url)
        return url

    yield factory
    for url in made:
        drop_db(url)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path, t4p_pg) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'parlo.db'}"
    return t4p_pg("rows")


@pytest.fixture
def make_container() -> Iterator:
    made: list[Container] = []

    def factory(url: str, clock: FrozenClock | None = None) -> Container:
        container = Container(make_settings(url), clock=clock or FrozenClock())
        made.append(container)
        return container

    yield factory
    for container in made:
        container.close()

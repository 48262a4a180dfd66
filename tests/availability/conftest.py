"""Fixtures for the availability tests (helpers live in ``avail_support``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine

from avail_support import World
from readmodels import tables as t


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'availability.db'}")
    t.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine)

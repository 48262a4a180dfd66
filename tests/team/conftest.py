"""Fixtures for the team tests: the demo business (plus an admin and a viewer) on SQLite with projections."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from team_support import TeamWorld


@pytest.fixture
def world(tmp_path, clock) -> Iterator[TeamWorld]:
    w = TeamWorld(tmp_path, clock)
    yield w
    w.close()

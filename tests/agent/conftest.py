"""Fixtures for the agent tests: the demo business on SQLite with projections, frozen clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent_support import AgentWorld


@pytest.fixture
def world(tmp_path, clock) -> Iterator[AgentWorld]:
    w = AgentWorld(tmp_path, clock)
    yield w
    w.close()

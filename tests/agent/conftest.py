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


def pytest_terminal_summary(terminalreporter) -> None:
    """The dialogue totals (wrong bookings and unanswered messages must be 0) in every run's output."""
    from dialogue_harness import summary_line

    line = summary_line()
    if line:
        terminalreporter.write_sep("-", "offline dialogues")
        terminalreporter.write_line(line)

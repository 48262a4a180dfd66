"""Fixtures for the team tests.

- ``world``: the demo business (plus an admin and a viewer) on SQLite with projections, frozen clock.
- ``team_stack``: the WhatsApp stack of the gateway tests (PostgreSQL, projections, fake Twilio,
  signed webhook) with a ``notification`` template, its clock moved to a chosen local moment.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "gateway"))  # wa_support

from team_support import TeamWorld  # noqa: E402

NOTIFICATION_TEMPLATE = "HX" + "7" * 32


@pytest.fixture
def world(tmp_path, clock) -> Iterator[TeamWorld]:
    w = TeamWorld(tmp_path, clock)
    yield w
    w.close()


@pytest.fixture
def team_stack(request: pytest.FixtureRequest):
    from wa_support import Stack, postgres_available

    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable")
    s = Stack("team_" + request.node.name[:10], PARLO_TWILIO_TEMPLATES={"notification": NOTIFICATION_TEMPLATE})
    s.wa.start()
    yield s
    s.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """``team dialogues: N, completed: X (Y%), wrong changes: 0, unanswered: 0`` when the suite ran."""
    from test_team_dialogues import RESULTS

    if not RESULTS:
        return
    total = len(RESULTS)
    done = sum(1 for r in RESULTS if r["completed"])
    wrong = sum(1 for r in RESULTS if r["wrong"])
    unanswered = sum(r["unanswered"] for r in RESULTS)
    terminalreporter.write_line(
        f"team dialogues: {total}, completed: {done} ({done / total:.0%}), wrong changes: {wrong}, unanswered: {unanswered}"
    )

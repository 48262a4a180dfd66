"""Fixtures for the onboarding tests: the WhatsApp stack of tests/gateway (real PostgreSQL, the
signed webhook, the real twilio client against the local fake)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "gateway"))

from wa_support import Stack, postgres_available  # noqa: E402


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable")
    s = Stack(request.node.name)
    s.wa.start()
    yield s
    s.close()

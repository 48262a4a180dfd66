"""Fixtures for the WhatsApp gateway tests (PostgreSQL databases named parlo_t5g_*, Redis DB 5)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wa_support import Stack, postgres_available


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable")
    s = Stack(request.node.name)
    s.wa.start()
    yield s
    s.close()

"""Fixtures of the REST API tests (helpers live in ``api_support``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from api_support import Api, Seeded, open_api, seed_template, seed_template_into

SEEDED_AT = datetime(2026, 1, 14, 12, 0, tzinfo=ZoneInfo("America/Mexico_City"))


@pytest.fixture(scope="session")
def api_seeded(tmp_path_factory) -> Seeded:
    """Both businesses seeded and projected once per session; every test gets its own copy."""
    return seed_template(tmp_path_factory.mktemp("api-template") / "template.db", lambda: SEEDED_AT)


@pytest.fixture
def api(api_seeded: Seeded, tmp_path, clock) -> Iterator[Api]:
    built, container = open_api(api_seeded, tmp_path, clock)
    try:
        with built.client:
            yield built
    finally:
        container.close()


@pytest.fixture
def pg_api(pg_url: str, tmp_path, clock) -> Iterator[Api]:
    """The API on a fresh PostgreSQL database (seeded like ``api``), dropped afterwards."""
    built, container = open_api(seed_template_into(pg_url, clock), tmp_path, clock, None)
    try:
        with built.client:
            yield built
    finally:
        container.close()

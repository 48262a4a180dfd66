"""Fixtures of the REST API tests (helpers live in ``api_support``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from api_support import Api, Seeded, open_api, seed_template

SEEDED_AT = datetime(2026, 1, 14, 12, 0, tzinfo=ZoneInfo("America/Mexico_City"))


@pytest.fixture(scope="session")
def api_seeded(tmp_path_factory, make_settings_session) -> Seeded:
    """Both businesses seeded and projected once per session; every test gets its own copy."""
    return seed_template(tmp_path_factory.mktemp("api-template") / "template.db", lambda: SEEDED_AT, make_settings_session)


@pytest.fixture(scope="session")
def make_settings_session():
    from infra.settings import Settings

    def make(url: str, **overrides: object) -> Settings:
        return Settings(_env_file=None, PARLO_DATABASE_URL=url, PARLO_ENV="test", **overrides)

    return make


@pytest.fixture
def api(api_seeded: Seeded, tmp_path, clock, make_settings_session) -> Iterator[Api]:
    built, container = open_api(api_seeded, tmp_path, clock, make_settings_session)
    try:
        with built.client:
            yield built
    finally:
        container.close()

"""Fixtures of the security tests (helpers live in ``security_support``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import security_support  # noqa: F401 - puts tests/api on the path for api_support
from api_support import Seeded, seed_template

SEEDED_AT = datetime(2026, 1, 14, 12, 0, tzinfo=ZoneInfo("America/Mexico_City"))


@pytest.fixture(scope="session")
def security_seeded(tmp_path_factory) -> Seeded:
    """The API suite's two businesses, seeded and projected once for the security tests."""
    return seed_template(tmp_path_factory.mktemp("security-template") / "template.db", lambda: SEEDED_AT)

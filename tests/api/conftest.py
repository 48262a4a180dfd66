"""Fixtures of the REST API tests (helpers live in ``api_support``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api_support import Api, build_api


@pytest.fixture
def api(tmp_path, clock, make_settings) -> Iterator[Api]:
    built, container = build_api(tmp_path, clock, make_settings)
    try:
        with built.client:
            yield built
    finally:
        container.close()

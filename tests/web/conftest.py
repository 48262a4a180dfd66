"""Fixtures of the web tests (helpers live in ``web_support``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from web_support import World, build_world

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class Browser:
    """A TestClient with the page's CSRF token at hand (for the tests that need no real browser)."""

    def __init__(self, client: TestClient, world: World) -> None:
        self.client = client
        self.world = world
        self.csrf = ""

    def get(self, path: str, **kwargs):
        response = self.client.get(path, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict | None = None, *, token: bool = True, **kwargs):
        data = dict(data or {})
        if token:
            data.setdefault("csrf_token", self.csrf)
        return self.client.post(path, data=data, **kwargs)


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    built = build_world(tmp_path)
    try:
        yield built
    finally:
        built.container.close()


@pytest.fixture
def web(world: World) -> Iterator[Browser]:
    with TestClient(create_app(world.container)) as client:
        yield Browser(client, world)

"""Helpers of the security tests: the seeded API businesses (tests/api) served with chosen settings,
a real uvicorn server on a loopback port, and a wall clock that can jump past throttle windows."""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "api"))

import pytest  # noqa: E402
from api_support import ADMIN_PASSWORD, SECRET, Seeded, _readmodels_file  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from gateway.app import create_app  # noqa: E402
from infra.container import Container  # noqa: E402
from infra.settings import Settings  # noqa: E402

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
ADMIN_LOGIN = "/api/v1/admin/auth/login"
__all__ = ["ADMIN_PASSWORD", "SECRET"]


def settings(db: Path, **env: str) -> Settings:
    values = {
        "PARLO_DATABASE_URL": f"sqlite:///{db}",
        "PARLO_ENV": "test",
        "PARLO_SECRET_KEY": SECRET,
        "PARLO_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PARLO_PUBLIC_BASE_URL": "https://app.parlo.test",
        **env,
    }
    return Settings(_env_file=None, **values)


@dataclass
class Served:
    container: Container
    app: Any
    seeded: Seeded

    @property
    def org_a(self) -> uuid.UUID:
        return self.seeded.demo.organization_id

    def client(self, address: str = "testclient") -> TestClient:
        return TestClient(self.app, client=(address, 50000))

    def sync(self) -> None:
        assert self.container.wait_for(self.container.app.recorder.max_notification_id(), timeout=10)


@contextlib.contextmanager
def served(seeded: Seeded, directory: Path, clock: Any, **env: str) -> Iterator[Served]:
    """A private copy of the seeded businesses behind a fresh app with these settings."""
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "parlo.db"
    shutil.copyfile(seeded.path, db)
    shutil.copyfile(_readmodels_file(seeded.path), _readmodels_file(db))
    container = Container(settings(db, **env), clock=clock)
    container.start_projection_thread()
    try:
        yield Served(container, create_app(container), seeded)
    finally:
        container.close()


@contextlib.contextmanager
def wall_clock_ahead(seconds: float) -> Iterator[None]:
    """``time.time()`` ``seconds`` ahead: what the ``limits`` storages count on. Datetimes, the
    monotonic clock (event loops, timeouts) and the app's clock are untouched."""
    real = time.time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: real() + seconds)
        yield


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    access_log: io.StringIO

    def access_lines(self) -> list[str]:
        return [line for line in self.access_log.getvalue().splitlines() if line.strip()]


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[LiveServer]:
    """The app under a real uvicorn server on a loopback port, configured as ``parlo serve`` does
    (infra.cli.uvicorn_config); what its access-log handler prints is captured."""
    import uvicorn

    from infra.cli import uvicorn_config

    port = free_port()
    config = uvicorn_config(app, host="127.0.0.1", port=port, lifespan="off")
    server = uvicorn.Server(config)
    captured = io.StringIO()
    access = logging.getLogger("uvicorn.access")
    streams = []
    for handler in access.handlers:
        if isinstance(handler, logging.StreamHandler):
            streams.append((handler, handler.setStream(captured)))
    assert streams, "uvicorn's access log handler is not configured"
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", captured)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for handler, stream in streams:
            handler.setStream(stream)

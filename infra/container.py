"""The composition root: the one place that builds and wires Parlo's parts.

Nothing is created at import time; every part receives what it needs from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property

from sqlalchemy import Engine, text

from commands import ParloApplication
from infra.persistence import create_readmodel_engine, ensure_database, event_store_env
from infra.settings import Settings


class Container:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self._closers: list[Callable[[], None]] = []

    @cached_property
    def app(self) -> ParloApplication:
        ensure_database(self.settings)
        application = ParloApplication(event_store_env(self.settings), clock=self.clock)
        self._closers.append(application.close)
        return application

    @cached_property
    def engine(self) -> Engine:
        ensure_database(self.settings)
        engine = create_readmodel_engine(self.settings)
        self._closers.append(engine.dispose)
        return engine

    def store_is_reachable(self) -> tuple[bool, str]:
        try:
            self.app.recorder.max_notification_id()
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - health reports any failure
            return False, f"{type(error).__name__}: {error}"
        return True, "ok"

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()

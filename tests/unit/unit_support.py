"""What the unit tests share: the demo business's time zone and "who is acting" for aggregate events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aggregates.base import recording

MX = ZoneInfo("America/Mexico_City")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime in the demo business's timezone."""
    return datetime(year, month, day, hour, minute, tzinfo=MX)


def acting_as(who: str, why: str) -> Callable[[], Iterator[None]]:
    """An autouse fixture (assign it to a module name): every event the module's tests trigger records ``who`` and ``why``."""

    @pytest.fixture(autouse=True)
    def acting() -> Iterator[None]:
        with recording(who, why):
            yield

    return acting

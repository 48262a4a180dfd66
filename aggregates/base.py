"""The base of every Parlo aggregate: each event records who (actor) and why (cause), stamped once.

The command layer opens a ``recording(actor, cause)`` around the handling of one command; every
event any aggregate triggers inside it (creation events included) carries that actor and cause.
Aggregate methods never take them as arguments, and an event triggered outside a recording is a
programming error, not an anonymous change.

Event shapes evolve with the library's upcasting: ``class_version`` on the event class and
``upcast_vN_vN+1(state)`` static methods that turn a stored state into the next shape. Version 2
of every event is "actor and cause are fields of the base event"; events stored before any
actor existed load with empty ones (``DayCalendar.Opened`` names its historical default).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate


@dataclass
class Recording:
    """Who is acting and why, for the events of one command. ``actor`` may be refined once the
    command has established who it is (e.g. ``staff:<id>`` -> ``owner:<id>``)."""

    actor: str
    cause: str


_current: ContextVar[Recording | None] = ContextVar("parlo_recording", default=None)


class NotRecording(RuntimeError):
    """An aggregate changed outside ``recording(...)``: nobody would be accountable for it."""


@contextmanager
def recording(actor: str, cause: str) -> Iterator[Recording]:
    """Stamp ``actor`` and ``cause`` on every event triggered inside the block."""
    if not isinstance(actor, str) or not actor:
        raise NotRecording("Every event needs an actor.")
    current = Recording(actor, cause if isinstance(cause, str) else str(cause))
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


def current_recording() -> Recording:
    current = _current.get()
    if current is None:
        raise NotRecording("Aggregates change only inside recording(actor, cause).")
    return current


def _stamp(kwargs: dict[str, Any]) -> dict[str, Any]:
    current = current_recording()
    return {**kwargs, "actor": current.actor, "cause": current.cause}


class ParloAggregate(Aggregate):
    class Event(Aggregate.Event):
        actor: str
        cause: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had actor and cause as ordinary fields of each event; a few old
            events had none at all."""
            state.setdefault("actor", "")
            state.setdefault("cause", "")

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:  # noqa: A002 - library name
        return super()._create(event_class, id=id, **_stamp(kwargs))

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        super().trigger_event(event_class, **_stamp(kwargs))


def legacy_changes(*fields: str) -> Any:
    """The upcast of an old ``...Updated(changes: dict)`` event to one typed, optional field per
    change (None: not changed)."""

    def upcast_v2_v3(state: dict[str, Any]) -> None:
        changes = state.pop("changes", None) or {}
        for name in fields:
            state[name] = changes.get(name)

    return staticmethod(upcast_v2_v3)


def given(**values: Any) -> dict[str, Any]:
    """Only the values that are not None (the fields a legacy event changed)."""
    return {k: v for k, v in values.items() if v is not None}

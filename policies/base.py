"""The policy framework: per-event-type handlers that return commands and jobs.

Writing a policy::

    class OutboundDispatchPolicy(Policy):
        name = "whatsapp_dispatch"
        max_event_age = timedelta(hours=1)

        @reacts_to(OutboundMessage.Queued)
        def _queued(self, event, now):
            return [DispatchOutbound(event.originator_id)]

Rules for handlers (they are what makes "exactly once" true):

* A handler returns (or yields) what should happen: commands (executed by the runner through the
  application) and :class:`Job` s (handed to the runner's ``enqueue``). It executes nothing itself.
* Everything it returns must be idempotent, because a crash between acting and saving the
  position processes the event again: commands carry deterministic ids (uuid5 of the event's id),
  jobs are idempotent at their destination (the dispatcher's claim lease and message status).
* The wall clock is never read: ``now`` is the runner's injected clock. Events older than the
  policy's ``max_event_age`` (when set) are skipped by the runner, not by the handler.
* A handler registered for a class also receives its subclasses.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from eventsourcing.utils import get_topic

Handler = Callable[[Any, Any, datetime], Iterable[Any] | None]


def reacts_to(*event_classes: type) -> Callable[[Handler], Handler]:
    """Mark a method of a :class:`Policy` as the handler of these event classes."""

    def mark(method: Handler) -> Handler:
        method._parlo_reacts_to = (*getattr(method, "_parlo_reacts_to", ()), *event_classes)  # type: ignore[attr-defined]
        return method

    return mark


class Job:
    """Something a policy asks the job queue to do (not a state change: that is a command)."""


@dataclass(frozen=True)
class DispatchOutbound(Job):
    """Send a queued outbound WhatsApp message (``OutboundDispatcher.dispatch``)."""

    message_id: uuid.UUID


class Policy:
    """Base class of every policy: set ``name`` (its tracking row) and use :func:`reacts_to`.

    ``replaces``: the tracking name of what this policy took over from (its position is the
    starting point the first time the policy runs, so nothing is processed again)."""

    name: ClassVar[str] = ""
    max_event_age: ClassVar[timedelta | None] = None
    replaces: ClassVar[str | None] = None
    handlers: ClassVar[dict[type, Handler]] = {}
    topics: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[type, Handler] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                for event_class in getattr(attr, "_parlo_reacts_to", ()):
                    found[event_class] = attr
        cls.handlers = found
        cls.topics = stored_topics(found)

    def handler_for(self, event: Any) -> Handler | None:
        for klass in type(event).__mro__:
            handler = self.handlers.get(klass)
            if handler is not None:
                return handler
        return None

    def react(self, event: Any, now: datetime) -> list[Any]:
        """The commands and jobs this event calls for ([] when the policy ignores it)."""
        handler = self.handler_for(event)
        if handler is None:
            return []
        return list(handler(self, event, now) or [])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


def stored_topics(event_classes: Iterable[type]) -> tuple[str, ...]:
    """Every topic under which events of these classes (or their subclasses) can be stored,
    including old topics registered for them, so the runner filters in SQL."""
    from eventsourcing import utils

    classes: set[type] = set()
    pending = list(event_classes)
    while pending:
        klass = pending.pop()
        if klass not in classes:
            classes.add(klass)
            pending.extend(klass.__subclasses__())
    topics = {get_topic(c) for c in classes}
    with utils._topic_cache_lock:
        topics.update(t for t, obj in utils._topic_cache.items() if obj in classes)
    return tuple(sorted(topics))

"""The projection framework: event -> rows, with the tracking position in the same transaction.

Writing a projection
--------------------
Subclass :class:`Projection`, give it a unique ``name`` and the ``tables`` it owns (it is the only
writer of those tables; ``rebuild`` deletes their rows), and register one method per event class
with :func:`handles`::

    from projections.base import Projection, handles
    from readmodels.conversation_tables import conversations

    class ConversationsProjection(Projection):
        name = "conversations"
        tables = [conversations]

        @handles(Conversation.Started)
        def _started(self, conn, event, position):
            conn.execute(conversations.insert().values(id=event.originator_id, ...))

Rules for handlers (they are what makes "exactly once" true):

* ``conn`` is a SQLAlchemy ``Connection`` inside the batch transaction. Write only through it: the
  runner records the tracking position in the same transaction, so rows and position commit (or
  roll back) together. Never commit, never open another connection, no I/O besides ``conn``.
* Handlers must be deterministic functions of the event (and of rows this projection wrote):
  no ``datetime.now()``; use ``event.timestamp``. ``rebuild`` replays from the first event and
  must produce the same rows as the live projection.
* A handler registered for a class also receives its subclasses (``handles(DayCalendar.TimeBlocked)``
  gets ``StaffDay.TimeBlocked`` and ``SpotDay.TimeBlocked``); register the subclass to be specific.
* Raising skips the event for this projection: its writes are rolled back (a savepoint), the
  failure is recorded in ``rm_projection_failures`` and ``parlo projections retry`` applies it
  again once the code is fixed (issue #8). Only database outages hold the projection back.

The runner (:mod:`projections.runner`) discovers nothing by itself: ``projections.registry``
lists the projections the container runs. A module that defines projections can expose them with
a module-level ``PROJECTIONS = [MyProjection]`` (``projections.conversations`` is picked up that way).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table

from aggregates.event_data import jsonable  # noqa: F401 - re-exported for the projections

Handler = Callable[[Any, Connection, Any, int], None]

# Attributes of every aggregate event that are bookkeeping, not data.
EVENT_META = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


def handles(*event_classes: type) -> Callable[[Handler], Handler]:
    """Mark a method of a :class:`Projection` as the handler of these event classes."""

    def mark(method: Handler) -> Handler:
        method._parlo_handles = (*getattr(method, "_parlo_handles", ()), *event_classes)  # type: ignore[attr-defined]
        return method

    return mark


class Projection:
    """Base class of every projection. Subclasses set ``name`` and ``tables`` and use :func:`handles`.

    Dispatch is eventsourcing's ``singledispatchmethod`` (the MRO walk of ``functools``): a
    handler registered for a class receives its subclasses too. ``topics`` (as on the library's
    ``Projection``) lists every stored topic the handlers receive - the handled classes, their
    subclasses and any old topic registered for them - so the runner filters in SQL
    (``select_notifications(topics=...)``) and decodes nothing it would not apply.

    Override :meth:`apply` directly for full control (then also set ``topics``, or leave it empty
    to receive every event). Override :meth:`clear` when ``rebuild`` must do more than delete
    every row of ``tables``.
    """

    name: ClassVar[str] = ""
    tables: ClassVar[list[Table]] = []
    # event class -> handler function, filled from @handles methods (including inherited ones)
    handlers: ClassVar[dict[type, Handler]] = {}
    topics: ClassVar[tuple[str, ...]] = ()
    _dispatch: ClassVar[Any] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[type, Handler] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                for event_class in getattr(attr, "_parlo_handles", ()):
                    found[event_class] = attr
        cls.handlers = found
        dispatch = singledispatchmethod(_not_handled)
        for event_class, handler in found.items():
            dispatch.register(event_class, _swap(handler))
        cls._dispatch = dispatch
        if found or "topics" not in vars(cls):
            cls.topics = stored_topics(found)

    # ---- dispatch --------------------------------------------------------------------------------

    def wants_topic(self, topic: str) -> bool:
        """Whether events of this stored topic must be decoded and passed to :meth:`apply`."""
        wanted = _wanted_sets.get(type(self))
        if wanted is None:
            wanted = _wanted_sets[type(self)] = frozenset(self.topics)
        return not wanted or topic in wanted

    def apply(self, conn: Connection, event: Any, position: int) -> None:
        """Apply one event (``position`` = its notification id) inside the batch transaction."""
        self._dispatch(event, conn, position)

    # ---- rebuild -------------------------------------------------------------------------------

    def clear(self, conn: Connection) -> None:
        """Delete every row this projection wrote (inside the rebuild transaction)."""
        for table in reversed(self.tables):
            conn.execute(table.delete())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


_wanted_sets: dict[type, frozenset[str]] = {}


def _not_handled(self: Any, event: Any, conn: Connection, position: int) -> None:
    """Events of a class no handler is registered for (only reached without a topic filter)."""


def _swap(handler: Handler) -> Callable[..., None]:
    """singledispatchmethod dispatches on the first argument after ``self``: the event."""

    def dispatched(self: Any, event: Any, conn: Connection, position: int) -> None:
        handler(self, conn, event, position)

    return dispatched


def stored_topics(event_classes: Iterable[type]) -> tuple[str, ...]:
    """Every topic under which events of these classes (or of their subclasses) can be stored:
    their topics and any old topic registered for them (``register_topic``), sorted."""
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


# ---- helpers for handlers ----------------------------------------------------------------------


def event_data(event: Any) -> dict[str, Any]:
    """The event's own attributes (without originator id/version/timestamp/topic)."""
    return {k: v for k, v in vars(event).items() if k not in EVENT_META}


def event_type_name(event: Any) -> str:
    """``Booked``, ``Cancelled``, ``TimeBlocked``... (the class's own name)."""
    return type(event).__name__


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def to_uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


_UPSERTS: dict[tuple, Any] = {}


def _upsert_statement(dialect: str, table: Table, columns: tuple[str, ...]) -> Any:
    """An INSERT ... ON CONFLICT (pk) DO UPDATE built once per table and column set (building
    the ``excluded`` alias is costly; executing a cached statement with parameters is not)."""
    cache_key = (dialect, table.name, columns)
    statement = _UPSERTS.get(cache_key)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        key = [c.name for c in table.primary_key.columns]
        statement = insert(table)
        others = {k: statement.excluded[k] for k in columns if k not in key}
        if others:
            statement = statement.on_conflict_do_update(index_elements=key, set_=others)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=key)
        _UPSERTS[cache_key] = statement
    return statement


def replace_row(conn: Connection, table: Table, **values: Any) -> None:
    """Insert a row, or overwrite the row with the same primary key (one statement: an upsert on
    PostgreSQL and SQLite), so a handler never dies on a duplicate key: the event is the truth."""
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        conn.execute(_upsert_statement(dialect, table, tuple(sorted(values))), values)
        return
    key = [c.name for c in table.primary_key.columns]
    conn.execute(table.delete().where(*[table.c[k] == values[k] for k in key]))
    conn.execute(table.insert().values(**values))


def collect_projections(modules: Iterable[Any]) -> list[type[Projection]]:
    """The ``PROJECTIONS`` lists of these modules, in order."""
    found: list[type[Projection]] = []
    for module in modules:
        found.extend(getattr(module, "PROJECTIONS", []))
    return found

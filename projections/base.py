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
* Raising aborts the batch (nothing of it is committed) and the runner retries it later.

The runner (:mod:`projections.runner`) discovers nothing by itself: ``projections.registry``
lists the projections the container runs. A module that defines projections can expose them with
a module-level ``PROJECTIONS = [MyProjection]`` (``projections.conversations`` is picked up that way).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, ClassVar

from eventsourcing.utils import get_topic, resolve_topic
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

    Override :meth:`apply` directly for full control (then also override :meth:`wants_topic`).
    Override :meth:`clear` when ``rebuild`` must do more than delete every row of ``tables``.
    """

    name: ClassVar[str] = ""
    tables: ClassVar[list[Table]] = []
    # event class -> handler function, filled from @handles methods (including inherited ones)
    handlers: ClassVar[dict[type, Handler]] = {}
    _topic_cache: ClassVar[dict[str, Handler | None]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[type, Handler] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                for event_class in getattr(attr, "_parlo_handles", ()):
                    found[event_class] = attr
        cls.handlers = found
        cls._topic_cache = {}

    # ---- dispatch --------------------------------------------------------------------------------

    @classmethod
    def handler_for_class(cls, event_class: type) -> Handler | None:
        for klass in event_class.__mro__:
            handler = cls.handlers.get(klass)
            if handler is not None:
                return handler
        return None

    @classmethod
    def handler_for_topic(cls, topic: str) -> Handler | None:
        try:
            return cls._topic_cache[topic]
        except KeyError:
            pass
        try:
            handler = cls.handler_for_class(resolve_topic(topic))
        except Exception:  # noqa: BLE001 - an unknown topic is simply not ours
            handler = None
        cls._topic_cache[topic] = handler
        return handler

    def wants_topic(self, topic: str) -> bool:
        """Whether events of this stored topic must be decoded and passed to :meth:`apply`."""
        return self.handler_for_topic(topic) is not None

    def apply(self, conn: Connection, event: Any, position: int) -> None:
        """Apply one event (``position`` = its notification id) inside the batch transaction."""
        handler = self.handler_for_class(type(event))
        if handler is not None:
            handler(self, conn, event, position)

    # ---- rebuild -------------------------------------------------------------------------------

    def clear(self, conn: Connection) -> None:
        """Delete every row this projection wrote (inside the rebuild transaction)."""
        for table in reversed(self.tables):
            conn.execute(table.delete())

    @classmethod
    def topics(cls) -> list[str]:
        return sorted(get_topic(c) for c in cls.handlers)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


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

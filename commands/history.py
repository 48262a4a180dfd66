"""Auditors' view of the event store: an aggregate's event stream and its state at any point.

Read-only (it never saves). ``state_at`` replays the aggregate's own events, so it is the truth
the read models are derived from.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from aggregates.errors import NotFound
from aggregates.event_data import jsonable
from commands.base import CommandBase
from vocabulary.hours import as_utc

_META = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


class HistoryQueries(CommandBase):
    """``event_history(id)`` and ``state_at(id, version=None, at=None)`` for audits."""

    def _stored_events(self, aggregate_id: uuid.UUID) -> list[Any]:
        events = list(self.repository.event_store.get(aggregate_id))
        if not events:
            raise NotFound("No encontré ese registro.")
        return events

    def _last_version(self, aggregate_id: uuid.UUID) -> int:
        """The version of the aggregate's newest event (one row read); NotFound without events."""
        newest = list(self.repository.event_store.get(aggregate_id, desc=True, limit=1))
        if not newest:
            raise NotFound("No encontré ese registro.")
        return newest[0].originator_version

    def event_history(self, aggregate_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every event of one aggregate, oldest first: version, type (event class name),
        aggregate_type, timestamp (UTC ISO), actor, cause and data (the event's own fields)."""
        history = []
        for event in self._stored_events(aggregate_id):
            data = {k: v for k, v in vars(event).items() if k not in _META}
            topic = getattr(event, "originator_topic", None)
            history.append(
                {
                    "version": event.originator_version,
                    "type": type(event).__name__,
                    "aggregate_type": type(event).__qualname__.split(".")[0],
                    "timestamp": as_utc(event.timestamp).isoformat(),
                    "actor": data.pop("actor", None),
                    "cause": data.pop("cause", None),
                    "data": jsonable({**data, **({"originator_topic": topic} if topic else {})}),
                }
            )
        return history

    def state_at(self, aggregate_id: uuid.UUID, version: int | None = None, at: datetime | None = None) -> dict[str, Any]:
        """The aggregate's state (JSON-able) after ``version`` or as of time ``at`` (the last event
        at or before it); the current state when both are None. NotFound when it did not exist yet, or
        when ``version`` is beyond its last event (never silently the latest state instead)."""
        if version is not None:
            last = self._last_version(aggregate_id)
            if version < 1 or version > last:
                raise NotFound(f"Ese registro no tiene la versión {version}; su última versión es la {last}.")
        if at is not None:
            at = as_utc(at)
            versions = [e.originator_version for e in self._stored_events(aggregate_id) if as_utc(e.timestamp) <= at]
            if not versions:
                raise NotFound("Ese registro todavía no existía en ese momento.")
            version = min(versions[-1], version) if version is not None else versions[-1]
        try:
            aggregate = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound("No encontré ese registro.") from None
        state = {k.lstrip("_"): v for k, v in vars(aggregate).items() if k not in ("_pending_events",)}
        result = {"type": type(aggregate).__name__}
        result.update(jsonable(state))
        return result

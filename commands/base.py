"""Shared machinery of the command handlers: loading, authorizing, saving and retrying."""

from __future__ import annotations

import pickle
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, TypeVar

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.persistence import IntegrityError, Transcoder
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from aggregates.base import NotRecording, current_recording
from aggregates.calendar import DayCalendar
from aggregates.errors import NotFound, PermissionDenied
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from commands.context import Actor, actor_label
from commands.event_store import register_transcodings as register_value_transcodings

T = TypeVar("T")
MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class CommandResult:
    """What a command did. ``position`` is the notification id of its last event: a caller that
    needs read-your-writes waits until the projections have processed that position."""

    id: uuid.UUID | None = None
    position: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def retrying_on_conflict(on_conflict: Callable[[RetryCallState], None] | None = None) -> Retrying:
    """Re-run a whole command (reload, re-decide, save) when another writer won the race.

    A version conflict means our decision was made on stale state; deciding again on fresh
    state either succeeds or raises the domain error the winner now causes. Waits are random
    (full jitter, doubling up to 256 ms) so that racing writers spread out.
    """
    return Retrying(
        retry=retry_if_exception_type(IntegrityError),
        stop=stop_after_attempt(MAX_ATTEMPTS),
        wait=wait_random_exponential(multiplier=0.008, max=0.256),
        after=on_conflict,
        reraise=True,
    )


class _CachedRepository(Repository):
    """eventsourcing's Repository, made safe for threads sharing one cached aggregate (issue #3).

    With AGGREGATE_CACHE_MAXSIZE set (infra/persistence.py), the library fast-forwards the cached
    aggregate in place under a per-aggregate lock, but deep-copies it for the caller *after*
    releasing that lock: a thread copying while another applies a new event could copy a
    half-applied state or hit "dictionary changed size during iteration". Here the cached object
    is only touched (looked up, fast-forwarded, copied) under one of a fixed set of striped locks.
    The copy is a pickle round trip: the same deep copy (aggregates are plain data: dicts, lists,
    str, UUID, date/datetime) at 2-4x less CPU than ``copy.deepcopy`` for Organization and the
    day calendars, and it fails loudly rather than sharing state if an aggregate ever holds
    something unpicklable. Without a cache, or for a historical version, this is the library's ``get``.
    """

    _STRIPES = 64

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stripes = [threading.Lock() for _ in range(self._STRIPES)]

    def get(self, aggregate_id: Any, *, version: int | None = None, deepcopy_from_cache: bool = True, **kwargs: Any) -> Any:
        if not self.cache or version is not None:
            return super().get(aggregate_id, version=version, deepcopy_from_cache=deepcopy_from_cache, **kwargs)
        with self._stripes[hash(aggregate_id) % self._STRIPES]:
            aggregate = super().get(aggregate_id, deepcopy_from_cache=False, **kwargs)
            if deepcopy_from_cache and self.deepcopy_from_cache:
                return pickle.loads(pickle.dumps(aggregate, pickle.HIGHEST_PROTOCOL))
            return aggregate


class CommandBase(Application):
    """Event store access for handlers. The only code in Parlo that writes state."""

    name = "parlo"

    def __init__(self, env: dict | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.conflicts_retried = 0

    def construct_repository(self) -> Repository:
        """The library's repository (cache settings from the env), as a ``_CachedRepository``."""
        library = super().construct_repository()
        return _CachedRepository(
            event_store=library.event_store,
            snapshot_store=library.snapshot_store,
            cache_maxsize=getattr(library.cache, "maxsize", 0) if library.cache is not None else None,
            fastforward=library.fastforward,
            fastforward_skipping=library.fastforward_skipping,
            deepcopy_from_cache=library.deepcopy_from_cache,
        )

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)
        register_value_transcodings(transcoder)

    def now(self) -> datetime:
        return self.clock().astimezone(timezone.utc)

    # ---- loading -------------------------------------------------------------------------

    def _load(self, cls: type[T], aggregate_id: uuid.UUID, missing: str) -> T:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(missing) from None
        if not isinstance(aggregate, cls):
            raise NotFound(missing)
        return aggregate

    def _exists(self, aggregate_id: uuid.UUID) -> bool:
        return aggregate_id in self.repository

    def _get_or_none(self, aggregate_id: uuid.UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _stored(self, aggregate_id: uuid.UUID) -> bool:
        """Whether an aggregate has events (one indexed row read, no replay)."""
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def _organization(self, organization_id: uuid.UUID) -> Organization:
        return self._load(Organization, organization_id, "No encontré ese negocio.")

    def _owned(self, cls: type[T], aggregate_id: uuid.UUID, organization_id: uuid.UUID, missing: str) -> T:
        """Load an aggregate that belongs to an organization; another business's is 'not found'."""
        aggregate = self._load(cls, aggregate_id, missing)
        if getattr(aggregate, "organization_id", None) != organization_id:
            raise NotFound(missing)
        return aggregate

    def _day(
        self,
        cls: type[DayCalendar],
        owner_id: uuid.UUID,
        organization_id: uuid.UUID,
        day: date,
    ) -> DayCalendar:
        """Load a day calendar, or open it (recording who caused it to open) when new."""
        day_id = cls.create_id(owner_id, day)
        try:
            return self.repository.get(day_id)
        except AggregateNotFoundError:
            return cls.open(owner_id, organization_id, day)

    # ---- who is acting --------------------------------------------------------------------

    def _authorize(self, organization_id: uuid.UUID, actor: Actor, action: str) -> tuple[str, StaffMember | None]:
        """Check the permission matrix; return the label the events record (now the command's
        actor) and the staff member.

        Staff permissions are read from the StaffMember aggregate, never taken from the caller.
        """
        if actor.kind in ("admin", "system"):
            return actor_label(actor), None
        if actor.kind == "staff":
            try:
                staff_id = uuid.UUID(actor.id)
            except ValueError:
                raise PermissionDenied("No reconozco a esa persona en este negocio.") from None
            staff = self._owned(StaffMember, staff_id, organization_id, "No reconozco a esa persona en este negocio.")
            staff.require(action)
            return self._acting_as(actor_label(actor, staff)), staff
        raise PermissionDenied("No tienes permiso para hacer eso.")

    def _acting_as(self, label: str) -> str:
        """Who the events of this command record as their actor, once the command knows it
        (``execute`` starts with the actor's own label; authorization tells owner from staff)."""
        try:
            current_recording().actor = label
        except NotRecording:
            pass  # an authorization check outside a command: nothing will be recorded anyway
        return label

    # ---- saving ---------------------------------------------------------------------------

    def _save(self, *aggregates: Any) -> int | None:
        recordings = self.save(*aggregates)
        return max((r.notification.id for r in recordings), default=None)

"""One staff member's (or one spot's) calendar for one local date.

This is the consistency boundary for "no two things at once": a booking saves the new
Appointment together with the day it occupies. Two racing bookings of the same day both load
version N; the event store accepts only one N+1, the loser retries against fresh state and
then sees the overlap. Contention stays within one person's day, never the whole business.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from eventsourcing.domain import event

from aggregates.base import ParloAggregate
from aggregates.errors import InvalidInput, NotFound, SlotTaken
from aggregates.organization import NAMESPACE
from aggregates.timeslots import overlaps


class DayCalendar(ParloAggregate):
    """Intervals taken on one day, keyed by the appointment or block that takes them."""

    KIND = "calendar"
    OWNER_ES = "El horario"

    @classmethod
    def create_id(cls, owner_id: uuid.UUID, day: date) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"{cls.KIND}:{owner_id}:{day.isoformat()}")

    @classmethod
    def open(
        cls,
        owner_id: uuid.UUID,
        organization_id: uuid.UUID,
        day: date,
    ):
        """Open a day; it records the actor and cause of the command that first touches it."""
        return cls._create(
            cls.Opened,
            id=cls.create_id(owner_id, day),
            owner_id=owner_id,
            organization_id=organization_id,
            day=day.isoformat(),
        )

    class Opened(ParloAggregate.Created):
        owner_id: uuid.UUID
        organization_id: uuid.UUID
        day: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            """The first days were opened without an actor: the calendar opened them itself."""
            state.setdefault("actor", "system:calendar")
            state.setdefault("cause", "")

    @event(Opened)
    def __init__(
        self, *, owner_id: uuid.UUID, organization_id: uuid.UUID, day: str
    ) -> None:
        self.owner_id = owner_id
        self.organization_id = organization_id
        self.day = day
        # key -> {"start", "end", "kind": "appointment"|"block", "reason"}
        self.entries: dict[str, dict] = {}

    def conflicts(self, start: datetime, end: datetime, ignore: str | None = None) -> list[dict]:
        return [
            {"key": key, **entry}
            for key, entry in self.entries.items()
            if key != ignore and overlaps(start, end, entry["start"], entry["end"])
        ]

    def _check_free(self, start: datetime, end: datetime, ignore: str | None = None) -> None:
        if start >= end:
            raise InvalidInput("La hora de inicio debe ser antes de la hora de fin.")
        clash = self.conflicts(start, end, ignore)
        if clash:
            what = "un bloqueo" if clash[0]["kind"] == "block" else "otra cita"
            raise SlotTaken(f"{self.OWNER_ES} ya tiene {what} en ese horario.", conflicts=clash)

    def occupy(self, appointment_id: uuid.UUID, start: datetime, end: datetime) -> None:
        key = str(appointment_id)
        self._check_free(start, end, ignore=key)
        current = self.entries.get(key)
        if current and current["start"] == start and current["end"] == end:
            return
        self._occupied(appointment_id=appointment_id, start=start, end=end)

    @event("Occupied")
    def _occupied(self, appointment_id: uuid.UUID, start: datetime, end: datetime) -> None:
        self.entries = {
            **self.entries,
            str(appointment_id): {"start": start, "end": end, "kind": "appointment", "reason": ""},
        }

    def release(self, appointment_id: uuid.UUID) -> None:
        if str(appointment_id) in self.entries:
            self._released(appointment_id=appointment_id)

    @event("Released")
    def _released(self, appointment_id: uuid.UUID) -> None:
        self.entries = {k: v for k, v in self.entries.items() if k != str(appointment_id)}

    def block(self, block_id: uuid.UUID, start: datetime, end: datetime, reason: str) -> None:
        key = str(block_id)
        if key in self.entries:
            return  # the same block requested again
        self._check_free(start, end)
        self._blocked(block_id=block_id, start=start, end=end, reason=(reason or "").strip())

    @event("TimeBlocked")
    def _blocked(self, block_id: uuid.UUID, start: datetime, end: datetime, reason: str) -> None:
        self.entries = {**self.entries, str(block_id): {"start": start, "end": end, "kind": "block", "reason": reason}}

    def unblock(self, block_id: uuid.UUID) -> None:
        entry = self.entries.get(str(block_id))
        if entry is None or entry["kind"] != "block":
            raise NotFound("No encontré ese bloqueo.")
        self._unblocked(block_id=block_id)

    @event("TimeUnblocked")
    def _unblocked(self, block_id: uuid.UUID) -> None:
        self.entries = {k: v for k, v in self.entries.items() if k != str(block_id)}


class StaffDay(DayCalendar):
    KIND = "staff-day"
    OWNER_ES = "Esa persona"


class SpotDay(DayCalendar):
    KIND = "spot-day"
    OWNER_ES = "Ese lugar"

"""An appointment and its lifecycle. Its own event history is the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime

from eventsourcing.domain import event

from aggregates.base import ParloAggregate
from aggregates.errors import InvalidInput, InvalidTransition
from vocabulary.statuses import APPOINTMENT_STATUS_ES, APPOINTMENT_TRANSITIONS, LIVE_APPOINTMENT_STATUSES

SOURCES = ("whatsapp", "web", "manual", "walk_in")
LIVE = LIVE_APPOINTMENT_STATUSES
TRANSITIONS = APPOINTMENT_TRANSITIONS  # pending -> confirmed -> completed | no_show; live -> cancelled
STATUS_ES = APPOINTMENT_STATUS_ES


class Appointment(ParloAggregate):
    @classmethod
    def book(
        cls,
        *,
        appointment_id: uuid.UUID,
        organization_id: uuid.UUID,
        location_id: uuid.UUID,
        customer_id: uuid.UUID,
        staff_id: uuid.UUID,
        service_id: uuid.UUID,
        spot_id: uuid.UUID | None,
        start: datetime,
        end: datetime,
        source: str,
        status: str,
        notes: str,
        price_cents: int,
        booked_at: datetime | None = None,
    ) -> Appointment:
        if start >= end:
            raise InvalidInput("La hora de inicio debe ser antes de la hora de fin.")
        if source not in SOURCES:
            raise InvalidInput(f"Origen de cita desconocido: «{source}».")
        if status not in LIVE:
            raise InvalidInput("Una cita nueva solo puede estar pendiente o confirmada.")
        return cls._create(
            cls.Booked,
            id=appointment_id,
            organization_id=organization_id,
            location_id=location_id,
            customer_id=customer_id,
            staff_id=staff_id,
            service_id=service_id,
            spot_id=spot_id,
            scheduled_start=start,
            scheduled_end=end,
            source=source,
            status=status,
            notes=(notes or "").strip(),
            price_cents=price_cents,
            booked_at=booked_at,
        )

    class Booked(ParloAggregate.Created):
        organization_id: uuid.UUID
        location_id: uuid.UUID
        customer_id: uuid.UUID
        staff_id: uuid.UUID
        service_id: uuid.UUID
        spot_id: uuid.UUID | None
        scheduled_start: datetime
        scheduled_end: datetime
        source: str
        status: str
        notes: str
        price_cents: int
        # The business clock's time of booking.
        booked_at: datetime | None

        class_version = 3

        @staticmethod
        def upcast_v2_v3(state: dict) -> None:
            """Bookings recorded before the business clock's time was kept have none."""
            state.setdefault("booked_at", None)

    @event(Booked)
    def __init__(
        self,
        *,
        organization_id: uuid.UUID,
        location_id: uuid.UUID,
        customer_id: uuid.UUID,
        staff_id: uuid.UUID,
        service_id: uuid.UUID,
        spot_id: uuid.UUID | None,
        scheduled_start: datetime,
        scheduled_end: datetime,
        source: str,
        status: str,
        notes: str,
        price_cents: int,
        booked_at: datetime | None,
    ) -> None:
        self.organization_id = organization_id
        self.location_id = location_id
        self.customer_id = customer_id
        self.staff_id = staff_id
        self.service_id = service_id
        self.spot_id = spot_id
        self.scheduled_start = scheduled_start
        self.scheduled_end = scheduled_end
        self.source = source
        self.status = status
        self.notes = notes
        self.price_cents = price_cents
        self.cancellation_reason: str | None = None
        self.reminder_sent_at: datetime | None = None
        self.booked_at = booked_at
        self.reschedule_count = 0

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    def _require_transition(self, target: str) -> None:
        if target not in TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"Esta cita ya está {STATUS_ES[self.status]}; no se puede {_VERB_ES[target]}."
            )

    def confirm(self) -> None:
        if self.status == "confirmed":
            return
        self._require_transition("confirmed")
        self._confirmed()

    @event("Confirmed")
    def _confirmed(self) -> None:
        self.status = "confirmed"

    def cancel(self, reason: str) -> None:
        self._require_transition("cancelled")
        self._cancelled(reason=(reason or "").strip())

    @event("Cancelled")
    def _cancelled(self, reason: str) -> None:
        self.status = "cancelled"
        self.cancellation_reason = reason

    def _require_started(self, now: datetime, target: str) -> None:
        """Attendance is only known once the appointment's time has come (``now`` comes from the command)."""
        if now < self.scheduled_start:
            what = "marcarla como completada" if target == "completed" else "marcar que no asistió"
            raise InvalidTransition(f"Esta cita todavía no empieza; podrás {what} cuando llegue su hora.")

    def _attendance_notes(self, target: str, notes: str, now: datetime) -> str:
        """Completed and no-show: a legal move once the time has come; returns the cleaned notes."""
        self._require_transition(target)
        self._require_started(now, target)
        return (notes or "").strip()

    def _attended(self, status: str, notes: str) -> None:
        self.status = status
        if notes:
            self.notes = notes

    def complete(self, notes: str, *, now: datetime) -> None:
        self._completed(notes=self._attendance_notes("completed", notes, now))

    @event("Completed")
    def _completed(self, notes: str) -> None:
        self._attended("completed", notes)

    def mark_no_show(self, notes: str, *, now: datetime) -> None:
        self._marked_no_show(notes=self._attendance_notes("no_show", notes, now))

    @event("MarkedNoShow")
    def _marked_no_show(self, notes: str) -> None:
        self._attended("no_show", notes)

    def reschedule(
        self,
        *,
        start: datetime,
        end: datetime,
        staff_id: uuid.UUID,
        spot_id: uuid.UUID | None,
        service_id: uuid.UUID,
        price_cents: int,
    ) -> None:
        if not self.is_live:
            raise InvalidTransition(f"Esta cita ya está {STATUS_ES[self.status]}; no se puede cambiar.")
        if start >= end:
            raise InvalidInput("La hora de inicio debe ser antes de la hora de fin.")
        self._rescheduled(
            previous_start=self.scheduled_start,
            previous_end=self.scheduled_end,
            previous_staff_id=self.staff_id,
            scheduled_start=start,
            scheduled_end=end,
            staff_id=staff_id,
            spot_id=spot_id,
            service_id=service_id,
            price_cents=price_cents,
        )

    @event("Rescheduled")
    def _rescheduled(
        self,
        previous_start: datetime,
        previous_end: datetime,
        previous_staff_id: uuid.UUID,
        scheduled_start: datetime,
        scheduled_end: datetime,
        staff_id: uuid.UUID,
        spot_id: uuid.UUID | None,
        service_id: uuid.UUID,
        price_cents: int,
    ) -> None:
        self.scheduled_start = scheduled_start
        self.scheduled_end = scheduled_end
        self.staff_id = staff_id
        self.spot_id = spot_id
        self.service_id = service_id
        self.price_cents = price_cents
        self.reschedule_count += 1

    def update_notes(self, notes: str) -> None:
        notes = (notes or "").strip()
        if notes != self.notes:
            self._notes_updated(notes=notes)

    @event("NotesUpdated")
    def _notes_updated(self, notes: str) -> None:
        self.notes = notes

    def record_reminder_sent(self, at: datetime) -> None:
        if self.reminder_sent_at is None and self.is_live:
            self._reminder_sent(at=at)

    @event("ReminderSent")
    def _reminder_sent(self, at: datetime) -> None:
        self.reminder_sent_at = at


_VERB_ES = {
    "confirmed": "confirmar",
    "cancelled": "cancelar",
    "completed": "marcar como completada",
    "no_show": "marcar como no asistió",
}

"""An appointment and its lifecycle. Its own event history is the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime

from eventsourcing.domain import Aggregate, event

from aggregates.errors import InvalidInput, InvalidTransition

SOURCES = ("whatsapp", "web", "manual", "walk_in")
LIVE = ("pending", "confirmed")
# pending -> confirmed -> completed | no_show; anything live can be cancelled.
TRANSITIONS = {
    "pending": {"confirmed", "cancelled", "completed", "no_show"},
    "confirmed": {"cancelled", "completed", "no_show"},
    "completed": set(),
    "cancelled": set(),
    "no_show": set(),
}
STATUS_ES = {
    "pending": "pendiente",
    "confirmed": "confirmada",
    "completed": "completada",
    "cancelled": "cancelada",
    "no_show": "marcada como no asistió",
}


class Appointment(Aggregate):
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
        actor: str,
        cause: str,
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
            actor=actor,
            cause=cause,
            booked_at=booked_at,
        )

    class Booked(Aggregate.Created):
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
        actor: str
        cause: str
        # The business clock's time of booking (events recorded before it existed have none).
        booked_at: datetime | None = None

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
        actor: str,
        cause: str,
        booked_at: datetime | None = None,
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

    def confirm(self, *, actor: str, cause: str) -> None:
        if self.status == "confirmed":
            return
        self._require_transition("confirmed")
        self._confirmed(actor=actor, cause=cause)

    @event("Confirmed")
    def _confirmed(self, actor: str, cause: str) -> None:
        self.status = "confirmed"

    def cancel(self, reason: str, *, actor: str, cause: str) -> None:
        self._require_transition("cancelled")
        self._cancelled(reason=(reason or "").strip(), actor=actor, cause=cause)

    @event("Cancelled")
    def _cancelled(self, reason: str, actor: str, cause: str) -> None:
        self.status = "cancelled"
        self.cancellation_reason = reason

    def _require_started(self, now: datetime, target: str) -> None:
        """Attendance is only known once the appointment's time has come (``now`` comes from the command)."""
        if now < self.scheduled_start:
            what = "marcarla como completada" if target == "completed" else "marcar que no asistió"
            raise InvalidTransition(f"Esta cita todavía no empieza; podrás {what} cuando llegue su hora.")

    def complete(self, notes: str, *, now: datetime, actor: str, cause: str) -> None:
        self._require_transition("completed")
        self._require_started(now, "completed")
        self._completed(notes=(notes or "").strip(), actor=actor, cause=cause)

    @event("Completed")
    def _completed(self, notes: str, actor: str, cause: str) -> None:
        self.status = "completed"
        if notes:
            self.notes = notes

    def mark_no_show(self, notes: str, *, now: datetime, actor: str, cause: str) -> None:
        self._require_transition("no_show")
        self._require_started(now, "no_show")
        self._marked_no_show(notes=(notes or "").strip(), actor=actor, cause=cause)

    @event("MarkedNoShow")
    def _marked_no_show(self, notes: str, actor: str, cause: str) -> None:
        self.status = "no_show"
        if notes:
            self.notes = notes

    def reschedule(
        self,
        *,
        start: datetime,
        end: datetime,
        staff_id: uuid.UUID,
        spot_id: uuid.UUID | None,
        service_id: uuid.UUID,
        price_cents: int,
        actor: str,
        cause: str,
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
            actor=actor,
            cause=cause,
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
        actor: str,
        cause: str,
    ) -> None:
        self.scheduled_start = scheduled_start
        self.scheduled_end = scheduled_end
        self.staff_id = staff_id
        self.spot_id = spot_id
        self.service_id = service_id
        self.price_cents = price_cents
        self.reschedule_count += 1

    def update_notes(self, notes: str, *, actor: str, cause: str) -> None:
        notes = (notes or "").strip()
        if notes != self.notes:
            self._notes_updated(notes=notes, actor=actor, cause=cause)

    @event("NotesUpdated")
    def _notes_updated(self, notes: str, actor: str, cause: str) -> None:
        self.notes = notes

    def record_reminder_sent(self, at: datetime, *, actor: str, cause: str) -> None:
        if self.reminder_sent_at is None and self.is_live:
            self._reminder_sent(at=at, actor=actor, cause=cause)

    @event("ReminderSent")
    def _reminder_sent(self, at: datetime, actor: str, cause: str) -> None:
        self.reminder_sent_at = at


_VERB_ES = {
    "confirmed": "confirmar",
    "cancelled": "cancelar",
    "completed": "marcar como completada",
    "no_show": "marcar como no asistió",
}

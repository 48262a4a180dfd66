"""Appointment events -> rm_appointment_history (the auditors' trail, one row per event).

``changes`` holds what the event changed as ``{field: {"from": old, "to": new}}`` (JSON values:
ids and datetimes as strings). For ``Booked`` every field goes from None to its value. The
projection keeps each appointment's current state in ``rm_proj_appointment_state`` to know "from".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from aggregates.appointment import Appointment
from projections.base import Projection, event_data, event_type_name, handles, jsonable, replace_row, to_uuid, utc
from readmodels.tables import appointment_history, proj_appointment_state

BOOKED_FIELDS = (
    "organization_id",
    "location_id",
    "customer_id",
    "staff_id",
    "service_id",
    "spot_id",
    "scheduled_start",
    "scheduled_end",
    "source",
    "status",
    "notes",
    "price_cents",
)


def updates_of(event: Any, state: dict[str, Any]) -> dict[str, Any]:
    """The fields an Appointment event sets (mirrors the aggregate's own mutators)."""
    kind = event_type_name(event)
    if kind == "Booked":
        values = {f: getattr(event, f) for f in BOOKED_FIELDS}
        values.update(cancellation_reason=None, reminder_sent_at=None, reschedule_count=0)
        return values
    if kind == "Confirmed":
        return {"status": "confirmed"}
    if kind == "Cancelled":
        return {"status": "cancelled", "cancellation_reason": event.reason}
    if kind in ("Completed", "MarkedNoShow"):
        values = {"status": "completed" if kind == "Completed" else "no_show"}
        if event.notes:
            values["notes"] = event.notes
        return values
    if kind == "Rescheduled":
        fields = ("scheduled_start", "scheduled_end", "staff_id", "spot_id", "service_id", "price_cents")
        values = {f: getattr(event, f) for f in fields}
        values["reschedule_count"] = int(state.get("reschedule_count") or 0) + 1
        return values
    if kind == "NotesUpdated":
        return {"notes": event.notes}
    if kind == "ReminderSent":
        return {"reminder_sent_at": event.at}
    # An event type added later: record its data as the change.
    return {k: v for k, v in event_data(event).items() if k not in ("actor", "cause")}


class AppointmentHistoryProjection(Projection):
    name = "appointment_history"
    tables = [appointment_history, proj_appointment_state]

    @handles(Appointment.Event)
    def _any(self, conn: Connection, event: Any, position: int) -> None:
        row = conn.execute(
            select(proj_appointment_state.c.organization_id, proj_appointment_state.c.state).where(
                proj_appointment_state.c.id == event.originator_id
            )
        ).first()
        if row is None:
            organization_id = to_uuid(getattr(event, "organization_id", None))
            if organization_id is None:  # pragma: no cover - Booked always comes first
                return
            state: dict[str, Any] = {}
        else:
            organization_id, state = row[0], dict(row[1] or {})
        new_values = jsonable(updates_of(event, state))
        changes = {
            key: {"from": state.get(key), "to": value} for key, value in new_values.items() if state.get(key) != value
        }
        state.update(new_values)
        if row is None:
            replace_row(conn, proj_appointment_state, id=event.originator_id, organization_id=organization_id, state=state)
        else:
            conn.execute(
                update(proj_appointment_state).where(proj_appointment_state.c.id == event.originator_id).values(state=state)
            )
        replace_row(
            conn,
            appointment_history,
            appointment_id=event.originator_id,
            version=event.originator_version,
            organization_id=organization_id,
            event_type=event_type_name(event),
            occurred_at=utc(event.timestamp),
            actor=str(getattr(event, "actor", "") or ""),
            cause=str(getattr(event, "cause", "") or "")[:200],
            changes=changes,
            position=position,
        )


PROJECTIONS = [AppointmentHistoryProjection]

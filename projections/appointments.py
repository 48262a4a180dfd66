"""Appointment events -> rm_appointments (with ``local_date`` in the business's time zone), and
StaffDay block events -> rm_staff_blocks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, select, update

from aggregates.appointment import Appointment
from aggregates.calendar import DayCalendar, StaffDay
from aggregates.event_data import changed_fields
from aggregates.organization import Organization
from projections.base import Projection, handles, replace_row, to_uuid, utc
from projections.updates import set_row
from readmodels.tables import appointments, proj_org_timezones, proj_staff_days, staff_blocks

DEFAULT_TZ = "America/Mexico_City"


def local_day(moment: datetime, tz: str) -> date:
    return utc(moment).astimezone(ZoneInfo(tz)).date()  # type: ignore[union-attr]


class AppointmentsProjection(Projection):
    name = "appointments"
    tables = [appointments, proj_org_timezones]

    def _timezone(self, conn: Connection, organization_id: Any) -> str:
        tz = conn.execute(
            select(proj_org_timezones.c.timezone).where(proj_org_timezones.c.organization_id == to_uuid(organization_id))
        ).scalar()
        return tz or DEFAULT_TZ

    # ---- the business's time zone ---------------------------------------------------------

    @handles(Organization.Registered)
    def _org_registered(self, conn: Connection, event: Any, position: int) -> None:
        replace_row(conn, proj_org_timezones, organization_id=event.originator_id, timezone=event.timezone)

    @handles(Organization.ProfileUpdated, Organization.TimezoneChanged)
    def _org_updated(self, conn: Connection, event: Any, position: int) -> None:
        tz = changed_fields(event, ("timezone",)).get("timezone")
        if not tz:
            return
        replace_row(conn, proj_org_timezones, organization_id=event.originator_id, timezone=tz)
        rows = conn.execute(
            select(appointments.c.id, appointments.c.scheduled_start).where(appointments.c.organization_id == event.originator_id)
        ).all()
        for appointment_id, start in rows:
            conn.execute(update(appointments).where(appointments.c.id == appointment_id).values(local_date=local_day(start, tz)))

    # ---- appointments ------------------------------------------------------------------------

    def _set(self, conn: Connection, event: Any, **values: Any) -> None:
        set_row(conn, appointments, event.originator_id, event, **values)

    @handles(Appointment.Booked)
    def _booked(self, conn: Connection, event: Any, position: int) -> None:
        at = utc(event.timestamp)
        tz = self._timezone(conn, event.organization_id)
        replace_row(
            conn,
            appointments,
            id=event.originator_id,
            organization_id=to_uuid(event.organization_id),
            location_id=to_uuid(event.location_id),
            customer_id=to_uuid(event.customer_id),
            staff_id=to_uuid(event.staff_id),
            service_type_id=to_uuid(event.service_id),
            spot_id=to_uuid(event.spot_id),
            scheduled_start=utc(event.scheduled_start),
            scheduled_end=utc(event.scheduled_end),
            local_date=local_day(event.scheduled_start, tz),
            status=event.status,
            source=event.source,
            notes=event.notes or "",
            cancellation_reason=None,
            price_cents=event.price_cents,
            reminder_sent_at=None,
            reschedule_count=0,
            created_at=utc(event.booked_at) if getattr(event, "booked_at", None) else at,
            updated_at=at,
        )

    @handles(Appointment.Confirmed)
    def _confirmed(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, status="confirmed")

    @handles(Appointment.Cancelled)
    def _cancelled(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, status="cancelled", cancellation_reason=event.reason)

    @handles(Appointment.Completed)
    def _completed(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, status="completed", **({"notes": event.notes} if event.notes else {}))

    @handles(Appointment.MarkedNoShow)
    def _no_show(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, status="no_show", **({"notes": event.notes} if event.notes else {}))

    @handles(Appointment.Rescheduled)
    def _rescheduled(self, conn: Connection, event: Any, position: int) -> None:
        organization_id = conn.execute(
            select(appointments.c.organization_id).where(appointments.c.id == event.originator_id)
        ).scalar()
        tz = self._timezone(conn, organization_id)
        self._set(
            conn,
            event,
            scheduled_start=utc(event.scheduled_start),
            scheduled_end=utc(event.scheduled_end),
            local_date=local_day(event.scheduled_start, tz),
            staff_id=to_uuid(event.staff_id),
            spot_id=to_uuid(event.spot_id),
            service_type_id=to_uuid(event.service_id),
            price_cents=event.price_cents,
            reschedule_count=appointments.c.reschedule_count + 1,
        )

    @handles(Appointment.NotesUpdated)
    def _notes(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, notes=event.notes)

    @handles(Appointment.ReminderSent)
    def _reminder(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, reminder_sent_at=utc(event.at))


class StaffBlocksProjection(Projection):
    """Blocks live on StaffDay aggregates (one per staff member per local date)."""

    name = "staff_blocks"
    tables = [staff_blocks, proj_staff_days]

    @handles(StaffDay.Opened)
    def _opened(self, conn: Connection, event: Any, position: int) -> None:
        replace_row(
            conn,
            proj_staff_days,
            id=event.originator_id,
            staff_id=to_uuid(event.owner_id),
            organization_id=to_uuid(event.organization_id),
            day=date.fromisoformat(str(event.day)),
        )

    # The stored topic of block events is DayCalendar.TimeBlocked for staff and spot days alike:
    # only days recorded from StaffDay.Opened are staff days.
    @handles(DayCalendar.TimeBlocked)
    def _blocked(self, conn: Connection, event: Any, position: int) -> None:
        day = conn.execute(select(proj_staff_days).where(proj_staff_days.c.id == event.originator_id)).mappings().first()
        if day is None:  # a SpotDay
            return
        replace_row(
            conn,
            staff_blocks,
            id=to_uuid(event.block_id),
            organization_id=day["organization_id"],
            staff_id=day["staff_id"],
            day=day["day"],
            start=utc(event.start),
            end=utc(event.end),
            reason=event.reason or "",
            created_at=utc(event.timestamp),
        )

    @handles(DayCalendar.TimeUnblocked)
    def _unblocked(self, conn: Connection, event: Any, position: int) -> None:
        day = conn.execute(select(proj_staff_days.c.staff_id).where(proj_staff_days.c.id == event.originator_id)).first()
        if day is None:  # a SpotDay
            return
        conn.execute(
            delete(staff_blocks).where(staff_blocks.c.id == to_uuid(event.block_id), staff_blocks.c.staff_id == day[0])
        )


PROJECTIONS = [AppointmentsProjection, StaffBlocksProjection]

"""Notable events -> rm_activity: a feed with one Spanish sentence per event.

Kinds: organization_registered, organization_updated, organization_status_changed, service_added,
closure_scheduled, staff_added, staff_deactivated, staff_reactivated, customer_registered,
appointment_booked, appointment_confirmed, appointment_cancelled, appointment_completed,
appointment_no_show, appointment_rescheduled.

Names in the sentences are the ones current when the event happened: the projection keeps its
own lookup (``rm_proj_activity_names``) so a rebuild writes the same sentences.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, update

from aggregates.appointment import Appointment
from aggregates.customer import Customer
from aggregates.event_data import changed_fields
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from projections.base import Projection, handles, jsonable, replace_row, to_uuid, utc
from readmodels.tables import activity, proj_activity_names

WEEKDAYS_ES = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
MONTHS_ES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
BUSINESS_TYPES_ES = {
    "barbershop": "barbería",
    "hair_salon": "estética",
    "nail_salon": "salón de uñas",
    "spa": "spa",
    "beauty_salon": "salón de belleza",
    "other": "otro",
}
STATUSES_ES = {"onboarding": "en alta", "active": "activo", "suspended": "suspendido", "churned": "dado de baja"}
LEVELS_ES = {"owner": "dueño", "admin": "administrador", "staff": "staff", "viewer": "solo lectura"}


def format_when(moment: datetime, tz: str) -> str:
    """``sáb 17 ene 10:00 AM`` in the business's time zone."""
    local = utc(moment).astimezone(ZoneInfo(tz))  # type: ignore[union-attr]
    hour = local.hour % 12 or 12
    return f"{WEEKDAYS_ES[local.weekday()]} {local.day} {MONTHS_ES[local.month - 1]} {hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def format_day(value: date) -> str:
    return f"{value.day} {MONTHS_ES[value.month - 1]} {value.year}"


def format_price(cents: int) -> str:
    return f"${cents // 100:,}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


_ORIGINATOR = object()  # _add's default subject: the event's own aggregate


class ActivityProjection(Projection):
    name = "activity"
    tables = [activity, proj_activity_names]

    # ---- the lookup ------------------------------------------------------------------------------

    def _remember(self, conn: Connection, id: Any, kind: str, organization_id: Any, name: str, **data: Any) -> None:
        replace_row(
            conn, proj_activity_names, id=to_uuid(id), kind=kind, organization_id=to_uuid(organization_id), name=name or "", data=jsonable(data)
        )

    def _rename(self, conn: Connection, id: Any, name: str) -> None:
        conn.execute(update(proj_activity_names).where(proj_activity_names.c.id == to_uuid(id)).values(name=name))

    def _rename_if_named(self, conn: Connection, id: Any, event: Any) -> None:
        changes = changed_fields(event, ("name",))
        if "name" in changes:
            self._rename(conn, id, changes["name"])

    def _lookup(self, conn: Connection, id: Any) -> dict[str, Any]:
        if id is None:
            return {"name": "", "data": {}, "organization_id": None}
        row = conn.execute(select(proj_activity_names).where(proj_activity_names.c.id == to_uuid(id))).mappings().first()
        return dict(row) if row is not None else {"name": "", "data": {}, "organization_id": None}

    def _org(self, conn: Connection, organization_id: Any) -> tuple[str, str]:
        org = self._lookup(conn, organization_id)
        return org["name"] or "(negocio)", (org["data"] or {}).get("timezone") or "America/Mexico_City"

    def _add(
        self, conn: Connection, event: Any, position: int, kind: str, summary: str, *, organization_id: Any, subject_id: Any = _ORIGINATOR
    ) -> None:
        """One feed row; its subject is the event's aggregate unless another id is named."""
        if subject_id is _ORIGINATOR:
            subject_id = event.originator_id
        replace_row(
            conn,
            activity,
            position=position,
            organization_id=to_uuid(organization_id),
            kind=kind,
            summary=summary,
            subject_id=to_uuid(subject_id),
            actor=str(getattr(event, "actor", "") or "")[:200],
            cause=str(getattr(event, "cause", "") or "")[:200],
            occurred_at=utc(event.timestamp),
        )

    # ---- businesses ------------------------------------------------------------------------------

    @handles(Organization.Registered)
    def _org_registered(self, conn: Connection, event: Any, position: int) -> None:
        self._remember(conn, event.originator_id, "organization", event.originator_id, event.name, timezone=event.timezone)
        kind_es = BUSINESS_TYPES_ES.get(event.business_type, event.business_type)
        summary = f"Nuevo negocio registrado: {event.name} ({kind_es}), WhatsApp {event.whatsapp_number}."
        self._add(conn, event, position, "organization_registered", summary, organization_id=event.originator_id)

    @handles(Organization.ProfileUpdated, Organization.Renamed, Organization.BusinessTypeChanged, Organization.TimezoneChanged)
    def _org_updated(self, conn: Connection, event: Any, position: int) -> None:
        old_name, tz = self._org(conn, event.originator_id)
        changes = changed_fields(event, ("name", "business_type", "timezone"))
        name = changes.get("name", old_name)
        self._remember(conn, event.originator_id, "organization", event.originator_id, name, timezone=changes.get("timezone", tz))
        what = ", ".join({"name": "nombre", "business_type": "tipo de negocio", "timezone": "zona horaria"}.get(k, k) for k in changes)
        renamed = f" (antes «{old_name}»)" if "name" in changes else ""
        summary = f"{name}{renamed} actualizó su perfil: {what}."
        self._add(conn, event, position, "organization_updated", summary, organization_id=event.originator_id)

    @handles(Organization.StatusChanged)
    def _org_status(self, conn: Connection, event: Any, position: int) -> None:
        name, _ = self._org(conn, event.originator_id)
        reason = f" Motivo: {event.reason}." if event.reason else ""
        summary = f"{name} ahora está {STATUSES_ES.get(event.status, event.status)}.{reason}"
        self._add(conn, event, position, "organization_status_changed", summary, organization_id=event.originator_id)

    @handles(Organization.ServiceAdded)
    def _service_added(self, conn: Connection, event: Any, position: int) -> None:
        self._remember(conn, event.service_id, "service", event.originator_id, event.name)
        name, _ = self._org(conn, event.originator_id)
        summary = f"{name} agregó el servicio «{event.name}» ({event.duration_minutes} min, {format_price(event.price_cents)})."
        self._add(
            conn, event, position, "service_added", summary, organization_id=event.originator_id, subject_id=event.service_id
        )

    @handles(Organization.ServiceUpdated, Organization.ServiceRenamed)
    def _service_updated(self, conn: Connection, event: Any, position: int) -> None:
        self._rename_if_named(conn, event.service_id, event)

    @handles(Organization.ClosureScheduled)
    def _closure(self, conn: Connection, event: Any, position: int) -> None:
        name, _ = self._org(conn, event.originator_id)
        first, last = event.closure.start_date, event.closure.end_date
        span = f"el {format_day(first)}" if first == last else f"del {format_day(first)} al {format_day(last)}"
        reason = f" ({event.closure.reason})" if event.closure.reason else ""
        summary = f"{name} cerrará {span}{reason}."
        self._add(
            conn, event, position, "closure_scheduled", summary, organization_id=event.originator_id, subject_id=event.closure_id
        )

    # ---- staff -------------------------------------------------------------------------------------

    @handles(StaffMember.Registered)
    def _staff_added(self, conn: Connection, event: Any, position: int) -> None:
        self._remember(conn, event.originator_id, "staff", event.organization_id, event.name)
        org_name, _ = self._org(conn, event.organization_id)
        level = LEVELS_ES.get(event.permission_level, event.permission_level)
        summary = f"{event.name} se unió a {org_name} ({level})."
        self._add(conn, event, position, "staff_added", summary, organization_id=event.organization_id)

    @handles(StaffMember.ProfileUpdated, StaffMember.Renamed)
    def _staff_renamed(self, conn: Connection, event: Any, position: int) -> None:
        self._rename_if_named(conn, event.originator_id, event)

    @handles(StaffMember.Deactivated, StaffMember.Reactivated)
    def _staff_active(self, conn: Connection, event: Any, position: int) -> None:
        person = self._lookup(conn, event.originator_id)
        org_name, _ = self._org(conn, person["organization_id"])
        active = type(event).__name__ == "Reactivated"
        verb = "volvió a estar activo en" if active else "fue dado de baja en"
        summary = f"{person['name'] or '(persona)'} {verb} {org_name}."
        self._add(
            conn, event, position, "staff_reactivated" if active else "staff_deactivated", summary, organization_id=person["organization_id"]
        )

    # ---- customers ---------------------------------------------------------------------------------

    @handles(Customer.Registered)
    def _customer(self, conn: Connection, event: Any, position: int) -> None:
        self._remember(conn, event.originator_id, "customer", event.organization_id, event.name or "", phone=event.phone_number)
        org_name, _ = self._org(conn, event.organization_id)
        who = f"{event.name} ({event.phone_number})" if event.name else event.phone_number
        summary = f"Nuevo cliente en {org_name}: {who}."
        self._add(conn, event, position, "customer_registered", summary, organization_id=event.organization_id)

    @handles(Customer.NameLearned)
    def _customer_named(self, conn: Connection, event: Any, position: int) -> None:
        self._rename(conn, event.originator_id, event.name)

    # ---- appointments ------------------------------------------------------------------------------

    def _describe(self, conn: Connection, appointment_id: Any) -> tuple[Any, str, str, str, str]:
        """(organization_id, business name, tz, "Cliente — Servicio con Staff", start)."""
        appointment = self._lookup(conn, appointment_id)
        data = appointment["data"] or {}
        org_id = appointment["organization_id"]
        wanted = [to_uuid(x) for x in (org_id, data.get("customer_id"), data.get("service_id"), data.get("staff_id")) if x]
        found = {
            row["id"]: dict(row)
            for row in conn.execute(select(proj_activity_names).where(proj_activity_names.c.id.in_(wanted))).mappings()
        }
        empty = {"name": "", "data": {}}
        org = found.get(to_uuid(org_id), empty) if org_id else empty
        org_name, tz = org["name"] or "(negocio)", (org["data"] or {}).get("timezone") or "America/Mexico_City"
        customer = found.get(to_uuid(data.get("customer_id")), empty)
        who = customer["name"] or (customer["data"] or {}).get("phone") or "(cliente)"
        service = found.get(to_uuid(data.get("service_id")), empty)["name"] or "(servicio)"
        staff = found.get(to_uuid(data.get("staff_id")), empty)["name"]
        what = f"{who} — {service}" + (f" con {staff}" if staff else "")
        start = data.get("start")
        when = format_when(datetime.fromisoformat(start), tz) if start else ""
        return org_id, org_name, tz, what, when

    @handles(Appointment.Booked)
    def _booked(self, conn: Connection, event: Any, position: int) -> None:
        self._remember(
            conn,
            event.originator_id,
            "appointment",
            event.organization_id,
            "",
            customer_id=event.customer_id,
            service_id=event.service_id,
            staff_id=event.staff_id,
            start=utc(event.scheduled_start),
        )
        org_id, org_name, _, what, when = self._describe(conn, event.originator_id)
        state = " (pendiente de confirmar)" if event.status == "pending" else ""
        summary = f"Nueva cita en {org_name}: {what}, {when}{state}."
        self._add(conn, event, position, "appointment_booked", summary, organization_id=org_id)

    @handles(Appointment.Rescheduled)
    def _rescheduled(self, conn: Connection, event: Any, position: int) -> None:
        _, _, _, _, before = self._describe(conn, event.originator_id)
        appointment = self._lookup(conn, event.originator_id)
        data = {
            **(appointment["data"] or {}),
            "service_id": str(event.service_id),
            "staff_id": str(event.staff_id),
            "start": utc(event.scheduled_start).isoformat(),  # type: ignore[union-attr]
        }
        conn.execute(update(proj_activity_names).where(proj_activity_names.c.id == event.originator_id).values(data=data))
        org_id, org_name, _, what, when = self._describe(conn, event.originator_id)
        summary = f"Cita reprogramada en {org_name}: {what}, de {before} a {when}."
        self._add(conn, event, position, "appointment_rescheduled", summary, organization_id=org_id)

    def _status(self, conn: Connection, event: Any, position: int, kind: str, label: str, extra: str = "") -> None:
        org_id, org_name, _, what, when = self._describe(conn, event.originator_id)
        self._add(conn, event, position, kind, f"{label} en {org_name}: {what}, {when}.{extra}", organization_id=org_id)

    @handles(Appointment.Confirmed)
    def _confirmed(self, conn: Connection, event: Any, position: int) -> None:
        self._status(conn, event, position, "appointment_confirmed", "Cita confirmada")

    @handles(Appointment.Cancelled)
    def _cancelled(self, conn: Connection, event: Any, position: int) -> None:
        extra = f" Motivo: {event.reason}." if event.reason else ""
        self._status(conn, event, position, "appointment_cancelled", "Cita cancelada", extra)

    @handles(Appointment.Completed)
    def _completed(self, conn: Connection, event: Any, position: int) -> None:
        self._status(conn, event, position, "appointment_completed", "Cita completada")

    @handles(Appointment.MarkedNoShow)
    def _no_show(self, conn: Connection, event: Any, position: int) -> None:
        self._status(conn, event, position, "appointment_no_show", "El cliente no asistió")


PROJECTIONS = [ActivityProjection]

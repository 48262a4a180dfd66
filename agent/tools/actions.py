"""What the customer tools do: availability, booking, naming, cancelling, moving, handing off, and the
checks behind proposals. Every command is issued as the customer writing (``CustomerProfile``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from agent.spanish.format import format_date, format_day_phrase, format_price, format_time
from agent.tools.helpers import (
    AGENT_NAMESPACE,
    PART_HOURS,
    ActionRecord,
    ToolError,
    _uuid,
    as_utc,
    clean_name,
    confirmation_text,
    spread,
)
from agent.tools.profile import CustomerProfile
from aggregates.errors import DomainError
from commands.definitions import AddCustomer, BookAppointment, CancelAppointment, RescheduleAppointment


class CustomerTools(CustomerProfile):
    """The customer tools for one inbound message. Build a new one per turn."""

    # ---- tools -----------------------------------------------------------------------------

    def list_services(self) -> list[dict]:
        return [self.service_info(row) for row in self.services()]

    def find_slots(self, service_id: Any, date_from: date, date_to: date, staff_id: Any = None) -> list[Any]:
        """Raw availability (Slot objects, sorted) for this business only; never invented."""
        service = self.service(service_id)
        staff_uuid = _uuid(staff_id, "a esa persona") if staff_id else None
        if staff_uuid is not None:
            self.staff_member(staff_uuid)
        if date_to < date_from:
            date_from, date_to = date_to, date_from
        horizon = int((self.organization.get("settings") or {}).get("max_horizon_days", 30) or 30)
        last = self.today + timedelta(days=horizon)
        date_from = max(date_from, self.today)
        date_to = min(date_to, last)
        if date_to < date_from:
            return []
        try:
            return list(
                self._availability.find_slots(
                    self.organization_id, service["id"], date_from, date_to, staff_id=staff_uuid, now=self.now
                )
            )
        except ValueError as error:  # AvailabilityError: a Spanish message fit for the customer
            raise ToolError(getattr(error, "message", None) or "No pude revisar la agenda para esas fechas.") from None

    def slot_info(self, slot: Any) -> dict:
        local = self.local(slot.start)
        names = []
        for sid in slot.staff_ids:
            try:
                names.append(self.staff_member(sid)["name"])
            except ToolError:
                continue
        return {
            "start": local.isoformat(),
            "day": format_date(local.date()),
            "time": format_time(local),
            "staff": names,
        }

    def check_availability(
        self,
        service_id: Any,
        date_from: date,
        date_to: date | None = None,
        staff_id: Any = None,
        limit: int = 16,
        part_of_day: str | None = None,
    ) -> dict:
        date_to = date_to or date_from
        if (date_to - date_from).days > 14:
            date_to = date_from + timedelta(days=14)
        service = self.service(service_id)
        slots = self.find_slots(service_id, date_from, date_to, staff_id)
        if part_of_day in PART_HOURS:
            lo, hi = PART_HOURS[part_of_day]
            slots = [s for s in slots if lo <= self.local(s.start).hour < hi]
        picked = spread(slots, limit)
        return {
            "service": self.service_info(service),
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "total_free_slots": len(slots),
            "slots": [self.slot_info(s) for s in picked],
        }

    def _deterministic_id(self, *parts: str) -> uuid.UUID:
        return uuid.uuid5(AGENT_NAMESPACE, ":".join([str(self.organization_id), self._phone, self._cause, *parts]))

    def _after(self, result: Any) -> None:
        position = getattr(result, "position", None)
        if position is not None and self._wait_for is not None:
            self._wait_for(position)
        self._invalidate()

    def book(self, service_id: Any, start: datetime, staff_id: Any = None, customer_name: str | None = None) -> dict:
        service = self.service(service_id)
        start = self.aware(start)
        staff_uuid = _uuid(staff_id, "a esa persona") if staff_id else None
        if staff_uuid is not None:
            self.staff_member(staff_uuid)
        name = clean_name(customer_name) if customer_name else None
        appointment_id = self._deterministic_id("book", str(service["id"]), as_utc(start).isoformat())
        existing = self._reads.get_appointment(self.organization_id, appointment_id)
        me = self.customer()
        if existing is not None and me is not None and str(existing["customer_id"]) == str(me["id"]):
            # The same message processed again (a webhook retry): report what was booked.
            info = self.describe_appointment(existing)
            self.actions.append(ActionRecord("booked", confirmation_text(info, name or self.known_name()[0]), info))
            return info
        self._require_free(service, start, staff_uuid)
        try:
            result = self._app.execute(
                BookAppointment(
                    actor=self._actor,
                    cause=self._cause,
                    organization_id=self.organization_id,
                    service_id=service["id"],
                    start=start,
                    staff_id=staff_uuid,
                    customer_name=name,
                    source="whatsapp",
                    appointment_id=appointment_id,
                )
            )
        except DomainError as error:
            raise ToolError(error.message) from None
        self._after(result)
        info = self._appointment_info(appointment_id, service, start)
        self.actions.append(ActionRecord("booked", confirmation_text(info, name or self.known_name()[0]), info))
        return info

    def _require_free(self, service: dict, start: datetime, staff_id: uuid.UUID | None, own: dict | None = None) -> None:
        """Only real slots are booked: the start must be one the AvailabilityService offers."""
        day = self.local(start).date()
        slots = self.find_slots(service["id"], day, day, staff_id)
        wanted = as_utc(start)
        if any(as_utc(slot.start) == wanted for slot in slots):
            return
        if own is not None:
            # Moving an appointment within its own time: its current interval shows as busy.
            own_start, own_end = as_utc(own["scheduled_start"]), as_utc(own["scheduled_end"])
            length = timedelta(minutes=int(service["duration_minutes"]))
            if own_start - length < wanted < own_end and wanted.minute % 5 == 0:
                return
        local = self.local(start)
        raise ToolError(
            f"El {format_date(local.date())} a las {format_time(local)} no está disponible para "
            f"{service['name'].lower()}. Revisa los horarios libres antes de agendar."
        )

    def _appointment_info(self, appointment_id: uuid.UUID, service: dict, start: datetime) -> dict:
        row = None
        try:
            row = self._reads.get_appointment(self.organization_id, appointment_id)
        except Exception:  # noqa: BLE001 - fall back to what we asked for
            row = None
        if row is not None:
            return self.describe_appointment(row)
        local = self.local(start)
        return {
            "appointment_id": str(appointment_id),
            "service": service["name"],
            "service_id": str(service["id"]),
            "date": local.date().isoformat(),
            "start": local.isoformat(),
            "day": format_day_phrase(local.date(), self.today),
            "date_text": format_date(local.date()),
            "time": format_time(local),
            "price": format_price(int(service["price_cents"])),
            "staff": "",
            "status": "confirmed",
        }

    def save_name(self, name: str) -> str:
        clean = clean_name(name)
        try:
            result = self._app.execute(
                AddCustomer(
                    actor=self._actor,
                    cause=self._cause,
                    organization_id=self.organization_id,
                    phone_number=self._phone,
                    name=clean,
                    name_verified=True,
                )
            )
        except DomainError as error:
            raise ToolError(error.message) from None
        self._after(result)
        self.actions.append(ActionRecord("named", f"Guardé tu nombre: {clean}.", {"name": clean}))
        return clean

    def list_my_appointments(self) -> list[dict]:
        return [self.describe_appointment(r) for r in self._my_upcoming()]

    def _own(self, appointment_id: Any) -> dict:
        try:
            aid = _uuid(appointment_id, "esa cita")
        except ToolError:
            raise ToolError("No encontré esa cita entre tus citas próximas.") from None
        for row in self._my_upcoming():
            if str(row["id"]) == str(aid):
                return row
        raise ToolError("No encontré esa cita entre tus citas próximas.")

    def cancel(self, appointment_id: Any, reason: str = "") -> dict:
        row = self._own(appointment_id)
        info = self.describe_appointment(row)
        try:
            result = self._app.execute(
                CancelAppointment(
                    actor=self._actor,
                    cause=self._cause,
                    organization_id=self.organization_id,
                    appointment_id=row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"])),
                    reason=(reason or "Cancelada por el cliente por WhatsApp")[:300],
                )
            )
        except DomainError as error:
            raise ToolError(error.message) from None
        self._after(result)
        info["status"] = "cancelled"
        self.actions.append(
            ActionRecord("cancelled", f"Listo, cancelé tu cita de {info['service'].lower()} del {info['date_text']} a las {info['time']}.", info)
        )
        return info

    def reschedule(self, appointment_id: Any, new_start: datetime, staff_id: Any = None) -> dict:
        """Move one of the customer's appointments; ``staff_id`` (optional) also changes who
        attends it. Without it the appointment keeps its staff member, so the new time must be
        free for that person."""
        row = self._own(appointment_id)
        before = self.describe_appointment(row)
        if new_start.tzinfo is None:
            new_start = new_start.replace(tzinfo=self.tz)
        staff_uuid = _uuid(staff_id, "a esa persona") if staff_id else None
        if staff_uuid is not None:
            self.staff_member(staff_uuid)
        keeps = staff_uuid or (_uuid(row["staff_id"], "a esa persona") if row.get("staff_id") else None)
        self._require_free(self.service(before["service_id"]), new_start, keeps, own=row)
        try:
            result = self._app.execute(
                RescheduleAppointment(
                    actor=self._actor,
                    cause=self._cause,
                    organization_id=self.organization_id,
                    appointment_id=row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"])),
                    start=new_start,
                    staff_id=staff_uuid,
                )
            )
        except DomainError as error:
            raise ToolError(error.message) from None
        self._after(result)
        service = self.service(before["service_id"])
        after = self._appointment_info(uuid.UUID(before["appointment_id"]), service, new_start)
        after["previous"] = {"day": before["day"], "time": before["time"]}
        self.actions.append(
            ActionRecord("rescheduled", f"Listo, cambié tu cita para {after['day']} a las {after['time']}.", after)
        )
        return after

    def handoff(self, reason: str) -> dict:
        reason = " ".join(str(reason or "").split())[:300] or "El cliente pidió hablar con una persona."
        self.handoff_reason = reason
        owner = self.owner_name()
        self.actions.append(ActionRecord("handoff", f"Ya le avisé a {owner}; te escribirá pronto por aquí.", {"owner": owner}))
        return {"ok": True, "owner": owner}

    # ---- checks for proposals (agent.toolbox): nothing is written ------------------------------

    def own_appointment(self, appointment_id: Any) -> dict:
        """One of this customer's upcoming appointments, or a ToolError (never another customer's)."""
        return self._own(appointment_id)

    def check_slot(self, service_id: Any, start: datetime, staff_id: Any = None, own_appointment_id: Any = None) -> None:
        """Raise a ToolError unless ``start`` is a real free slot (a moved appointment may overlap itself)."""
        start = self.aware(start)
        staff_uuid = _uuid(staff_id, "a esa persona") if staff_id else None
        if staff_uuid is not None:
            self.staff_member(staff_uuid)
        own = self._own(own_appointment_id) if own_appointment_id is not None else None
        self._require_free(self.service(service_id), start, staff_uuid, own=own)

"""The customer's tools: everything the agent (offline engine or LLM) may read or do.

Scoped BY CONSTRUCTION: a ``CustomerTools`` is built for one (organization, customer phone,
inbound message). No method takes a customer id or a phone: the customer is always the one
writing, every command is issued as ``Actor.customer(phone)`` with ``cause=message_id``, and an
appointment id coming from outside (an LLM tool call) is only acted on when it is one of this
customer's own upcoming appointments (the command handler checks it again).

Reads go through the ReadStore and the AvailabilityService; after a successful command the tools
wait for the projections to reach the command's position before reading again.

The model-facing side (argument models, generated schemas, the one dispatcher, and the
propose-then-confirm rule for booking, moving and cancelling) is ``agent.toolbox``; it acts only
through this class.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agent.spanish.format import (
    format_date,
    format_day_phrase,
    format_duration,
    format_price,
    format_time,
)
from agent.spanish.text import normalize
from aggregates.errors import DomainError
from commands.context import Actor
from commands.definitions import AddCustomer, BookAppointment, CancelAppointment, RescheduleAppointment
from commands.phones import normalize_phone
from vocabulary.hours import PART_OF_DAY_HOURS, as_utc, spread, wall_time
from vocabulary.statuses import LIVE_APPOINTMENT_STATUSES, LIVE_ORGANIZATION_STATUSES
from vocabulary.weekdays import WEEKDAYS

# as_utc, spread and LIVE_ORGANIZATION_STATUSES are the vocabulary's; the engines import them from here too.

WEEKDAY_KEYS = WEEKDAYS
PART_HOURS = PART_OF_DAY_HOURS
AGENT_NAMESPACE = uuid.UUID("0f5d2a8e-53c4-4c55-9d0e-6d3f1f7a9b21")


class ToolError(Exception):
    """A refusal or failure the customer (or the model) can read as-is, in Spanish."""


def _uuid(value: Any, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError):
        raise ToolError(f"No reconozco {what}.") from None


@dataclass
class ActionRecord:
    kind: str  # booked | named | cancelled | rescheduled | handoff
    summary: str
    data: dict = field(default_factory=dict)


class CustomerTools:
    """The customer tools for one inbound message. Build a new one per turn."""

    def __init__(
        self,
        *,
        app: Any,
        reads: Any,
        availability: Any,
        wait_for: Any,
        organization_id: uuid.UUID,
        customer_phone: str,
        message_id: str,
        now: datetime,
    ) -> None:
        self._app = app
        self._reads = reads
        self._availability = availability
        self._wait_for = wait_for
        self.organization_id = organization_id
        self._phone = normalize_phone(customer_phone)
        self._actor = Actor.customer(self._phone)
        self._cause = message_id
        self.now = as_utc(now)
        self.actions: list[ActionRecord] = []
        self.handoff_reason: str | None = None
        self._cache: dict[str, Any] = {}

    # ---- business profile ------------------------------------------------------------------

    @property
    def organization(self) -> dict:
        if "org" not in self._cache:
            org = self._reads.get_organization(self.organization_id)
            if org is None:
                raise ToolError("No encontré este negocio.")
            self._cache["org"] = org
        return self._cache["org"]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.organization.get("timezone") or "America/Mexico_City")

    @property
    def business_name(self) -> str:
        return self.organization.get("name") or "el negocio"

    def local(self, moment: datetime) -> datetime:
        """A stored instant in the business's zone (naive = UTC, as read models store it)."""
        return as_utc(moment).astimezone(self.tz)

    def aware(self, moment: datetime) -> datetime:
        """A time someone typed, in the business's zone (naive = business-local wall time)."""
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment.astimezone(self.tz)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def services(self) -> list[dict]:
        if "services" not in self._cache:
            rows = self._reads.list_services(self.organization_id, active_only=True)
            self._cache["services"] = [r for r in rows if r.get("is_active", True)]
        return self._cache["services"]

    def service(self, service_id: Any) -> dict:
        sid = _uuid(service_id, "ese servicio")
        for row in self.services():
            if row["id"] == sid or str(row["id"]) == str(sid):
                return row
        raise ToolError("Ese servicio no está en nuestra lista. Pregunta por los servicios disponibles.")

    def staff(self) -> list[dict]:
        if "staff" not in self._cache:
            self._cache["staff"] = [s for s in self._reads.list_staff(self.organization_id, active_only=True) if s.get("is_active", True)]
        return self._cache["staff"]

    def staff_member(self, staff_id: Any) -> dict:
        sid = _uuid(staff_id, "a esa persona")
        for row in self.staff():
            if str(row["id"]) == str(sid):
                return row
        raise ToolError("No encontré a esa persona en el equipo.")

    def owner_name(self) -> str:
        owners = []
        try:
            owners = list(self._reads.list_owners(self.organization_id) or [])
        except Exception:  # noqa: BLE001 - a missing owner list only changes wording
            owners = []
        if not owners:
            owners = [s for s in self.staff() if s.get("permission_level") == "owner" or s.get("role") == "owner"]
        if owners:
            return str(owners[0].get("name") or "el dueño").split()[0]
        return "el dueño"

    # ---- booking rules ------------------------------------------------------------------

    @property
    def bookings_open(self) -> bool:
        """False while the business is suspended or churned: availability has no slots then."""
        return (self.organization.get("status") or "active") in LIVE_ORGANIZATION_STATUSES

    @property
    def last_bookable_day(self) -> date:
        """The last business-local day the availability offers (today + ``max_horizon_days``)."""
        settings = self.organization.get("settings") or {}
        try:
            horizon = int(settings.get("max_horizon_days", 30) or 30)
        except (TypeError, ValueError):
            horizon = 30
        return self.today + timedelta(days=horizon)

    @property
    def reminder_hours_before(self) -> float:
        """When the reminder job sends the WhatsApp reminder (setting, default 24 h, 1..72)."""
        settings = self.organization.get("settings") or {}
        try:
            hours = float(settings.get("reminder_hours_before", 24) or 24)
        except (TypeError, ValueError):
            hours = 24.0
        return min(max(hours, 1.0), 72.0)

    def part_of_day_minutes(self, part: str) -> tuple[int, int]:
        """What this business calls mañana / tarde / noche, as minutes from midnight (end
        exclusive): the ``day_parts`` setting when present (``{"afternoon": ["12:00", "19:00"]}``),
        else the defaults (noon and 7 PM)."""
        lo, hi = PART_HOURS.get(part, (0, 24))
        window = ((self.organization.get("settings") or {}).get("day_parts") or {}).get(part)
        try:
            start, end = (time.fromisoformat(str(v)) for v in window)
            return start.hour * 60 + start.minute, (end.hour * 60 + end.minute) or 24 * 60
        except (TypeError, ValueError):
            return lo * 60, hi * 60

    def service_offered_by_anyone(self, service_id: Any) -> bool:
        """Some active staff member performs this service (else availability never has slots)."""
        sid = str(service_id)
        return any(
            sid in {str(x) for x in (row.get("service_ids") or [])}
            for row in self.staff()
            if row.get("permission_level") != "viewer"  # viewers never take appointments
        )

    def locations(self) -> list[dict]:
        """The business's locations, primary first."""
        if "locations" not in self._cache:
            try:
                rows = list(self._reads.list_locations(self.organization_id) or [])
            except Exception:  # noqa: BLE001 - no locations only changes wording
                rows = []
            rows.sort(key=lambda r: not r.get("is_primary"))
            self._cache["locations"] = rows
        return self._cache["locations"]

    def business_hours(self) -> dict:
        if "hours" not in self._cache:
            hours: dict = {}
            try:
                locations = self._reads.list_locations(self.organization_id) or []
            except Exception:  # noqa: BLE001
                locations = []
            primary = next((loc for loc in locations if loc.get("is_primary")), locations[0] if locations else None)
            if primary:
                hours = primary.get("business_hours") or {}
            self._cache["hours"] = hours
        return self._cache["hours"]

    def hours_for(self, day: date) -> list[tuple[time, time]]:
        ranges = self.business_hours().get(WEEKDAY_KEYS[day.weekday()]) or []
        return [(wall_time(start), wall_time(end)) for start, end in ranges]

    def closed_on(self, day: date) -> bool:
        try:
            closures = self._reads.list_closures(self.organization_id) or []
        except Exception:  # noqa: BLE001
            closures = []
        for closure in closures:
            start, end = closure.get("start_date"), closure.get("end_date")
            if start and end and start <= day <= end:
                return True
        return not self.hours_for(day)

    # ---- the customer ----------------------------------------------------------------------

    def customer(self) -> dict | None:
        if "customer" not in self._cache:
            self._cache["customer"] = self._reads.get_customer_by_phone(self.organization_id, self._phone)
        return self._cache["customer"]

    def known_name(self) -> tuple[str | None, bool]:
        """(name, verified) of the customer writing."""
        row = self.customer()
        if not row or not row.get("name"):
            return None, False
        return row["name"], row.get("name_verified_at") is not None

    def _my_upcoming(self) -> list[dict]:
        row = self.customer()
        if row is None:
            return []
        rows = self._reads.list_upcoming_for_customer(self.organization_id, row["id"], self.now) or []
        return [
            r for r in rows
            if str(r.get("customer_id", row["id"])) == str(row["id"]) and r.get("status", "confirmed") in LIVE_APPOINTMENT_STATUSES
        ]

    def _invalidate(self) -> None:
        for key in ("customer",):
            self._cache.pop(key, None)

    # ---- presenting ------------------------------------------------------------------------

    def describe_appointment(self, row: dict) -> dict:
        start = self.local(row["scheduled_start"])
        service_id = row.get("service_type_id") or row.get("service_id")
        try:
            service = self.service(service_id)
            service_name = service["name"]
        except ToolError:
            service_name = "Servicio"
        staff_name = ""
        try:
            staff_name = self.staff_member(row["staff_id"])["name"]
        except (ToolError, KeyError):
            pass
        return {
            "appointment_id": str(row["id"]),
            "service": service_name,
            "service_id": str(service_id),
            "date": start.date().isoformat(),
            "start": start.isoformat(),
            "day": format_day_phrase(start.date(), self.today),
            "date_text": format_date(start.date()),
            "time": format_time(start),
            "price": format_price(int(row.get("price_cents") or 0)),
            "staff": staff_name,
            "staff_id": str(row["staff_id"]) if row.get("staff_id") else "",
            "status": row.get("status", "confirmed"),
        }

    def service_info(self, row: dict) -> dict:
        return {
            "service_id": str(row["id"]),
            "name": row["name"],
            "price": format_price(int(row["price_cents"])),
            "duration": format_duration(int(row["duration_minutes"])),
            "duration_minutes": int(row["duration_minutes"]),
            "description": row.get("description") or "",
        }

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


# ---- helpers shared by the engines -----------------------------------------------------------


def clean_name(name: str) -> str:
    text = " ".join(str(name or "").replace("\n", " ").split()).strip(" .,!¡¿?")
    if not text:
        raise ToolError("El nombre no puede quedar vacío.")
    if len(text) > 80:
        raise ToolError("Ese nombre es demasiado largo.")
    words = [w if any(c.isupper() for c in w) else w.capitalize() for w in text.split()]
    return " ".join(words)


def first_name(name: str | None) -> str:
    return (name or "").split()[0] if name else ""


def confirmation_text(info: dict, name: str | None) -> str:
    """The booking confirmation (spec example 1 format)."""
    day = info["date_text"][0].upper() + info["date_text"][1:]
    head = f"¡Perfecto, {first_name(name)}! Tu cita está confirmada:" if name else "¡Perfecto! Tu cita está confirmada:"
    lines = [head, f"📅 {day}", f"⏰ {info['time']}", f"💇 {info['service']} - {info['price']}"]
    if info.get("staff"):
        lines.append(f"👤 Con {info['staff']}")
    return "\n".join(lines)


def staff_mentioned(text: str, staff: list[dict]) -> dict | None:
    """The staff member a customer names ("con Miguel"), when exactly one matches."""
    words = set(normalize(text).split())
    found = []
    for row in staff:
        parts = [p for p in normalize(row.get("name") or "").split() if len(p) >= 3]
        if parts and parts[0] in words:
            found.append(row)
    return found[0] if len(found) == 1 else None

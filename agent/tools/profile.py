"""What the customer tools read: the business profile, its booking rules, the customer writing, and
how appointments and services are presented. ``agent.tools.actions.CustomerTools`` builds on it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agent.spanish.format import format_date, format_day_phrase, format_duration, format_price, format_time
from agent.tools.helpers import LIVE_APPOINTMENT_STATUSES, LIVE_ORGANIZATION_STATUSES, PART_HOURS, WEEKDAY_KEYS, ActionRecord, ToolError, _uuid, as_utc
from commands.context import Actor
from commands.phones import normalize_phone
from vocabulary.hours import wall_time


class CustomerProfile:
    """The reads of the customer tools for one inbound message (scoped to one business and phone)."""

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

"""Helpers for the availability tests: read-model rows written straight into a SQLite file.

``world`` is a small builder: ``world.org(...)`` writes an organization with its primary location,
then ``service``, ``staff``, ``appointment``, ``block``, ``closure`` and ``spot`` add rows, and
``world.find(...)`` runs ``AvailabilityService.find_slots`` on them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from readmodels import tables as t
from readmodels.availability import AvailabilityService, Slot

MX = ZoneInfo("America/Mexico_City")
TIJUANA = ZoneInfo("America/Tijuana")
UTC = timezone.utc
DEMO_HOURS = {
    "mon": [["10:00", "20:00"]],
    "tue": [["10:00", "20:00"]],
    "wed": [["10:00", "20:00"]],
    "thu": [["10:00", "20:00"]],
    "fri": [["10:00", "20:00"]],
    "sat": [["10:00", "18:00"]],
    "sun": [],
}
# Wednesday 14 January 2026, noon in Mexico City; 15 Jan 2026 is a Thursday.
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=MX)
THU = date(2026, 1, 15)
FRI = date(2026, 1, 16)
SAT = date(2026, 1, 17)
SUN = date(2026, 1, 18)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def times(slots: list[Slot]) -> list[str]:
    """Local start times as HH:MM."""
    return [slot.local_start.strftime("%H:%M") for slot in slots]


def on(slots: list[Slot], day: date) -> list[Slot]:
    return [slot for slot in slots if slot.local_start.date() == day]


class World:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.availability = AvailabilityService(engine)
        self.org_id: uuid.UUID | None = None
        self.location_id: uuid.UUID | None = None
        self.zone = MX
        self._order = 0

    def _insert(self, table, **values) -> None:
        with self.engine.begin() as conn:
            conn.execute(table.insert().values(**values))

    def _next_created(self) -> datetime:
        self._order += 1
        return CREATED + timedelta(minutes=self._order)

    def org(self, *, tz: str = "America/Mexico_City", hours: dict | None = None, status: str = "active", **settings) -> uuid.UUID:
        self.org_id, self.location_id, self.zone = uuid.uuid4(), uuid.uuid4(), ZoneInfo(tz)
        merged = {"min_notice_minutes": 60, "max_horizon_days": 30, "buffer_minutes": 0, "slot_interval_minutes": 30, "reminder_hours_before": 24}
        merged.update(settings)
        self._insert(
            t.organizations, id=self.org_id, name="Barbería", business_type="barbershop", timezone=tz, status=status,
            phone_number=f"+52{uuid.uuid4().int % 10**10:010d}", settings=merged, created_at=CREATED, updated_at=CREATED,
        )
        self._insert(
            t.locations, id=self.location_id, organization_id=self.org_id, name="Centro", address="", is_primary=True,
            business_hours=hours if hours is not None else DEMO_HOURS, created_at=CREATED, updated_at=CREATED,
        )
        return self.org_id

    def location(self, hours: dict) -> uuid.UUID:
        location_id = uuid.uuid4()
        self._insert(
            t.locations, id=location_id, organization_id=self.org_id, name=f"Sucursal {location_id.hex[:4]}", address="",
            is_primary=False, business_hours=hours, created_at=CREATED, updated_at=CREATED,
        )
        return location_id

    def service(self, minutes: int = 30, *, active: bool = True) -> uuid.UUID:
        service_id = uuid.uuid4()
        self._insert(
            t.services, id=service_id, organization_id=self.org_id, name=f"Servicio {service_id.hex[:6]}", description="",
            duration_minutes=minutes, price_cents=15000, currency="MXN", is_active=active, has_appointments=False,
            created_at=CREATED, updated_at=CREATED,
        )
        return service_id

    def staff(self, *services: uuid.UUID, working_hours: dict | None = None, location_id: uuid.UUID | None = None, active: bool = True) -> uuid.UUID:
        staff_id = uuid.uuid4()
        created = self._next_created()
        self._insert(
            t.staff, id=staff_id, organization_id=self.org_id, name=f"Persona {staff_id.hex[:4]}",
            phone_number=f"+52{staff_id.int % 10**10:010d}", role="employee", permission_level="staff",
            service_ids=[str(s) for s in services], working_hours=working_hours, location_id=location_id,
            default_spot_id=None, is_active=active, first_message_at=None, created_at=created, updated_at=created,
        )
        return staff_id

    def at(self, day: date, hhmm: str) -> datetime:
        hours, minutes = map(int, hhmm.split(":"))
        return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=self.zone)

    def appointment(self, staff_id: uuid.UUID, day: date, hhmm: str, minutes: int = 30, *, status: str = "confirmed",
                    spot_id: uuid.UUID | None = None, service_id: uuid.UUID | None = None) -> uuid.UUID:
        appointment_id = uuid.uuid4()
        start = self.at(day, hhmm).astimezone(UTC)
        self._insert(
            t.appointments, id=appointment_id, organization_id=self.org_id, location_id=self.location_id,
            customer_id=uuid.uuid4(), staff_id=staff_id, service_type_id=service_id or uuid.uuid4(), spot_id=spot_id,
            scheduled_start=start, scheduled_end=start + timedelta(minutes=minutes), local_date=day, status=status,
            source="whatsapp", notes="", cancellation_reason=None, price_cents=15000, reminder_sent_at=None,
            reschedule_count=0, created_at=CREATED, updated_at=CREATED,
        )
        return appointment_id

    def block(self, staff_id: uuid.UUID, day: date, start: str, end: str) -> uuid.UUID:
        block_id = uuid.uuid4()
        self._insert(
            t.staff_blocks, id=block_id, organization_id=self.org_id, staff_id=staff_id, day=day,
            start=self.at(day, start).astimezone(UTC), end=self.at(day, end).astimezone(UTC), reason="comida", created_at=CREATED,
        )
        return block_id

    def closure(self, first: date, last: date) -> uuid.UUID:
        closure_id = uuid.uuid4()
        self._insert(t.closures, id=closure_id, organization_id=self.org_id, start_date=first, end_date=last, reason="Vacaciones")
        return closure_id

    def spot(self, *services: uuid.UUID, active: bool = True, location_id: uuid.UUID | None = None, order: int = 0) -> uuid.UUID:
        spot_id = uuid.uuid4()
        self._insert(
            t.spots, id=spot_id, organization_id=self.org_id, location_id=location_id or self.location_id,
            name=f"Silla {spot_id.hex[:4]}", display_order=order, is_active=active, service_ids=[str(s) for s in services],
            created_at=CREATED, updated_at=CREATED,
        )
        return spot_id

    def find(self, service_id: uuid.UUID, date_from: date, date_to: date | None = None, *, now: datetime = NOW, **kwargs) -> list[Slot]:
        return self.availability.find_slots(self.org_id, service_id, date_from, date_to or date_from, now=now, **kwargs)

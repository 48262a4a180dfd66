"""Builders for the Organization aggregate tests (test_organization*.py)."""

from __future__ import annotations

import uuid

from aggregates.organization import Organization
from infra.seed import DEMO_HOURS
from unit_support import MX, local, acting_as

WHO = "admin:test"
WHY = "test"
LOCATION = uuid.UUID("00000000-0000-0000-0000-00000000aaaa")


acting = acting_as(WHO, WHY)


def register(**overrides) -> Organization:
    fields = dict(
        name="Barbería Don Carlos",
        business_type="barbershop",
        timezone="America/Mexico_City",
        whatsapp_number="+525512345678",
        location_id=LOCATION,
        location_name="Centro",
        location_address="Av. Juárez 1",
        business_hours=DEMO_HOURS,
    )
    fields.update(overrides)
    return Organization.register(**fields)


def with_service(org: Organization, name: str = "Corte de cabello", minutes: int = 30, cents: int = 15000) -> uuid.UUID:
    service_id = uuid.uuid4()
    org.add_service(service_id, name=name, description="", duration_minutes=minutes, price_cents=cents)
    return service_id


def event_names(org: Organization) -> list[str]:
    return [type(e).__name__ for e in org.collect_events()]

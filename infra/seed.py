"""The demo business every test, demo and issue uses: Barbería Don Carlos. Idempotent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from aggregates.errors import AlreadyExists, DuplicatePhone
from commands import Actor, ParloApplication
from commands.definitions import AddService, AddStaff, ChangeOrganizationStatus, RegisterOrganization

DEMO_WHATSAPP = "+525512345678"
DEMO_HOURS = {
    "mon": [["10:00", "20:00"]],
    "tue": [["10:00", "20:00"]],
    "wed": [["10:00", "20:00"]],
    "thu": [["10:00", "20:00"]],
    "fri": [["10:00", "20:00"]],
    "sat": [["10:00", "18:00"]],
    "sun": [],
}
DEMO_SERVICES = (
    ("Corte de cabello", "Corte clásico o moderno con máquina y tijera.", 30, 15000),
    ("Arreglo de barba", "Perfilado y arreglo de barba con toalla caliente.", 20, 10000),
    ("Corte y barba", "Corte de cabello más arreglo de barba.", 45, 22000),
)
DEMO_PEOPLE = (("Carlos Mendoza", "+525511111111", "owner"), ("Miguel Sánchez", "+525522222222", "staff"))


@dataclass(frozen=True)
class DemoBusiness:
    organization_id: uuid.UUID
    service_ids: dict[str, uuid.UUID]
    staff_ids: dict[str, uuid.UUID]
    whatsapp_number: str = DEMO_WHATSAPP


def seed_demo(app: ParloApplication, whatsapp_number: str = DEMO_WHATSAPP, name: str = "Barbería Don Carlos") -> DemoBusiness:
    actor, cause = Actor.system("seed-demo"), "seed-demo"
    try:
        org_id = app.execute(
            RegisterOrganization(
                actor=actor,
                cause=cause,
                name=name,
                whatsapp_number=whatsapp_number,
                business_type="barbershop",
                timezone="America/Mexico_City",
                location_name="Centro",
                business_hours=DEMO_HOURS,
            )
        ).id
    except AlreadyExists as exists:
        org_id = uuid.UUID(str(exists.details["organization_id"]))

    # Ids derived from the organization keep a second run from adding anything.
    service_ids = {}
    org = app._organization(org_id)
    for service_name, description, minutes, cents in DEMO_SERVICES:
        service_id = uuid.uuid5(org_id, f"service:{service_name}")
        service_ids[service_name] = service_id
        if str(service_id) not in org.services:
            app.execute(
                AddService(
                    actor=actor,
                    cause=cause,
                    organization_id=org_id,
                    service_id=service_id,
                    name=service_name,
                    description=description,
                    duration_minutes=minutes,
                    price_cents=cents,
                )
            )
    staff_ids = {}
    for person, phone, level in DEMO_PEOPLE:
        try:
            staff_ids[person] = app.execute(
                AddStaff(
                    actor=actor,
                    cause=cause,
                    organization_id=org_id,
                    name=person,
                    phone_number=phone,
                    permission_level=level,
                    service_ids=list(service_ids.values()),
                )
            ).id
        except DuplicatePhone as duplicate:
            staff_ids[person] = uuid.UUID(str(duplicate.details["staff_id"]))
    app.execute(
        ChangeOrganizationStatus(actor=actor, cause=cause, organization_id=org_id, status="active")
    )
    return DemoBusiness(org_id, service_ids, staff_ids, whatsapp_number)

"""Response models: what each route returns, as OpenAPI shows it in ``/docs``.

The routes build their JSON with ``gateway.api.shapes`` (ids as strings, times ISO 8601 with the
business's offset); these models describe it. They allow extra keys, so a new read-model column
reaches clients without a release, and routes use ``response_model_exclude_unset`` so nothing is
added that the shape did not send. Times and ids stay strings (re-parsing would turn ``+00:00``
into ``Z``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"}, description="ISO 8601 con el desfase del negocio")]
LocalDate = Annotated[str, Field(json_schema_extra={"format": "date"})]
Hours = dict[str, Any]


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class Location(Out):
    id: Id
    organization_id: Id
    name: str
    address: str | None = None
    is_primary: bool = False
    business_hours: Hours | None = Field(None, description="{\"mon\": [[\"10:00\", \"20:00\"]], ..., \"sun\": []}")
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class Organization(Out):
    id: Id
    name: str
    business_type: str | None = None
    timezone: str = Field(description="Zona horaria IANA, p. ej. America/Mexico_City")
    status: str = Field(description="onboarding | active | suspended | churned")
    phone_number: str = Field(description="WhatsApp principal del negocio (E.164)")
    whatsapp_numbers: list[str] = []
    phone_country_code: str | None = None
    settings: dict[str, Any] = {}
    locations: list[Location] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class Service(Out):
    id: Id
    organization_id: Id
    name: str
    description: str | None = None
    duration_minutes: int
    price_cents: int = Field(description="Precio en centavos ($150 = 15000)")
    currency: str = "MXN"
    is_active: bool = True
    has_appointments: bool | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class StaffMember(Out):
    id: Id
    organization_id: Id
    name: str
    phone_number: str
    role: str | None = None
    permission_level: str = Field(description="owner | admin | staff | viewer")
    working_hours: Hours | None = None
    location_id: Id | None = None
    default_spot_id: Id | None = None
    is_active: bool = True
    first_message_at: Timestamp | None = None
    service_type_ids: list[Id] = []
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class Appointment(Out):
    id: Id
    organization_id: Id
    location_id: Id | None = None
    customer_id: Id | None = None
    staff_id: Id | None = None
    service_type_id: Id | None = None
    spot_id: Id | None = None
    scheduled_start: Timestamp
    scheduled_end: Timestamp
    local_date: LocalDate | None = None
    status: str = Field(description="pending | confirmed | completed | cancelled | no_show")
    source: str | None = Field(None, description="whatsapp | web | manual | walk_in")
    notes: str | None = None
    cancellation_reason: str | None = None
    price_cents: int | None = None
    reminder_sent_at: Timestamp | None = None
    reschedule_count: int | None = None
    customer_name: str | None = None
    customer_phone: str | None = None
    staff_name: str | None = None
    service_name: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class Customer(Out):
    id: Id
    organization_id: Id
    phone_number: str
    name: str | None = None
    name_verified_at: Timestamp | None = None
    email: str | None = None
    notes: str | None = None
    appointment_count: int | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class CustomerWithHistory(Customer):
    appointments: list[Appointment] = []


class HistoryEntry(Out):
    version: int | None = None
    event_type: str | None = None
    occurred_at: Timestamp | None = None
    actor: str | None = Field(None, description="Quién: owner:<id>, customer:+52..., system:...")
    actor_kind: str | None = None
    actor_id: str | None = None
    cause: str | None = Field(None, description="Por qué: id de la solicitud o del mensaje que lo causó")
    changes: dict[str, Any] = {}
    position: int | None = None


class AppointmentHistory(Out):
    appointment_id: Id
    events: list[HistoryEntry]


class Spot(Out):
    id: Id
    organization_id: Id
    location_id: Id
    name: str
    display_order: int | None = None
    is_active: bool = True
    service_type_ids: list[Id] = []
    has_appointments: bool | None = None


class Slot(Out):
    start: Timestamp
    end: Timestamp
    staff_ids: list[Id] = []


class Slots(Out):
    service_type_id: Id
    timezone: str
    date_from: LocalDate
    date_to: LocalDate
    slots: list[Slot]


class Availability(Out):
    timezone: str
    date_from: LocalDate
    date_to: LocalDate
    business_hours: list[dict[str, Any]] = []
    closures: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    staff_hours: list[dict[str, Any]] = []


class Conversation(Out):
    id: Id
    organization_id: Id
    customer_phone: str
    status: str = Field(description="active | handed_off | resolved")
    handoff_reason: str | None = None
    customer_id: Id | None = None
    customer_name: str | None = None
    last_inbound_at: Timestamp | None = None
    last_message_at: Timestamp | None = None


class Message(Out):
    id: Id
    direction: str = Field(description="inbound | outbound")
    content: str
    status: str
    created_at: Timestamp | None = None


class ActivityEntry(Out):
    position: int
    organization_id: Id | None = None
    kind: str = Field(description="p. ej. appointment_booked, customer_registered")
    summary: str = Field(description="Resumen en español")
    subject_id: str | None = None
    actor: str | None = None
    cause: str | None = None
    occurred_at: Timestamp | None = None


class HandoffResolved(Out):
    conversation_id: Id
    status: str = Field(description="active: el asistente vuelve a responder")
    position: int | None = None

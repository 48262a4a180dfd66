"""The team tools' definitions: one pydantic model of arguments per tool, the permission each needs,
and the OpenAI function schema generated from the model. ``agent.team.tools.TeamTools`` runs them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TeamToolError(Exception):
    """A refusal or failure the staff member (or the model) can read as-is, in Spanish."""


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# ---- argument models (one per tool) ------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ScheduleArgs(_Args):
    date_from: date | None = Field(None, description="Primer día (fecha local del negocio); por omisión hoy")
    date_to: date | None = Field(None, description="Último día, inclusive; por omisión igual a date_from")
    staff_id: uuid.UUID | None = Field(None, description="Solo para get_business_schedule: una persona del equipo")


class BlockTimeArgs(_Args):
    start: datetime = Field(..., description="Inicio del bloqueo (hora local del negocio si no trae zona)")
    end: datetime = Field(..., description="Fin del bloqueo")
    reason: str = Field("", max_length=200)
    staff_id: uuid.UUID | None = Field(None, description="Otra persona del equipo (solo dueño o admin)")


class UnblockTimeArgs(_Args):
    block_id: uuid.UUID
    staff_id: uuid.UUID | None = None


class MarkStatusArgs(_Args):
    appointment_id: uuid.UUID
    status: Literal["completed", "no_show", "cancelled"]
    notes: str = Field("", max_length=500)


class WalkInArgs(_Args):
    service_id: uuid.UUID
    customer_phone: str | None = Field(None, max_length=40)
    customer_name: str | None = Field(None, max_length=80)
    staff_id: uuid.UUID | None = None


class OnBehalfArgs(_Args):
    service_id: uuid.UUID
    start: datetime
    customer_phone: str | None = Field(None, max_length=40)
    customer_name: str | None = Field(None, max_length=80)
    staff_id: uuid.UUID | None = None


class CustomerLookupArgs(_Args):
    customer_phone: str | None = Field(None, max_length=40)
    customer_name: str | None = Field(None, max_length=80)


class SendMessageArgs(_Args):
    customer_phone: str = Field(..., max_length=40)
    message: str = Field(..., min_length=1, max_length=1000)


class NoArgs(_Args):
    pass


class StatsArgs(_Args):
    week_of: date | None = Field(None, description="Cualquier día de la semana a resumir (lunes a domingo); por omisión hoy")


class NoteArgs(_Args):
    customer_phone: str = Field(..., max_length=40)
    note: str = Field(..., min_length=1, max_length=500)


class AddStaffArgs(_Args):
    name: str = Field(..., min_length=1, max_length=80)
    phone_number: str = Field(..., max_length=40)
    permission_level: Literal["owner", "admin", "staff", "viewer"] = "staff"
    service_ids: list[uuid.UUID] | None = Field(None, description="Servicios que ofrece; por omisión todos")


class AddServiceArgs(_Args):
    name: str = Field(..., min_length=1, max_length=80)
    duration_minutes: int = Field(..., ge=5, le=600)
    price_cents: int = Field(..., ge=0, le=10_000_000)


class UpdateServiceArgs(_Args):
    service_id: uuid.UUID
    duration_minutes: int | None = Field(None, ge=5, le=600)
    price_cents: int | None = Field(None, ge=0, le=10_000_000)
    is_active: bool | None = None


class HoursArgs(_Args):
    hours: dict[str, list[list[str]]] = Field(..., description='La semana completa: {"mon": [["10:00", "20:00"]], ..., "sun": []}')


class CloseArgs(_Args):
    start_date: date
    end_date: date | None = None
    reason: str = Field("", max_length=200)


class WelcomeArgs(_Args):
    staff_id: uuid.UUID


class ProfileArgs(_Args):
    name: str | None = Field(None, max_length=80)
    working_hours: dict[str, list[list[str]]] | None = Field(None, description='{"mon": [["10:00", "19:00"]], ..., "sun": []}')
    follow_business_hours: bool = Field(False, description="Trabajar el horario del negocio")


class StaffRefArgs(_Args):
    staff_id: uuid.UUID = Field(..., description="La persona del equipo (de get_team)")


class RemoveStaffArgs(_Args):
    staff_id: uuid.UUID = Field(..., description="La persona a dar de baja (de get_team)")
    future_appointments: Literal["keep", "cancel"] | None = Field(
        None, description="Sus citas próximas: keep = se quedan como están; cancel = se cancelan y se avisa a cada cliente. Obligatorio si tiene citas")
    message: str | None = Field(None, max_length=500, description="Lo que se le dice a cada cliente al cancelar (opcional)")


class ChangePermissionsArgs(_Args):
    staff_id: uuid.UUID = Field(..., description="La persona del equipo (de get_team)")
    permission_level: Literal["owner", "admin", "staff", "viewer"]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    args: type[BaseModel]
    permission: str  # an action of the permission matrix (aggregates.staff.PERMISSIONS)
    description: str
    changes_state: bool


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec("get_my_schedule", ScheduleArgs, "view_own_schedule", "La agenda propia (citas, bloqueos, huecos libres) de un día o rango.", False),
        ToolSpec("get_business_schedule", ScheduleArgs, "view_business_schedule", "La agenda de todo el negocio de un día o rango.", False),
        ToolSpec("list_services", NoArgs, "view_own_schedule", "Los servicios activos con precio y duración.", False),
        ToolSpec("block_time", BlockTimeArgs, "block_own_time", "Bloquear tiempo (comida, salida, día libre).", True),
        ToolSpec("unblock_time", UnblockTimeArgs, "block_own_time", "Quitar un bloqueo.", True),
        ToolSpec("mark_appointment_status", MarkStatusArgs, "mark_attendance", "Marcar una cita completada, no-show o cancelada.", True),
        ToolSpec("book_walk_in", WalkInArgs, "book", "Registrar a un cliente que acaba de llegar (ahora).", True),
        ToolSpec("book_on_behalf", OnBehalfArgs, "book", "Agendar una cita a nombre de un cliente.", True),
        ToolSpec("get_customer_history", CustomerLookupArgs, "view_own_schedule", "Historial de un cliente por teléfono o nombre.", False),
        ToolSpec("get_stats", StatsArgs, "view_stats", "Cómo va el negocio en una semana, contra la anterior.", False),
        ToolSpec("add_customer_note", NoteArgs, "manage_customers", "Anotar algo en la ficha de un cliente.", True),
        ToolSpec("get_team", NoArgs, "view_own_schedule", "Las personas del equipo con su id y su nivel de permisos.", False),
        ToolSpec("list_staff_future_appointments", StaffRefArgs, "remove_staff", "Las citas próximas de una persona del equipo (antes de darla de baja).", False),
        ToolSpec("remove_staff", RemoveStaffArgs, "remove_staff", "Dar de baja a una persona del equipo; decide qué pasa con sus citas próximas.", True),
        ToolSpec("change_permissions", ChangePermissionsArgs, "change_permissions", "Cambiar el nivel de permisos de alguien (dueño, administrador, empleado, solo consulta).", True),
        ToolSpec("add_staff", AddStaffArgs, "add_staff", "Registrar a una persona nueva en el equipo.", True),
        ToolSpec("send_welcome", WelcomeArgs, "add_staff", "Mandar el mensaje de bienvenida a alguien del equipo.", True),
        ToolSpec("add_service", AddServiceArgs, "manage_services", "Agregar un servicio (nombre, duración, precio).", True),
        ToolSpec("update_service", UpdateServiceArgs, "change_service_durations", "Cambiar precio o duración de un servicio, o desactivarlo.", True),
        ToolSpec("set_business_hours", HoursArgs, "change_business_hours", "Cambiar el horario semanal del negocio.", True),
        ToolSpec("close_business", CloseArgs, "change_business_hours", "Cerrar el negocio uno o varios días.", True),
        ToolSpec("update_my_profile", ProfileArgs, "view_own_schedule", "Cambiar mi nombre o mi horario de trabajo.", True),
        ToolSpec("announce_ready", NoArgs, "view_own_schedule", "Avisar a los dueños que terminé mi registro en Parlo.", True),
        ToolSpec("send_message_to_customer", SendMessageArgs, "manage_customers", "Enviar un WhatsApp a un cliente a nombre del negocio.", True),
    )
}


def openai_tools() -> list[dict]:
    """The tool list in OpenAI's function-calling format, generated from the argument models."""
    return [
        {
            "type": "function",
            "function": {"name": spec.name, "description": spec.description, "parameters": spec.args.model_json_schema()},
        }
        for spec in TOOLS.values()
    ]


@dataclass
class ToolResult:
    ok: bool
    data: dict = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict:
        return {"ok": True, **self.data} if self.ok else {"ok": False, "error": self.error}

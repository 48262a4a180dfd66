"""Appointments: list with filters, book, read, reschedule/notes, cancel, complete, no-show, history."""

from __future__ import annotations

import inspect
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import Field, model_validator

from commands.context import parse_actor_label
from commands.definitions import (
    BookAppointment,
    CancelAppointment,
    CompleteAppointment,
    ConfirmAppointment,
    MarkNoShow,
    RescheduleAppointment,
    UpdateAppointmentNotes,
)
from gateway.api import models, shapes
from gateway.api.common import Body, Day, Moment, Phone, found_or_404, in_thread, require_changes, row, run_as
from gateway.api.deps import ApiContainer, Container, Reads
from gateway.auth import OrgAccess, OrgScope, RequestId

router = APIRouter(tags=["appointments"])
MISSING = "No encontré esa cita en este negocio."
MAX_RANGE_DAYS = 30

Status = Literal["pending", "confirmed", "completed", "cancelled", "no_show"]
Source = Literal["whatsapp", "web", "manual", "walk_in"]
Notes = Annotated[str, Field(max_length=2000)]


class AppointmentCreate(Body):
    service_type_id: uuid.UUID
    scheduled_start: Moment = Field(description="ISO 8601 con zona horaria, p. ej. 2026-01-15T10:00:00-06:00")
    customer_id: uuid.UUID | None = None
    phone_number: Phone | None = None
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    staff_id: uuid.UUID | None = Field(None, description="Omitido: alguien del equipo que esté libre y haga el servicio")
    spot_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    source: Source = "web"
    status: Literal["pending", "confirmed"] = "confirmed"
    notes: Notes = ""

    @model_validator(mode="after")
    def _customer_given(self) -> AppointmentCreate:
        if self.customer_id is None and not self.phone_number and self.source != "walk_in":
            raise ValueError("indica el cliente: customer_id, o phone_number y name")
        return self


class AppointmentPatch(Body):
    scheduled_start: Moment | None = None
    staff_id: uuid.UUID | None = None
    service_type_id: uuid.UUID | None = None
    spot_id: uuid.UUID | None = None
    notes: Notes | None = None


class CancelBody(Body):
    reason: Annotated[str, Field(max_length=500)] = ""


class NotesBody(Body):
    notes: Notes = ""


def check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from is not None and date_to is not None:
        if date_to < date_from:
            raise HTTPException(status_code=422, detail="La fecha final debe ser igual o posterior a la fecha inicial.")
        if (date_to - date_from).days > MAX_RANGE_DAYS:
            raise HTTPException(status_code=422, detail=f"El rango de fechas puede ser de hasta {MAX_RANGE_DAYS} días.")


async def check_spot(container: ApiContainer, scope: OrgScope, spot_id: uuid.UUID | None) -> None:
    """A spot named explicitly must be one of this business's (the command ignores spots where none are set up)."""
    if spot_id is not None and not any(s["id"] == spot_id for s in await in_thread(container.reads.list_spots, scope.organization_id)):
        raise HTTPException(status_code=404, detail="No encontré ese lugar de trabajo en este negocio.")


async def appointment_in_org(container: ApiContainer, scope: OrgScope, appointment_id: uuid.UUID) -> dict:
    return found_or_404(await in_thread(container.reads.get_appointment, scope.organization_id, appointment_id), MISSING)


@router.get("/organizations/{org_id}/appointments", summary="Citas (filtros: fechas, persona, servicio, estado)", response_model=list[models.Appointment], response_model_exclude_unset=True)
async def list_appointments(
    scope: OrgAccess,
    reads: Reads,
    date_from: Annotated[Day | None, Query(description="Fecha local inicial (AAAA-MM-DD)")] = None,
    date_to: Annotated[Day | None, Query(description="Fecha local final, inclusive (máximo 30 días después)")] = None,
    staff_id: uuid.UUID | None = None,
    service_type_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    status: Annotated[list[Status] | None, Query(description="Uno o varios estados")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
) -> list[dict]:
    check_range(date_from, date_to)
    found = await in_thread(reads.list_appointments, scope.organization_id,
        date_from=date_from,
        date_to=date_to,
        staff_id=staff_id,
        service_id=service_type_id,
        customer_id=customer_id,
        status=status or None,
        limit=limit,
    )
    return shapes.appointments(found, scope.timezone)


@router.post("/organizations/{org_id}/appointments", status_code=201, summary="Agendar una cita", response_model=models.Appointment, response_model_exclude_unset=True)
async def create_appointment(body: AppointmentCreate, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    await check_spot(container, scope, body.spot_id)
    result = await run_as(
        container,
        scope,
        request_id,
        BookAppointment,
        service_id=body.service_type_id,
        start=body.scheduled_start,
        customer_id=body.customer_id,
        customer_phone=body.phone_number,
        customer_name=body.name,
        staff_id=body.staff_id,
        spot_id=body.spot_id,
        location_id=body.location_id,
        source=body.source,
        notes=body.notes,
        confirmed=body.status == "confirmed",
    )
    return shapes.appointment(await appointment_in_org(container, scope, result.id), scope.timezone)


@router.get("/organizations/{org_id}/appointments/{appointment_id}", summary="Una cita", response_model=models.Appointment, response_model_exclude_unset=True)
async def get_appointment(appointment_id: uuid.UUID, scope: OrgAccess, container: Container) -> dict:
    return shapes.appointment(await appointment_in_org(container, scope, appointment_id), scope.timezone)


@router.patch("/organizations/{org_id}/appointments/{appointment_id}", summary="Reagendar (hora, persona, servicio, lugar) o cambiar notas", response_model=models.Appointment, response_model_exclude_unset=True)
async def patch_appointment(
    appointment_id: uuid.UUID, body: AppointmentPatch, scope: OrgAccess, container: Container, request_id: RequestId
) -> dict:
    await appointment_in_org(container, scope, appointment_id)
    fields = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    require_changes(fields)
    # One command per request, so a PATCH is all or nothing: a move (with the notes, if given) or
    # only the notes.
    if fields.keys() & {"scheduled_start", "staff_id", "service_type_id", "spot_id"}:
        await check_spot(container, scope, fields.get("spot_id"))
        move = {"start": "scheduled_start", "staff_id": "staff_id", "service_id": "service_type_id", "spot_id": "spot_id"}
        changes = {name: fields.get(given) for name, given in move.items()}
        await run_as(container, scope, request_id, RescheduleAppointment, appointment_id=appointment_id, notes=fields.get("notes"), **changes)
    else:
        await run_as(container, scope, request_id, UpdateAppointmentNotes, appointment_id=appointment_id, notes=fields["notes"])
    return shapes.appointment(await appointment_in_org(container, scope, appointment_id), scope.timezone)


# Status changes (cancel, complete, no-show, confirm) share one code path: the table says which
# command each runs and which optional body field it passes on; ``_status_route`` registers them.
_STATUS_CHANGES: dict[str, tuple[type, type[Body] | None, str | None, str]] = {
    "cancel": (CancelAppointment, CancelBody, "reason", "Cancelar"),
    "complete": (CompleteAppointment, NotesBody, "notes", "Marcar como completada"),
    "no-show": (MarkNoShow, NotesBody, "notes", "Marcar como no asistió"),
    "confirm": (ConfirmAppointment, None, None, "Confirmar una cita pendiente"),
}


async def change_status(
    action: str, appointment_id: uuid.UUID, scope: OrgScope, container: ApiContainer, request_id: str, body: Body | None
) -> dict:
    command_type, _body_type, field, _summary = _STATUS_CHANGES[action]
    extra = {field: getattr(body, field) if body is not None else ""} if field else {}
    await appointment_in_org(container, scope, appointment_id)
    await run_as(container, scope, request_id, command_type, appointment_id=appointment_id, **extra)
    return shapes.appointment(await appointment_in_org(container, scope, appointment_id), scope.timezone)


def _status_route(action: str) -> None:
    _command, body_type, _field, summary = _STATUS_CHANGES[action]

    async def route(
        appointment_id: uuid.UUID, scope: OrgAccess, container: Container, request_id: RequestId, body: Any = None
    ) -> dict:
        return await change_status(action, appointment_id, scope, container, request_id, body)

    name = action.replace("-", "_") + "_appointment"
    route.__name__ = route.__qualname__ = name
    signature = inspect.signature(route, eval_str=True)
    parameters = [p for p in signature.parameters.values() if p.name != "body"]
    if body_type is not None:  # the body is optional: a bare POST works too
        parameters.append(inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=body_type | None))
    route.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    router.post(
        f"/organizations/{{org_id}}/appointments/{{appointment_id}}/{action}",
        summary=summary,
        name=name,
        response_model=models.Appointment,
        response_model_exclude_unset=True,
    )(route)


for _action in _STATUS_CHANGES:
    _status_route(_action)


@router.get("/organizations/{org_id}/appointments/{appointment_id}/history", summary="Auditoría: cada cambio, quién y por qué", response_model=models.AppointmentHistory, response_model_exclude_unset=True)
async def appointment_history(appointment_id: uuid.UUID, scope: OrgAccess, container: Container) -> dict:
    await appointment_in_org(container, scope, appointment_id)
    entries = await in_thread(container.reads.get_appointment_history, scope.organization_id, appointment_id)
    events = []
    for entry in entries:
        data = row(entry, scope.timezone)
        kind, ident = parse_actor_label(entry.get("actor") or "")
        events.append(
            {
                "version": data.get("version"),
                "event_type": data.get("event_type"),
                "occurred_at": data.get("occurred_at"),
                "actor": data.get("actor"),
                "actor_kind": kind,
                "actor_id": ident,
                "cause": data.get("cause"),
                "changes": data.get("changes") or {},
                "position": data.get("position"),
            }
        )
    return {"appointment_id": str(appointment_id), "events": events}

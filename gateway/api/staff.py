"""The team (ParloUser): owners, admins, staff and viewers."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import Field

from commands.definitions import AddStaff, DeactivateStaff, ReactivateStaff, UpdateStaff
from gateway.api import models, shapes
from gateway.api.common import Body, Phone, WeeklyHours, found_or_404, in_thread, require_changes, run_as
from gateway.api.deps import ApiContainer, Container, Reads
from gateway.auth import OrgAccess, OrgScope, RequestId

router = APIRouter(tags=["staff"])
MISSING = "No encontré a esa persona en este negocio."

PermissionLevel = Literal["owner", "admin", "staff", "viewer"]


class StaffCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    phone_number: Phone
    permission_level: PermissionLevel = "staff"
    service_type_ids: list[uuid.UUID] | None = Field(None, max_length=200, description="Omitido: todos los servicios activos")
    working_hours: WeeklyHours | None = Field(None, description="Omitido: el horario del negocio")
    location_id: uuid.UUID | None = None
    default_spot_id: uuid.UUID | None = None


class StaffPatch(Body):
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    permission_level: PermissionLevel | None = None
    service_type_ids: list[uuid.UUID] | None = Field(None, max_length=200)
    working_hours: WeeklyHours | None = Field(None, description="null: volver al horario del negocio")
    location_id: uuid.UUID | None = None
    default_spot_id: uuid.UUID | None = None


async def staff_in_org(container: ApiContainer, scope: OrgScope, staff_id: uuid.UUID) -> dict:
    return found_or_404(await in_thread(container.reads.get_staff, scope.organization_id, staff_id), MISSING)


async def _run_on(
    container: ApiContainer, scope: OrgScope, request_id: str, command_type: type, staff_id: uuid.UUID, **fields: Any
) -> dict:
    """Check the person is in this business, run the command on them, read them back."""
    await staff_in_org(container, scope, staff_id)
    await run_as(container, scope, request_id, command_type, staff_id=staff_id, **fields)
    return shapes.staff_member(await staff_in_org(container, scope, staff_id), scope.timezone)


@router.get("/organizations/{org_id}/staff", summary="Equipo", response_model=list[models.StaffMember], response_model_exclude_unset=True)
async def list_staff(scope: OrgAccess, reads: Reads, active_only: bool = False) -> list[dict]:
    found = await in_thread(reads.list_staff, scope.organization_id, active_only=active_only)
    return shapes.many(shapes.staff_member, found, scope.timezone)


@router.post("/organizations/{org_id}/staff", status_code=201, summary="Agregar a alguien al equipo", response_model=models.StaffMember, response_model_exclude_unset=True)
async def create_staff(body: StaffCreate, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    fields = body.model_dump()
    fields["service_ids"] = fields.pop("service_type_ids")
    result = await run_as(container, scope, request_id, AddStaff, **fields)
    return shapes.staff_member(await staff_in_org(container, scope, result.id), scope.timezone)


@router.get("/organizations/{org_id}/staff/{staff_id}", summary="Una persona del equipo", response_model=models.StaffMember, response_model_exclude_unset=True)
async def get_staff(staff_id: uuid.UUID, scope: OrgAccess, container: Container) -> dict:
    return shapes.staff_member(await staff_in_org(container, scope, staff_id), scope.timezone)


@router.patch("/organizations/{org_id}/staff/{staff_id}", summary="Cambiar datos, permisos, servicios u horario", response_model=models.StaffMember, response_model_exclude_unset=True)
async def patch_staff(staff_id: uuid.UUID, body: StaffPatch, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    await staff_in_org(container, scope, staff_id)
    fields = body.model_dump(exclude_unset=True)
    require_changes(fields)
    clear_hours = "working_hours" in fields and fields["working_hours"] is None
    if "service_type_ids" in fields:
        fields["service_ids"] = fields.pop("service_type_ids")
    return await _run_on(container, scope, request_id, UpdateStaff, staff_id, clear_working_hours=clear_hours, **fields)


@router.post("/organizations/{org_id}/staff/{staff_id}/deactivate", summary="Dar de baja", response_model=models.StaffMember, response_model_exclude_unset=True)
async def deactivate_staff(staff_id: uuid.UUID, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    return await _run_on(container, scope, request_id, DeactivateStaff, staff_id)


@router.post("/organizations/{org_id}/staff/{staff_id}/reactivate", summary="Reactivar", response_model=models.StaffMember, response_model_exclude_unset=True)
async def reactivate_staff(staff_id: uuid.UUID, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    return await _run_on(container, scope, request_id, ReactivateStaff, staff_id)

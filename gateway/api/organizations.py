"""The business itself: create (Parlo admins), read, update profile and settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from pydantic import Field

from commands.definitions import RegisterOrganization, UpdateOrganization
from gateway.api import models, shapes
from gateway.api.common import PHONE_DESCRIPTION, Body, Phone, WeeklyHours, execute, found_or_404, in_thread, require_changes, run_as
from gateway.api.deps import ApiContainer, Container
from gateway.auth import AdminPrincipal, OrgAccess, RequestId

router = APIRouter(tags=["organizations"])

BusinessType = Annotated[str, Field(pattern="^(barbershop|hair_salon|nail_salon|spa|beauty_salon|other)$")]


class OrganizationCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    phone_number: Phone  # the business's WhatsApp number
    business_type: BusinessType = "barbershop"
    timezone: str = "America/Mexico_City"
    location_name: Annotated[str, Field(min_length=1, max_length=120)] = "Principal"
    location_address: Annotated[str, Field(max_length=300)] = ""
    business_hours: WeeklyHours = Field(default_factory=dict)
    activate: bool = False
    owner_name: Annotated[str | None, Field(max_length=120)] = None
    owner_phone_number: Annotated[str | None, Field(max_length=40, description=PHONE_DESCRIPTION)] = None


class OrganizationPatch(Body):
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    business_type: BusinessType | None = None
    timezone: str | None = None
    settings: dict[str, Any] | None = None


async def organization_payload(container: ApiContainer, org_id: Any) -> dict:
    org = found_or_404(await in_thread(container.reads.get_organization, org_id), "No encontré ese negocio.")
    return shapes.organization(org, await in_thread(container.reads.list_locations, org_id))


@router.post("/organizations", status_code=201, summary="Registrar un negocio (administradores de Parlo)", response_model=models.Organization, response_model_exclude_unset=True)
async def create_organization(body: OrganizationCreate, principal: AdminPrincipal, container: Container, request_id: RequestId) -> dict:
    if (body.owner_name is None) != (body.owner_phone_number is None):
        raise HTTPException(status_code=422, detail="Para registrar al dueño indica su nombre y su número de WhatsApp.")
    # One command: the business and its owner are saved together, or neither is.
    result = await execute(
        container,
        RegisterOrganization(
            actor=principal.actor,
            cause=request_id,
            name=body.name,
            whatsapp_number=body.phone_number,
            business_type=body.business_type,
            timezone=body.timezone,
            location_name=body.location_name,
            location_address=body.location_address,
            business_hours=body.business_hours,
            activate=body.activate,
            owner_name=body.owner_name,
            owner_phone=body.owner_phone_number,
        ),
    )
    return await organization_payload(container, result.id)


@router.get("/organizations/{org_id}", summary="Datos del negocio", response_model=models.Organization, response_model_exclude_unset=True)
async def get_organization(scope: OrgAccess, container: Container) -> dict:
    return await organization_payload(container, scope.organization_id)


@router.patch("/organizations/{org_id}", summary="Cambiar nombre, tipo, zona horaria o ajustes", response_model=models.Organization, response_model_exclude_unset=True)
async def patch_organization(body: OrganizationPatch, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    fields = body.model_dump(exclude_unset=True)
    profile = {k: fields[k] for k in ("name", "business_type", "timezone") if fields.get(k) is not None}
    require_changes(profile or fields.get("settings"))
    # One command for profile and settings: an invalid setting leaves the name unchanged too.
    await run_as(container, scope, request_id, UpdateOrganization, settings=fields.get("settings") or None, **profile)
    return await organization_payload(container, scope.organization_id)

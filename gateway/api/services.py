"""Services (ServiceType): what the business offers, with duration and price."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import Field

from commands.definitions import AddService, RemoveService, UpdateService
from gateway.api import models, shapes
from gateway.api.common import Body, found_or_404, in_thread, require_changes, run_as
from gateway.api.deps import ApiContainer, Container, Reads
from gateway.auth import OrgAccess, OrgScope, RequestId

router = APIRouter(tags=["services"])
MISSING = "No encontré ese servicio en este negocio."

Duration = Annotated[int, Field(ge=5, le=600, description="Minutos (5 a 600)")]
Price = Annotated[int, Field(ge=0, le=10_000_000, description="Centavos de peso: 15000 = $150")]


class ServiceCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    duration_minutes: Duration
    price_cents: Price
    description: Annotated[str, Field(max_length=1000)] = ""


class ServicePatch(Body):
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    duration_minutes: Duration | None = None
    price_cents: Price | None = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    is_active: bool | None = None


async def service_in_org(container: ApiContainer, scope: OrgScope, service_id: uuid.UUID) -> dict:
    return found_or_404(await in_thread(container.reads.get_service, scope.organization_id, service_id), MISSING)


@router.get("/organizations/{org_id}/services", summary="Servicios", response_model=list[models.Service], response_model_exclude_unset=True)
async def list_services(scope: OrgAccess, reads: Reads, active_only: bool = False) -> list[dict]:
    found = await in_thread(reads.list_services, scope.organization_id, active_only=active_only)
    return shapes.many(shapes.service, found, scope.timezone)


@router.post("/organizations/{org_id}/services", status_code=201, summary="Agregar un servicio", response_model=models.Service, response_model_exclude_unset=True)
async def create_service(body: ServiceCreate, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    result = await run_as(container, scope, request_id, AddService, **body.model_dump())
    return shapes.service(await service_in_org(container, scope, result.id), scope.timezone)


@router.get("/organizations/{org_id}/services/{service_id}", summary="Un servicio", response_model=models.Service, response_model_exclude_unset=True)
async def get_service(service_id: uuid.UUID, scope: OrgAccess, container: Container) -> dict:
    return shapes.service(await service_in_org(container, scope, service_id), scope.timezone)


@router.patch("/organizations/{org_id}/services/{service_id}", summary="Cambiar un servicio (o desactivarlo)", response_model=models.Service, response_model_exclude_unset=True)
async def patch_service(service_id: uuid.UUID, body: ServicePatch, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    await service_in_org(container, scope, service_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    require_changes(changes)
    await run_as(container, scope, request_id, UpdateService, service_id=service_id, changes=changes)
    return shapes.service(await service_in_org(container, scope, service_id), scope.timezone)


@router.delete("/organizations/{org_id}/services/{service_id}", status_code=204, summary="Eliminar un servicio sin citas")
async def delete_service(service_id: uuid.UUID, scope: OrgAccess, container: Container, request_id: RequestId) -> Response:
    await service_in_org(container, scope, service_id)
    await run_as(container, scope, request_id, RemoveService, service_id=service_id)
    return Response(status_code=204)

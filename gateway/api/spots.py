"""Spots: physical service stations (chairs, tables, beds) of a location, and the services they serve."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Response
from pydantic import Field

from commands.definitions import AddSpot, RemoveSpot, UpdateSpot
from gateway.api import models, shapes
from gateway.api.common import Body, in_thread, require_changes, run_as
from gateway.api.deps import ApiContainer, Container
from gateway.api.locations import location_in_org
from gateway.auth import OrgAccess, OrgScope, RequestId

router = APIRouter(tags=["spots"])
MISSING = "No encontré ese lugar de trabajo en este negocio."


class SpotCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    display_order: Annotated[int, Field(ge=0, le=10_000)] = 0
    service_type_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)


class SpotPatch(Body):
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    display_order: Annotated[int | None, Field(ge=0, le=10_000)] = None
    is_active: bool | None = None
    service_type_ids: list[uuid.UUID] | None = Field(None, max_length=200)


class SpotServices(Body):
    service_type_ids: list[uuid.UUID] = Field(max_length=200)


async def spot_in_org(container: ApiContainer, scope: OrgScope, spot_id: uuid.UUID) -> dict:
    for spot in await in_thread(container.reads.list_spots, scope.organization_id):
        if spot["id"] == spot_id:
            return spot
    raise HTTPException(status_code=404, detail=MISSING)


@router.get("/organizations/{org_id}/locations/{location_id}/spots", summary="Lugares de una sucursal", response_model=list[models.Spot], response_model_exclude_unset=True)
async def list_spots(location_id: uuid.UUID, scope: OrgAccess, container: Container, active_only: bool = False) -> list[dict]:
    await location_in_org(container, scope, location_id)
    found = await in_thread(container.reads.list_spots, scope.organization_id, location_id=location_id, active_only=active_only)
    return shapes.many(shapes.spot, found, scope.timezone)


@router.post("/organizations/{org_id}/locations/{location_id}/spots", status_code=201, summary="Agregar un lugar", response_model=models.Spot, response_model_exclude_unset=True)
async def create_spot(location_id: uuid.UUID, body: SpotCreate, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    await location_in_org(container, scope, location_id)
    result = await run_as(
        container, scope, request_id, AddSpot,
        location_id=location_id, name=body.name, display_order=body.display_order, service_ids=list(body.service_type_ids),
    )
    return shapes.spot(await spot_in_org(container, scope, result.id), scope.timezone)


@router.get("/organizations/{org_id}/spots/{spot_id}", summary="Un lugar", response_model=models.Spot, response_model_exclude_unset=True)
async def get_spot(spot_id: uuid.UUID, scope: OrgAccess, container: Container) -> dict:
    return shapes.spot(await spot_in_org(container, scope, spot_id), scope.timezone)


async def _update(container: ApiContainer, scope: OrgScope, spot_id: uuid.UUID, changes: dict, request_id: str) -> dict:
    await spot_in_org(container, scope, spot_id)
    require_changes(changes)
    await run_as(container, scope, request_id, UpdateSpot, spot_id=spot_id, changes=changes)
    return shapes.spot(await spot_in_org(container, scope, spot_id), scope.timezone)


@router.patch("/organizations/{org_id}/spots/{spot_id}", summary="Cambiar nombre, orden, estado o servicios", response_model=models.Spot, response_model_exclude_unset=True)
async def patch_spot(spot_id: uuid.UUID, body: SpotPatch, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    fields = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    if "service_type_ids" in fields:
        fields["service_ids"] = [str(s) for s in fields.pop("service_type_ids")]
    return await _update(container, scope, spot_id, fields, request_id)


@router.put("/organizations/{org_id}/spots/{spot_id}/services", summary="Asignar los servicios que atiende un lugar", response_model=models.Spot, response_model_exclude_unset=True)
async def put_spot_services(spot_id: uuid.UUID, body: SpotServices, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    return await _update(container, scope, spot_id, {"service_ids": [str(s) for s in body.service_type_ids]}, request_id)


@router.delete("/organizations/{org_id}/spots/{spot_id}", status_code=204, summary="Eliminar un lugar sin citas")
async def delete_spot(spot_id: uuid.UUID, scope: OrgAccess, container: Container, request_id: RequestId) -> Response:
    await spot_in_org(container, scope, spot_id)
    await run_as(container, scope, request_id, RemoveSpot, spot_id=spot_id)
    return Response(status_code=204)

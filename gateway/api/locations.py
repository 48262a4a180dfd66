"""Locations (sucursales) of a business, with their business hours."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Response
from pydantic import Field

from commands.definitions import AddLocation, RemoveLocation, UpdateLocation
from gateway.api import models, shapes
from gateway.api.common import Body, WeeklyHours, in_thread, require_changes, run_as
from gateway.api.deps import ApiContainer, Container, Reads
from gateway.auth import OrgAccess, OrgScope, RequestId

router = APIRouter(tags=["locations"])
MISSING = "No encontré esa sucursal en este negocio."


class LocationCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    address: Annotated[str, Field(max_length=300)] = ""
    business_hours: WeeklyHours = Field(default_factory=dict, description='{"mon": [["10:00", "20:00"]], ...}')


class LocationPatch(Body):
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    address: Annotated[str | None, Field(max_length=300)] = None
    business_hours: WeeklyHours | None = None


async def location_in_org(container: ApiContainer, scope: OrgScope, location_id: uuid.UUID) -> dict:
    location = await in_thread(container.reads.get_location, location_id)
    if location is None or location.get("organization_id") != scope.organization_id:
        raise HTTPException(status_code=404, detail=MISSING)
    return location


@router.get("/organizations/{org_id}/locations", summary="Sucursales", response_model=list[models.Location], response_model_exclude_unset=True)
async def list_locations(scope: OrgAccess, reads: Reads) -> list[dict]:
    return shapes.many(shapes.location, await in_thread(reads.list_locations, scope.organization_id), scope.timezone)


@router.post("/organizations/{org_id}/locations", status_code=201, summary="Agregar una sucursal", response_model=models.Location, response_model_exclude_unset=True)
async def create_location(body: LocationCreate, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    result = await run_as(container, scope, request_id, AddLocation, **body.model_dump())
    return shapes.location(await location_in_org(container, scope, result.id), scope.timezone)


@router.get("/organizations/{org_id}/locations/{location_id}", summary="Una sucursal", response_model=models.Location, response_model_exclude_unset=True)
async def get_location(location_id: uuid.UUID, scope: OrgAccess, container: Container) -> dict:
    return shapes.location(await location_in_org(container, scope, location_id), scope.timezone)


@router.patch("/organizations/{org_id}/locations/{location_id}", summary="Cambiar nombre, dirección u horario", response_model=models.Location, response_model_exclude_unset=True)
async def patch_location(location_id: uuid.UUID, body: LocationPatch, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    await location_in_org(container, scope, location_id)
    fields = body.model_dump(exclude_unset=True)
    require_changes(any(v is not None for v in fields.values()))
    # One command: name, address and hours change together or not at all.
    await run_as(container, scope, request_id, UpdateLocation, location_id=location_id, **fields)
    return shapes.location(await location_in_org(container, scope, location_id), scope.timezone)


@router.delete("/organizations/{org_id}/locations/{location_id}", status_code=204, summary="Eliminar una sucursal")
async def delete_location(location_id: uuid.UUID, scope: OrgAccess, container: Container, request_id: RequestId) -> Response:
    await location_in_org(container, scope, location_id)
    await run_as(container, scope, request_id, RemoveLocation, location_id=location_id)
    return Response(status_code=204)

"""End customers of a business: list/search, details with appointment history, create, edit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from commands.definitions import AddCustomer, UpdateCustomer
from gateway.api import models, shapes
from gateway.api.common import Body, Phone, found_or_404, in_thread, require_changes, run_as
from gateway.api.deps import ApiContainer, Container, Reads
from gateway.auth import OrgAccess, OrgScope, RequestId

router = APIRouter(tags=["customers"])
MISSING = "No encontré a ese cliente en este negocio."


class CustomerCreate(Body):
    phone_number: Phone
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    email: Annotated[str | None, Field(max_length=200)] = None
    notes: Annotated[str | None, Field(max_length=2000)] = None


class CustomerPatch(Body):
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    email: Annotated[str | None, Field(max_length=200)] = None
    notes: Annotated[str | None, Field(max_length=2000)] = None


async def customer_in_org(container: ApiContainer, scope: OrgScope, customer_id: uuid.UUID) -> dict:
    return found_or_404(await in_thread(container.reads.get_customer, scope.organization_id, customer_id), MISSING)


@router.get("/organizations/{org_id}/customers", summary="Clientes (buscar por nombre o teléfono)", response_model=list[models.Customer], response_model_exclude_unset=True)
async def list_customers(
    scope: OrgAccess,
    reads: Reads,
    search: Annotated[str | None, Query(max_length=100, description="Parte del nombre, teléfono o correo")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict]:
    needle = (search or "").strip() or None
    found = await in_thread(reads.list_customers, scope.organization_id, search=needle, limit=limit, offset=offset)
    if not found and needle:
        # "55 1234 5678" or "+52 55..." should find "+525512345678": retry with the digits only.
        digits = "".join(ch for ch in needle if ch.isdigit())
        if len(digits) >= 4 and digits != needle:
            found = await in_thread(reads.list_customers, scope.organization_id, search=digits[-10:], limit=limit, offset=offset)
    return shapes.many(shapes.customer, found, scope.timezone)


@router.post("/organizations/{org_id}/customers", status_code=201, summary="Registrar un cliente (o completar uno existente)", response_model=models.Customer, response_model_exclude_unset=True)
async def create_customer(body: CustomerCreate, scope: OrgAccess, container: Container, request_id: RequestId) -> JSONResponse:
    result = await run_as(container, scope, request_id, AddCustomer, **body.model_dump())
    payload = shapes.customer(await customer_in_org(container, scope, result.id), scope.timezone)
    return JSONResponse(status_code=201 if result.data.get("created", True) else 200, content=payload)


@router.get("/organizations/{org_id}/customers/{customer_id}", summary="Un cliente con su historial de citas", response_model=models.CustomerWithHistory, response_model_exclude_unset=True)
async def get_customer(customer_id: uuid.UUID, scope: OrgAccess, container: Container) -> dict:
    found = shapes.customer(await customer_in_org(container, scope, customer_id), scope.timezone)
    history = await in_thread(container.reads.list_appointments, scope.organization_id, customer_id=customer_id)
    found["appointments"] = shapes.appointments(history, scope.timezone)
    return found


@router.patch("/organizations/{org_id}/customers/{customer_id}", summary="Editar nombre, correo o notas", response_model=models.Customer, response_model_exclude_unset=True)
async def patch_customer(customer_id: uuid.UUID, body: CustomerPatch, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    await customer_in_org(container, scope, customer_id)
    fields = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    require_changes(fields)
    await run_as(container, scope, request_id, UpdateCustomer, customer_id=customer_id, **fields)
    return shapes.customer(await customer_in_org(container, scope, customer_id), scope.timezone)

"""Parlo admin dashboard: platform stats, organizations (search, details, suspend, impersonate),
conversations across the platform and the activity feed. Every route needs an admin token."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import Field

from commands.definitions import ChangeOrganizationStatus
from gateway.api import shapes
from gateway.api.common import Body, execute, in_thread, iso, row
from gateway.api.conversations import conversation_reads, conversation_shape, message_shape
from gateway.api.deps import ApiContainer, Container
from gateway.auth import AdminPrincipal, RequestId, Tokens

router = APIRouter(prefix="/admin", tags=["admin"])
OrgStatus = Literal["onboarding", "active", "suspended", "churned"]


class StatusChange(Body):
    status: OrgStatus
    reason: Annotated[str, Field(max_length=500)] = ""


def platform(request: Request) -> Any:
    queries = getattr(request.app.state, "parlo_platform_queries", None)
    if queries is None:
        from readmodels.search import PlatformQueries

        queries = PlatformQueries(request.app.state.container.engine)
        request.app.state.parlo_platform_queries = queries
    return queries


async def org_or_404(container: ApiContainer, org_id: uuid.UUID) -> dict:
    org = await in_thread(container.reads.get_organization, org_id)
    if org is None:
        raise HTTPException(status_code=404, detail="No encontré ese negocio.")
    return org


async def org_details(request: Request, container: ApiContainer, org_id: uuid.UUID) -> dict:
    org = await org_or_404(container, org_id)
    locations = await in_thread(container.reads.list_locations, org_id)
    counts = await in_thread(container.reads.organization_counts, org_id)
    data = shapes.organization(org, locations)
    data.update({"location_count": len(locations), **counts})
    data["owners"] = shapes.many(shapes.staff_member, await in_thread(container.reads.list_owners, org_id), org.get("timezone"))
    return data


@router.get("/stats", summary="Estadísticas de la plataforma")
async def stats(request: Request, principal: AdminPrincipal) -> dict:
    return await in_thread(platform(request).stats)


@router.get("/organizations", summary="Negocios (buscar por nombre, filtrar por estado)")
async def list_organizations(
    principal: AdminPrincipal,
    container: Container,
    search: Annotated[str | None, Query(max_length=100)] = None,
    status: OrgStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict]:
    found = await in_thread(container.reads.list_organizations, status=status, search=(search or "").strip() or None, limit=limit, offset=offset)
    return [shapes.organization(org) for org in found]


@router.get("/organizations/{org_id}", summary="Un negocio con sus sucursales y conteos")
async def get_organization(org_id: uuid.UUID, request: Request, principal: AdminPrincipal, container: Container) -> dict:
    return await org_details(request, container, org_id)


@router.patch("/organizations/{org_id}/status", summary="Suspender o reactivar un negocio")
async def change_status(
    org_id: uuid.UUID, body: StatusChange, request: Request, principal: AdminPrincipal, container: Container, request_id: RequestId
) -> dict:
    await org_or_404(container, org_id)
    await execute(
        container,
        ChangeOrganizationStatus(
            actor=principal.actor, cause=request_id, organization_id=org_id, status=body.status, reason=body.reason
        ),
    )
    return await org_details(request, container, org_id)


@router.post("/organizations/{org_id}/impersonate", summary="Entrar como el negocio (token marcado como suplantación)")
async def impersonate(org_id: uuid.UUID, principal: AdminPrincipal, container: Container, tokens: Tokens) -> dict:
    await org_or_404(container, org_id)
    token, expires_at = tokens.issue_impersonation(admin_name=principal.subject, organization_id=org_id)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_at": iso(expires_at),
        "organization_id": str(org_id),
        "impersonated": True,
    }


@router.get("/conversations", summary="Conversaciones de toda la plataforma")
async def list_conversations(
    request: Request,
    principal: AdminPrincipal,
    organization_id: uuid.UUID | None = None,
    status: Literal["active", "handed_off", "resolved"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict]:
    reads = conversation_reads(request)
    found = await in_thread(reads.list_conversations, organization_id, status=status, limit=limit, offset=offset)
    return [conversation_shape(c, None) for c in found]


@router.get("/conversations/{conversation_id}", summary="Una conversación completa con sus mensajes")
async def get_conversation(request: Request, conversation_id: uuid.UUID, principal: AdminPrincipal, container: Container) -> dict:
    reads = conversation_reads(request)
    found = await in_thread(reads.get_conversation, None, conversation_id)
    if found is None:
        raise HTTPException(status_code=404, detail="No encontré esa conversación.")
    org = await in_thread(container.reads.get_organization, found["organization_id"])
    tz = (org or {}).get("timezone")
    data = conversation_shape(found, tz)
    data["organization_name"] = (org or {}).get("name")
    messages = await in_thread(reads.list_messages, conversation_id, limit=1000)
    data["messages"] = [message_shape(m, tz) for m in messages]
    return data


@router.get("/activity", summary="Actividad reciente de la plataforma")
async def activity(
    principal: AdminPrincipal,
    container: Container,
    organization_id: uuid.UUID | None = None,
    kind: Annotated[list[str] | None, Query(max_length=20)] = None,
    before_position: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict]:
    found = await in_thread(container.reads.list_activity, organization_id, limit, kinds=kind or None, before_position=before_position)
    return [row(entry) for entry in found]


@router.get("/projections", summary="Proyecciones: posición, retraso y eventos no aplicados")
async def projections_status(principal: AdminPrincipal, container: Container) -> dict:
    runner = container.projections
    status = await in_thread(runner.status)
    return {"projections": [row(p) for p in status], "failures": [row(f) for f in await in_thread(runner.failures)]}


@router.post("/projections/failures/{failure_id}/retry", summary="Reintentar un evento no aplicado (tras corregir el código)")
async def retry_projection_failure(failure_id: int, principal: AdminPrincipal, container: Container) -> dict:
    results = await in_thread(container.projections.retry_failures, failure_id=failure_id)
    if not results:
        raise HTTPException(status_code=404, detail="No encontré ese fallo de proyección.")
    return results[0]

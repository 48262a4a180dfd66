"""Audit: raw event streams and point-in-time state (Parlo admins), and a business's activity feed.

The appointment history (``/appointments/{id}/history``) lives with the appointments router.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from gateway.api import models
from gateway.api.common import Moment, in_thread, row
from gateway.api.deps import Container, Reads
from gateway.auth import AdminPrincipal, OrgAccess

router = APIRouter(tags=["audit"])


@router.get("/admin/aggregates/{aggregate_id}/events", summary="Eventos de un agregado, en orden (auditoría)")
async def aggregate_events(aggregate_id: uuid.UUID, principal: AdminPrincipal, container: Container) -> dict:
    events = await in_thread(container.app.event_history, aggregate_id)
    return {"aggregate_id": str(aggregate_id), "events": events}


@router.get("/admin/aggregates/{aggregate_id}/state", summary="Estado de un agregado en una versión o un momento")
async def aggregate_state(
    aggregate_id: uuid.UUID,
    principal: AdminPrincipal,
    container: Container,
    version: Annotated[int | None, Query(ge=1, le=10_000_000)] = None,
    at: Annotated[Moment | None, Query(description="ISO 8601 con zona horaria")] = None,
) -> dict:
    state = await in_thread(container.app.state_at, aggregate_id, version=version, at=at)
    return {"aggregate_id": str(aggregate_id), "version": version, "at": at.isoformat() if at else None, "state": state}


@router.get("/organizations/{org_id}/activity", summary="Actividad reciente del negocio (dueños y administradores)", response_model=list[models.ActivityEntry], response_model_exclude_unset=True)
async def organization_activity(
    scope: OrgAccess,
    reads: Reads,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before_position: Annotated[int | None, Query(ge=1)] = None,
) -> list[dict]:
    if not scope.principal.is_admin and scope.principal.permission_level not in ("owner", "admin"):
        raise HTTPException(status_code=403, detail="No tienes permiso para ver la actividad del negocio.")
    found = await in_thread(reads.list_activity, scope.organization_id, limit, before_position=before_position)
    return [row(entry, scope.timezone) for entry in found]

"""Availability: business hours, closures and blocked time; free slots for booking.

``POST /availability`` takes one of three shapes, told apart by ``type``:

* ``{"type": "block", "staff_id", "start", "end", "reason"}``: block a staff member's time
  (a staff token may omit ``staff_id`` to block its own time);
* ``{"type": "closure", "start_date", "end_date", "reason"}``: close the whole business (holidays);
* ``{"type": "business_hours", "location_id"?, "business_hours"}``: change the weekly hours.

``DELETE /availability/{id}`` removes a closure or a block (every per-day piece of it).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import Field

from commands.definitions import BlockTime, CloseBusiness, ReopenBusiness, SetBusinessHours, UnblockTime
from gateway.api import models, shapes
from gateway.api.appointments import MAX_RANGE_DAYS, check_range
from gateway.api.common import Body, Day, Moment, WeeklyHours, found_or_404, in_thread, iso, run_as
from gateway.api.deps import ApiContainer, Container
from gateway.auth import OrgAccess, OrgScope, RequestId

router = APIRouter(tags=["availability"])


class BlockCreate(Body):
    type: Literal["block"]
    staff_id: uuid.UUID | None = None
    start: Moment
    end: Moment
    reason: Annotated[str, Field(max_length=300)] = ""


class ClosureCreate(Body):
    type: Literal["closure"]
    start_date: Day
    end_date: Day | None = None
    reason: Annotated[str, Field(max_length=300)] = ""


class HoursUpdate(Body):
    type: Literal["business_hours"]
    location_id: uuid.UUID | None = None
    business_hours: WeeklyHours


AvailabilityCreate = Annotated[BlockCreate | ClosureCreate | HoursUpdate, Field(discriminator="type")]


def today_in(scope: OrgScope, container: ApiContainer) -> date:
    return container.app.now().astimezone(ZoneInfo(scope.timezone)).date()


@router.get("/organizations/{org_id}/availability", summary="Horario del negocio, cierres y bloqueos", response_model=models.Availability, response_model_exclude_unset=True)
async def get_availability(
    scope: OrgAccess,
    container: Container,
    date_from: Annotated[Day | None, Query(description="Bloqueos desde esta fecha local (por omisión: hoy)")] = None,
    date_to: Annotated[Day | None, Query(description="Bloqueos hasta esta fecha local (por omisión: 30 días después)")] = None,
    staff_id: uuid.UUID | None = None,
) -> dict:
    date_from = date_from or today_in(scope, container)
    date_to = date_to or date_from + timedelta(days=MAX_RANGE_DAYS)
    check_range(date_from, date_to)
    org_id, tz = scope.organization_id, scope.timezone
    locations = await in_thread(container.reads.list_locations, org_id)
    closures = await in_thread(container.reads.list_closures, org_id)
    blocks = await in_thread(container.reads.list_blocks, org_id, staff_id=staff_id, date_from=date_from, date_to=date_to)
    team = await in_thread(container.reads.list_staff, org_id, active_only=True)
    return {
        "timezone": tz,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "business_hours": [
            {"location_id": str(loc["id"]), "name": loc["name"], "is_primary": loc["is_primary"], "business_hours": loc["business_hours"]}
            for loc in locations
        ],
        "closures": shapes.many(shapes.closure, closures, tz),
        "blocks": shapes.many(shapes.block, blocks, tz),
        "staff_hours": [
            {"staff_id": str(member["id"]), "name": member["name"], "working_hours": member["working_hours"]}
            for member in team
            if staff_id is None or member["id"] == staff_id
        ],
    }


@router.get("/organizations/{org_id}/availability/slots", summary="Horarios libres para un servicio", response_model=models.Slots, response_model_exclude_unset=True)
async def get_slots(
    scope: OrgAccess,
    container: Container,
    service_type_id: uuid.UUID,
    date_from: Annotated[Day | None, Query(description="Fecha local inicial (por omisión: hoy)")] = None,
    date_to: Annotated[Day | None, Query(description="Fecha local final, inclusive (máximo 30 días después)")] = None,
    staff_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
) -> dict:
    date_from = date_from or today_in(scope, container)
    date_to = date_to or date_from  # the range (at most 30 days) is checked by the availability service
    if await in_thread(container.reads.get_service, scope.organization_id, service_type_id) is None:
        raise HTTPException(status_code=404, detail="No encontré ese servicio en este negocio.")
    if staff_id is not None and await in_thread(container.reads.get_staff, scope.organization_id, staff_id) is None:
        raise HTTPException(status_code=404, detail="No encontré a esa persona en este negocio.")
    slots = await in_thread(
        container.availability.find_slots,
        scope.organization_id,
        service_type_id,
        date_from,
        date_to,
        staff_id=staff_id,
        location_id=location_id,
        now=container.app.now(),
    )
    tz = scope.timezone
    return {
        "service_type_id": str(service_type_id),
        "timezone": tz,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "slots": [
            {"start": iso(slot.start, tz), "end": iso(slot.end, tz), "staff_ids": [str(s) for s in slot.staff_ids]}
            for slot in slots
        ],
    }


@router.post("/organizations/{org_id}/availability", status_code=201, summary="Bloquear horario, cerrar el negocio o cambiar el horario")
async def create_availability(body: AvailabilityCreate, scope: OrgAccess, container: Container, request_id: RequestId) -> dict:
    org_id, tz = scope.organization_id, scope.timezone
    if isinstance(body, BlockCreate):
        staff_id = body.staff_id or scope.principal.staff_id
        if staff_id is None:
            raise HTTPException(status_code=422, detail="Indica a quién le bloqueas el horario (staff_id).")
        found_or_404(await in_thread(container.reads.get_staff, org_id, staff_id), "No encontré a esa persona en este negocio.")
        result = await run_as(
            container, scope, request_id, BlockTime, staff_id=staff_id, start=body.start, end=body.end, reason=body.reason
        )
        return {
            "id": str(result.id),
            "type": "block",
            "staff_id": str(staff_id),
            "start": iso(body.start, tz),
            "end": iso(body.end, tz),
            "reason": body.reason,
            "pieces": result.data.get("pieces", []),
        }
    if isinstance(body, ClosureCreate):
        end_date = body.end_date or body.start_date
        result = await run_as(
            container, scope, request_id, CloseBusiness, start_date=body.start_date, end_date=end_date, reason=body.reason
        )
        return {
            "id": str(result.id),
            "type": "closure",
            "start_date": body.start_date.isoformat(),
            "end_date": end_date.isoformat(),
            "reason": body.reason,
        }
    result = await run_as(container, scope, request_id, SetBusinessHours, location_id=body.location_id, hours=body.business_hours)
    location = await in_thread(container.reads.get_location, result.id)
    return {
        "id": str(result.id),
        "type": "business_hours",
        "location_id": str(result.id),
        "business_hours": (location or {}).get("business_hours"),
    }


@router.delete("/organizations/{org_id}/availability/{availability_id}", status_code=204, summary="Quitar un cierre o un bloqueo")
async def delete_availability(availability_id: uuid.UUID, scope: OrgAccess, container: Container, request_id: RequestId) -> Response:
    org_id = scope.organization_id
    closures = await in_thread(container.reads.list_closures, org_id)
    if any(c["id"] == availability_id for c in closures):
        await run_as(container, scope, request_id, ReopenBusiness, closure_id=availability_id)
        return Response(status_code=204)
    blocks = await in_thread(container.reads.list_blocks, org_id)
    # The block's id is its first piece's id; one command removes it and every following piece
    # (the command knows how a block is split per day). A piece's own id removes just that piece.
    found = found_or_404(next((b for b in blocks if b["id"] == availability_id), None), "No encontré ese bloqueo o cierre en este negocio.")
    await run_as(
        container, scope, request_id, UnblockTime, staff_id=found["staff_id"], block_id=availability_id, day=_day(found["day"])
    )
    return Response(status_code=204)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))

"""The platform admin console: stats, organizations (search, filter, details, suspend/reactivate,
impersonate), conversations, the activity feed, the event explorer and projection positions."""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aggregates.errors import DomainError
from commands.messages import ChangeOrganizationStatus
from gateway.api.admin import org_details, platform
from gateway.api.common import in_thread, read
from gateway.web import session
from gateway.web.context import AdminCtx, AdminUser, run
from gateway.web.templating import render, to_local

router = APIRouter(prefix="/admin", include_in_schema=False)
STATUSES = ("onboarding", "active", "suspended", "churned")
MX = "America/Mexico_City"


def parse_uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text).strip()) if text else None
    except ValueError:
        return None


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, admin: AdminUser, q: str = "", status: str = "") -> Response:
    stats = await in_thread(platform(request).stats)
    wanted = status if status in STATUSES else None
    orgs = await read(admin.container, "list_organizations", status=wanted, search=q.strip()[:100] or None, limit=200)
    return render(request, "admin/home.html", stats=stats, orgs=orgs, q=q[:100], status=wanted or "", statuses=STATUSES)


@router.get("/organizations/{org_id}", response_class=HTMLResponse)
async def organization(org_id: uuid.UUID, request: Request, admin: AdminUser, ok: str = "", error: str = "") -> Response:
    if await read(admin.container, "get_organization", org_id) is None:
        return render(request, "error.html", status_code=404, title="No encontrado", message="No encontré ese negocio.", back="/admin/")
    details = await org_details(request, admin.container, org_id)
    staff = await read(admin.container, "list_staff", org_id)
    month = to_local(admin.container.app.now(), details.get("timezone") or MX).date().replace(day=1)
    usage = await read(admin.container, "list_appointments", org_id, date_from=month, limit=5000)
    flash = {"status": "Listo, se cambió el estado del negocio."}.get(ok, "")
    return render(request, "admin/organization.html", o=details, staff=staff, month_appointments=len(usage), flash=flash,
                  flash_error=error[:300], statuses=STATUSES)


@router.post("/organizations/{org_id}/status", response_class=HTMLResponse)
async def change_status(org_id: uuid.UUID, request: Request, admin: AdminUser, status: str = Form(""), reason: str = Form("", max_length=500)) -> Response:
    await session.check_csrf(request)
    if status not in STATUSES:
        return RedirectResponse(f"/admin/organizations/{org_id}?error=Estado+no+válido", status_code=303)
    _, error = await run(
        admin.container,
        ChangeOrganizationStatus(actor=admin.actor, cause=admin.cause, organization_id=org_id, status=status, reason=reason.strip()),
    )
    if error is None:
        return RedirectResponse(f"/admin/organizations/{org_id}?ok=status", status_code=303)
    from urllib.parse import quote

    return RedirectResponse(f"/admin/organizations/{org_id}?error={quote(error[:300])}", status_code=303)


@router.post("/organizations/{org_id}/impersonate")
async def impersonate(org_id: uuid.UUID, request: Request, admin: AdminUser) -> Response:
    """Opens the owner app (in a new tab: the form's target) with a 2-hour token marked as impersonation."""
    await session.check_csrf(request)
    if await read(admin.container, "get_organization", org_id) is None:
        return render(request, "error.html", status_code=404, title="No encontrado", message="No encontré ese negocio.", back="/admin/")
    token, expires_at = session.issue_impersonation_token(request, admin.principal, org_id)
    response = RedirectResponse("/app/", status_code=303)
    session.set_session(request, response, "app", token, expires_at)
    return response


@router.get("/conversations", response_class=HTMLResponse)
async def conversations(request: Request, admin: AdminUser, organization_id: str = "") -> Response:
    org = parse_uuid(organization_id)
    found = await in_thread(admin.container.conversation_reads.list_conversations, org, limit=200)
    names = {o["id"]: o["name"] for o in await read(admin.container, "list_organizations", limit=500)}
    by_day: OrderedDict[Any, list[dict]] = OrderedDict()
    for c in found:
        by_day.setdefault(to_local(c.get("last_message_at") or c["created_at"], MX).date(), []).append(c)
    return render(request, "admin/conversations.html", by_day=by_day, names=names, organization_id=str(org or ""))


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation(conversation_id: uuid.UUID, request: Request, admin: AdminUser) -> Response:
    reads = admin.container.conversation_reads
    found = await in_thread(reads.get_conversation, None, conversation_id)
    if found is None:
        return render(request, "error.html", status_code=404, title="No encontrada", message="No encontré esa conversación.", back="/admin/conversations")
    org = await read(admin.container, "get_organization", found["organization_id"]) or {}
    messages = await in_thread(reads.list_messages, conversation_id, limit=1000)
    return render(request, "admin/conversation.html", conv=found, org=org, messages=messages, tz=org.get("timezone") or MX)


@router.get("/activity", response_class=HTMLResponse)
async def activity(request: Request, admin: AdminUser, organization_id: str = "") -> Response:
    found = await read(admin.container, "list_activity", parse_uuid(organization_id), 200)
    names = {o["id"]: o["name"] for o in await read(admin.container, "list_organizations", limit=500)}
    return render(request, "admin/activity.html", entries=found, names=names)


def _diff(before: dict | None, after: dict | None) -> list[dict]:
    keys = sorted(set(before or {}) | set(after or {}))
    return [
        {"key": k, "before": json.dumps((before or {}).get(k), ensure_ascii=False, default=str),
         "after": json.dumps((after or {}).get(k), ensure_ascii=False, default=str)}
        for k in keys
        if (before or {}).get(k) != (after or {}).get(k)
    ]


async def _state(admin: AdminCtx, aggregate_id: uuid.UUID, version: int | None, at: datetime | None) -> tuple[dict | None, str]:
    try:
        return await in_thread(admin.container.app.state_at, aggregate_id, version=version, at=at), ""
    except DomainError as error:
        return None, error.message


@router.get("/explorer", response_class=HTMLResponse)
async def explorer(request: Request, admin: AdminUser, aggregate_id: str = "", version: str = "", at: str = "") -> Response:
    """Any aggregate's events; its state at a version (or a moment) beside the previous version."""
    ident = parse_uuid(aggregate_id)
    context: dict[str, Any] = {"aggregate_id": aggregate_id.strip()[:40], "version": version[:8], "at": at[:40], "events": [], "error": ""}
    if aggregate_id and ident is None:
        context["error"] = "Escribe un id válido (UUID)."
    if ident is not None:
        events = await in_thread(admin.container.app.event_history, ident)
        context["events"] = events
        if not events:
            context["error"] = "No hay eventos con ese id."
        else:
            wanted = int(version) if version.isdigit() else None
            moment = None
            if at.strip():
                try:
                    moment = datetime.fromisoformat(at.strip())
                    if moment.tzinfo is None:
                        moment = moment.replace(tzinfo=to_local(admin.container.app.now(), MX).tzinfo)
                except ValueError:
                    context["error"] = "Escribe la fecha y hora como AAAA-MM-DDTHH:MM."
            state, error = await _state(admin, ident, wanted, moment)
            shown = int(state.get("version") or 0) if state else None
            previous, _ = await _state(admin, ident, shown - 1, None) if shown and shown > 1 else (None, "")
            context.update(state=state, previous=previous, shown=shown, diff=_diff(previous, state) if state else [],
                           error=context["error"] or error,
                           state_json=json.dumps(state, ensure_ascii=False, indent=2, default=str) if state else "",
                           previous_json=json.dumps(previous, ensure_ascii=False, indent=2, default=str) if previous else "")
    return render(request, "admin/explorer.html", **context)


@router.get("/projections", response_class=HTMLResponse)
async def projections(request: Request, admin: AdminUser) -> Response:
    positions = await read(admin.container, "projection_positions")
    head = await in_thread(admin.container.app.recorder.max_notification_id) or 0
    rows = [{"name": name, "position": pos, "lag": max(0, int(head) - int(pos or 0))} for name, pos in sorted(positions.items())]
    return render(request, "admin/projections.html", rows=rows, head=head)

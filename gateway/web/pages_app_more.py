"""The owner app beyond the calendar: customers, services, staff, conversations, stats, settings."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from commands.messages import (
    AddService,
    AddStaff,
    CloseBusiness,
    DeactivateStaff,
    HandOffConversation,
    QueueOutboundMessage,
    ReactivateStaff,
    ReopenBusiness,
    ResolveHandoff,
    SetBusinessHours,
    UpdateCustomer,
    UpdateService,
    UpdateStaff,
    UpdateOrganizationSettings,
)
from gateway.api.common import in_thread, read
from gateway.web import session
from gateway.web.context import MANAGERS, AppCtx, AppUser, run
from gateway.web.pages_app import parse_day
from gateway.web.templating import render, to_local

router = APIRouter(prefix="/app", include_in_schema=False)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SETTINGS = (
    ("buffer_minutes", "Tiempo entre citas (minutos)"),
    ("min_notice_minutes", "Anticipación mínima para reservar (minutos)"),
    ("max_horizon_days", "Hasta cuántos días adelante se puede reservar"),
    ("slot_interval_minutes", "Cada cuántos minutos empieza un horario"),
    ("reminder_hours_before", "Recordatorio: horas antes de la cita"),
)


def _msg(ok: str) -> str:
    return {"saved": "Listo, se guardó.", "added": "Listo, se agregó.", "sent": "Mensaje enviado."}.get(ok, "")


# ---- customers ------------------------------------------------------------------------------------


@router.get("/customers", response_class=HTMLResponse)
async def customers(ctx: AppUser, q: str = "") -> Response:
    found = await read(ctx.container, "list_customers", ctx.org_id, search=q.strip()[:100] or None, limit=100)
    return render(ctx.request, "app/customers.html", **ctx.page(customers=found, q=q[:100]))


async def customer_page(ctx: AppCtx, customer_id: uuid.UUID, status_code: int = 200, **extra: Any) -> Response:
    customer = await read(ctx.container, "get_customer", ctx.org_id, customer_id)
    if customer is None:
        return render(ctx.request, "error.html", status_code=404, title="No encontrado", message="No encontré ese cliente.", back="/app/customers")
    history = await read(ctx.container, "list_appointments", ctx.org_id, customer_id=customer_id, limit=200)
    no_shows = sum(1 for a in history if a["status"] == "no_show")
    return render(ctx.request, "app/customer.html", status_code=status_code,
                  **ctx.page(c=customer, history=list(reversed(history)), no_shows=no_shows, **extra))


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
async def customer_detail(customer_id: uuid.UUID, ctx: AppUser, ok: str = "") -> Response:
    return await customer_page(ctx, customer_id, flash=_msg(ok))


@router.post("/customers/{customer_id}", response_class=HTMLResponse)
async def customer_notes(customer_id: uuid.UUID, request: Request, ctx: AppUser, notes: str = Form("", max_length=2000)) -> Response:
    await session.check_csrf(request)
    _, error = await run(
        ctx.container, UpdateCustomer(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, customer_id=customer_id, notes=notes)
    )
    if error is None:
        return RedirectResponse(f"/app/customers/{customer_id}?ok=saved", status_code=303)
    return await customer_page(ctx, customer_id, status_code=422, notes_error=error)


# ---- services ---------------------------------------------------------------------------------------


@router.get("/services", response_class=HTMLResponse)
async def services(ctx: AppUser, ok: str = "") -> Response:
    return await services_page(ctx, flash=_msg(ok))


async def services_page(ctx: AppCtx, status_code: int = 200, **extra: Any) -> Response:
    found = await read(ctx.container, "list_services", ctx.org_id)
    return render(ctx.request, "app/services.html", status_code=status_code, **ctx.page(services=found, form=extra.pop("form", {}), **extra))


@router.post("/services", response_class=HTMLResponse)
async def add_service(
    request: Request, ctx: AppUser, name: str = Form("", max_length=120), duration_minutes: str = Form(""),
    price: str = Form(""), description: str = Form("", max_length=500),
) -> Response:
    await session.check_csrf(request)
    form = {"name": name, "duration_minutes": duration_minutes, "price": price, "description": description}
    minutes, cents, errors = parse_service_numbers(duration_minutes, price)
    if not errors:
        _, error = await run(
            ctx.container,
            AddService(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, name=name, duration_minutes=minutes,
                       price_cents=cents, description=description),
        )
        if error is None:
            return RedirectResponse("/app/services?ok=added", status_code=303)
        errors["form"] = error
    return await services_page(ctx, status_code=422, errors=errors, form=form)


def parse_service_numbers(duration_minutes: str, price: str) -> tuple[int, int, dict[str, str]]:
    errors: dict[str, str] = {}
    minutes = cents = 0
    try:
        minutes = int(duration_minutes)
    except ValueError:
        errors["duration_minutes"] = "Escribe la duración en minutos (un número entero)."
    try:
        cents = round(float(price.replace("$", "").replace(",", "").strip()) * 100)
    except ValueError:
        errors["price"] = "Escribe el precio en pesos, p. ej. 150."
    return minutes, cents, errors


@router.post("/services/{service_id}", response_class=HTMLResponse)
async def update_service(
    service_id: uuid.UUID, request: Request, ctx: AppUser, duration_minutes: str = Form(""), price: str = Form(""),
    is_active: str = Form(""),
) -> Response:
    await session.check_csrf(request)
    minutes, cents, errors = parse_service_numbers(duration_minutes, price)
    if not errors:
        changes = {"duration_minutes": minutes, "price_cents": cents, "is_active": is_active == "on"}
        _, error = await run(
            ctx.container, UpdateService(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, service_id=service_id, changes=changes)
        )
        if error is None:
            return RedirectResponse("/app/services?ok=saved", status_code=303)
        errors["form"] = error
    return await services_page(ctx, status_code=422, errors=errors)


# ---- staff ---------------------------------------------------------------------------------------------


async def staff_page(ctx: AppCtx, status_code: int = 200, **extra: Any) -> Response:
    ctx.require(*MANAGERS)
    members = await read(ctx.container, "list_staff", ctx.org_id)
    return render(ctx.request, "app/staff.html", status_code=status_code, **ctx.page(members=members, form=extra.pop("form", {}), **extra))


@router.get("/staff", response_class=HTMLResponse)
async def staff(ctx: AppUser, ok: str = "") -> Response:
    return await staff_page(ctx, flash=_msg(ok))


@router.post("/staff", response_class=HTMLResponse)
async def add_staff(
    request: Request, ctx: AppUser, name: str = Form("", max_length=120), phone_number: str = Form("", max_length=40),
    permission_level: str = Form("staff"),
) -> Response:
    await session.check_csrf(request)
    ctx.require(*MANAGERS)
    _, error = await run(
        ctx.container,
        AddStaff(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, name=name, phone_number=phone_number,
                 permission_level=permission_level),
    )
    if error is None:
        return RedirectResponse("/app/staff?ok=added", status_code=303)
    return await staff_page(ctx, status_code=422, errors={"form": error},
                            form={"name": name, "phone_number": phone_number, "permission_level": permission_level})


async def member_page(ctx: AppCtx, staff_id: uuid.UUID, status_code: int = 200, **extra: Any) -> Response:
    ctx.require(*MANAGERS)
    member = await read(ctx.container, "get_staff", ctx.org_id, staff_id)
    if member is None:
        return render(ctx.request, "error.html", status_code=404, title="No encontrado", message="No encontré a esa persona.", back="/app/staff")
    return render(ctx.request, "app/staff_member.html", status_code=status_code, **ctx.page(m=member, days=DAYS, **extra))


@router.get("/staff/{staff_id}", response_class=HTMLResponse)
async def staff_member(staff_id: uuid.UUID, ctx: AppUser, ok: str = "") -> Response:
    return await member_page(ctx, staff_id, flash=_msg(ok))


@router.post("/staff/{staff_id}", response_class=HTMLResponse)
async def update_staff_member(staff_id: uuid.UUID, request: Request, ctx: AppUser) -> Response:
    """Level and weekly hours (one span a day; all empty: the business's hours) in one UpdateStaff."""
    await session.check_csrf(request)
    ctx.require(*MANAGERS)
    form = await request.form()
    hours = {}
    for day in DAYS:
        opens, closes = str(form.get(f"{day}_open") or "").strip(), str(form.get(f"{day}_close") or "").strip()
        hours[day] = [[opens, closes]] if opens or closes else []
    use_business = not any(hours.values())
    level = str(form.get("permission_level") or "") or None
    _, error = await run(
        ctx.container,
        UpdateStaff(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, staff_id=staff_id, permission_level=level,
                    working_hours=None if use_business else hours, clear_working_hours=use_business),
    )
    if error is None:
        return RedirectResponse(f"/app/staff/{staff_id}?ok=saved", status_code=303)
    return await member_page(ctx, staff_id, status_code=422, form_error=error)


@router.post("/staff/{staff_id}/{action}", response_class=HTMLResponse)
async def staff_status(staff_id: uuid.UUID, action: str, request: Request, ctx: AppUser) -> Response:
    await session.check_csrf(request)
    ctx.require(*MANAGERS)
    kind = {"deactivate": DeactivateStaff, "reactivate": ReactivateStaff}.get(action)
    if kind is None:
        return render(request, "error.html", status_code=404, title="No encontrado", message="Esa acción no existe.", back="/app/staff")
    _, error = await run(ctx.container, kind(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, staff_id=staff_id))
    if error is None:
        return RedirectResponse("/app/staff?ok=saved", status_code=303)
    return await staff_page(ctx, status_code=409, errors={"form": error})


# ---- settings, hours and closures -------------------------------------------------------------------


async def settings_page(ctx: AppCtx, status_code: int = 200, **extra: Any) -> Response:
    ctx.require("owner")
    locations = await read(ctx.container, "list_locations", ctx.org_id)
    closures = await read(ctx.container, "list_closures", ctx.org_id)
    values = {**(ctx.organization.get("settings") or {})}
    return render(ctx.request, "app/settings.html", status_code=status_code,
                  **ctx.page(fields=SETTINGS, values=values, locations=locations, closures=closures, **extra))


@router.get("/settings", response_class=HTMLResponse)
async def settings(ctx: AppUser, ok: str = "") -> Response:
    return await settings_page(ctx, flash=_msg(ok))


@router.post("/settings", response_class=HTMLResponse)
async def save_settings(request: Request, ctx: AppUser) -> Response:
    await session.check_csrf(request)
    ctx.require("owner")
    form = await request.form()
    changes: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key, _label in SETTINGS:
        raw = str(form.get(key) or "").strip()
        if raw:
            try:
                changes[key] = int(raw)
            except ValueError:
                errors[key] = "Debe ser un número entero."
    if not errors:
        _, error = await run(ctx.container, UpdateOrganizationSettings(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, changes=changes))
        if error is None:
            return RedirectResponse("/app/settings?ok=saved", status_code=303)
        errors["form"] = error
    return await settings_page(ctx, status_code=422, errors=errors)


@router.post("/hours", response_class=HTMLResponse)
async def save_hours(request: Request, ctx: AppUser) -> Response:
    """One opening span per day (empty: closed), through SetBusinessHours like the REST API."""
    await session.check_csrf(request)
    ctx.require("owner")
    form = await request.form()
    hours: dict[str, list] = {}
    for day in DAYS:
        opens, closes = str(form.get(f"{day}_open") or "").strip(), str(form.get(f"{day}_close") or "").strip()
        hours[day] = [[opens, closes]] if opens or closes else []
    location = None
    try:
        location = uuid.UUID(str(form.get("location_id") or ""))
    except ValueError:
        pass
    _, error = await run(ctx.container, SetBusinessHours(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, hours=hours, location_id=location))
    if error is None:
        return RedirectResponse("/app/settings?ok=saved", status_code=303)
    return await settings_page(ctx, status_code=422, errors={"hours": error})


@router.post("/closures", response_class=HTMLResponse)
async def add_closure(request: Request, ctx: AppUser, start_date: str = Form(""), end_date: str = Form(""), reason: str = Form("", max_length=300)) -> Response:
    await session.check_csrf(request)
    ctx.require("owner")
    first = parse_day(start_date, ctx.today())
    _, error = await run(
        ctx.container,
        CloseBusiness(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, start_date=first,
                      end_date=parse_day(end_date, first), reason=reason.strip()),
    )
    if error is None:
        return RedirectResponse("/app/settings?ok=saved", status_code=303)
    return await settings_page(ctx, status_code=422, errors={"closure": error})


@router.post("/closures/{closure_id}/delete", response_class=HTMLResponse)
async def remove_closure(closure_id: uuid.UUID, request: Request, ctx: AppUser) -> Response:
    await session.check_csrf(request)
    ctx.require("owner")
    _, error = await run(ctx.container, ReopenBusiness(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, closure_id=closure_id))
    if error is None:
        return RedirectResponse("/app/settings?ok=saved", status_code=303)
    return await settings_page(ctx, status_code=409, errors={"closure": error})


# ---- conversations ------------------------------------------------------------------------------------


@router.get("/conversations", response_class=HTMLResponse)
async def conversations(ctx: AppUser, status: str = "") -> Response:
    reads = ctx.container.conversation_reads
    wanted = status if status in ("active", "handed_off") else None
    found = await in_thread(reads.list_conversations, ctx.org_id, status=wanted, limit=100)
    return render(ctx.request, "app/conversations.html", **ctx.page(conversations=found, status=wanted or ""))


async def thread_page(ctx: AppCtx, conversation_id: uuid.UUID, status_code: int = 200, **extra: Any) -> Response:
    reads = ctx.container.conversation_reads
    found = await in_thread(reads.get_conversation, ctx.org_id, conversation_id)
    if found is None or found["organization_id"] != ctx.org_id:
        return render(ctx.request, "error.html", status_code=404, title="No encontrada", message="No encontré esa conversación.", back="/app/conversations")
    messages = await in_thread(reads.list_messages, conversation_id, limit=500)
    customer = await read(ctx.container, "get_customer_by_phone", ctx.org_id, found["customer_phone"])
    return render(ctx.request, "app/conversation.html", status_code=status_code,
                  **ctx.page(conv=found, messages=messages, customer=customer, **extra))


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation(conversation_id: uuid.UUID, ctx: AppUser, ok: str = "") -> Response:
    return await thread_page(ctx, conversation_id, flash=_msg(ok))


@router.post("/conversations/{conversation_id}/{action}", response_class=HTMLResponse)
async def conversation_action(conversation_id: uuid.UUID, action: str, request: Request, ctx: AppUser, text: str = Form("", max_length=1500)) -> Response:
    """Take over (the assistant goes quiet), write as the business, hand back: the WhatsApp commands."""
    await session.check_csrf(request)
    found = await in_thread(ctx.container.conversation_reads.get_conversation, ctx.org_id, conversation_id)
    if found is None or found["organization_id"] != ctx.org_id or not ctx.can_write:
        return render(request, "error.html", status_code=404, title="No encontrada", message="No encontré esa conversación.", back="/app/conversations")
    base = {"actor": ctx.actor, "cause": ctx.cause, "organization_id": ctx.org_id}
    if action == "take-over":
        command: Any = HandOffConversation(**base, customer_phone=found["customer_phone"], reason="Atendida desde el panel")
    elif action == "hand-back":
        command = ResolveHandoff(**base, conversation_id=conversation_id)
    elif action == "write":
        if not text.strip():
            return await thread_page(ctx, conversation_id, status_code=422, text_error="Escribe el mensaje.")
        command = QueueOutboundMessage(**base, to_phone=found["customer_phone"], body=text.strip(), kind="reply")
    else:
        return render(request, "error.html", status_code=404, title="No encontrado", message="Esa acción no existe.", back="/app/conversations")
    _, error = await run(ctx.container, command)
    if error is None:
        return RedirectResponse(f"/app/conversations/{conversation_id}?ok={'sent' if action == 'write' else 'saved'}", status_code=303)
    return await thread_page(ctx, conversation_id, status_code=409, flash_error=error)


# ---- stats -------------------------------------------------------------------------------------------------


def summarize(appointments: list[dict], known_before: set, tz: str) -> dict:
    booked = [a for a in appointments if a["status"] != "cancelled"]
    customers = {a["customer_id"] for a in booked}
    hours = Counter(to_local(a["scheduled_start"], tz).hour for a in booked)
    return {
        "booked": len(booked),
        "completed": sum(1 for a in appointments if a["status"] == "completed"),
        "no_shows": sum(1 for a in appointments if a["status"] == "no_show"),
        "cancelled": sum(1 for a in appointments if a["status"] == "cancelled"),
        "revenue_cents": sum(int(a.get("price_cents") or 0) for a in appointments if a["status"] == "completed"),
        "new": len(customers - known_before),
        "returning": len(customers & known_before),
        "busiest": [h for h, _ in hours.most_common(3)],
    }


async def period(ctx: AppCtx, start: date, end: date) -> dict:
    found = await read(ctx.container, "list_appointments", ctx.org_id, date_from=start, date_to=end, limit=5000)
    earlier = await read(ctx.container, "list_appointments", ctx.org_id, date_from=start - timedelta(days=365), date_to=start - timedelta(days=1), limit=5000)
    return {"start": start, "end": end, **summarize(found, {a["customer_id"] for a in earlier if a["status"] != "cancelled"}, ctx.tz)}


@router.get("/stats", response_class=HTMLResponse)
async def stats(ctx: AppUser) -> Response:
    ctx.require(*MANAGERS)
    today = ctx.today()
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    prev_month = (month - timedelta(days=1)).replace(day=1)
    rows = [
        ("Esta semana", await period(ctx, week, week + timedelta(days=6)), "Semana anterior", await period(ctx, week - timedelta(days=7), week - timedelta(days=1))),
        ("Este mes", await period(ctx, month, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)), "Mes anterior", await period(ctx, prev_month, month - timedelta(days=1))),
    ]
    return render(ctx.request, "app/stats.html", **ctx.page(rows=rows))

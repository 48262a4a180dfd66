"""The owner and staff app: today, the calendar, one appointment (details, audit history, move,
cancel, complete, no-show), booking from a free slot, and time blocks."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from commands.context import parse_actor_label
from commands.messages import (
    BlockTime,
    BookAppointment,
    CancelAppointment,
    CompleteAppointment,
    ConfirmAppointment,
    MarkNoShow,
    RescheduleAppointment,
    UnblockTime,
)
from gateway.api.common import in_thread, read
from gateway.web import session
from gateway.web.context import AppCtx, AppUser, run
from gateway.web.templating import render, to_local

router = APIRouter(prefix="/app", include_in_schema=False)
LIVE = ("pending", "confirmed")
NOT_FOUND = "No encontré esa cita en este negocio."
BAD_MOMENT = "Escribe una fecha (AAAA-MM-DD) y una hora (HH:MM) válidas."


def parse_day(text: str | None, fallback: date) -> date:
    try:
        value = date.fromisoformat((text or "")[:10])
    except ValueError:
        return fallback
    return value if date(2000, 1, 1) <= value <= date(2099, 12, 31) else fallback


def local_moment(day: str, hour: str, tz: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(day.strip()), time.fromisoformat(hour.strip()[:5]), ZoneInfo(tz))
    except ValueError:
        return None


def parse_uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text)) if text else None
    except ValueError:
        return None


def naive_local(value: Any, tz: str) -> str:
    """What EventCalendar takes: the business's wall-clock time without an offset."""
    return to_local(value, tz).strftime("%Y-%m-%dT%H:%M:%S")


def calendar_events(appointments: list[dict], blocks: list[dict], tz: str) -> list[dict]:
    colors = {"pending": "#d97706", "confirmed": "#0f766e", "completed": "#475569", "no_show": "#b91c1c"}
    events = [
        {
            "id": str(a["id"]),
            "resourceIds": [str(a["staff_id"])],
            "start": naive_local(a["scheduled_start"], tz),
            "end": naive_local(a["scheduled_end"], tz),
            "title": f"{a.get('customer_name') or 'Cliente'} · {a.get('service_name') or ''}",
            "color": colors.get(a["status"], "#0f766e"),
            "extendedProps": {"kind": "appointment", "url": f"/app/appointments/{a['id']}"},
        }
        for a in appointments
        if a["status"] != "cancelled"
    ]
    events += [
        {
            "id": f"block-{b['id']}",
            "resourceIds": [str(b["staff_id"])],
            "start": naive_local(b["start"], tz),
            "end": naive_local(b["end"], tz),
            "title": f"Bloqueado{': ' + b['reason'] if b.get('reason') else ''}",
            "color": "#94a3b8",
            "editable": False,
            "extendedProps": {"kind": "block"},
        }
        for b in blocks
    ]
    return events


def scroll_time(events: list[dict]) -> str:
    """Open the calendar an hour before the day's first appointment (so a phone shows it)."""
    hours = [int(e["start"][11:13]) for e in events]
    return f"{max(8, min(hours) - 1) if hours else 9:02d}:00"


def day_counts(appointments: list[dict], now: datetime) -> dict:
    kept = [a for a in appointments if a["status"] != "cancelled"]
    upcoming = [a for a in kept if a["status"] in LIVE and to_local(a["scheduled_start"], "UTC") >= now]
    return {
        "appointments": len(kept),
        "unconfirmed": sum(1 for a in kept if a["status"] == "pending"),
        "no_shows": sum(1 for a in kept if a["status"] == "no_show"),
        "revenue_cents": sum(int(a.get("price_cents") or 0) for a in kept if a["status"] != "no_show"),
        "next": upcoming[0] if upcoming else None,
    }


async def staff_resources(ctx: AppCtx) -> list[dict]:
    members = await read(ctx.container, "list_staff", ctx.org_id, active_only=True)
    return [{"id": str(m["id"]), "title": m["name"]} for m in members]


@router.get("/", response_class=HTMLResponse)
async def today(ctx: AppUser) -> Response:
    day = ctx.today()
    found = await read(ctx.container, "list_appointments", ctx.org_id, date_from=day, date_to=day)
    blocks = await read(ctx.container, "list_blocks", ctx.org_id, date_from=day, date_to=day)
    resources = await staff_resources(ctx)
    events = calendar_events(found, blocks, ctx.tz)
    return render(
        ctx.request,
        "app/today.html",
        **ctx.page(
            day=day,
            appointments=found,
            counts=day_counts(found, ctx.container.app.now()),
            calendar={"view": "resourceTimeGridDay", "date": day.isoformat(), "resources": resources,
                      "events": events, "scrollTime": scroll_time(events), "editable": ctx.can_write},
        ),
    )


@router.get("/calendar", response_class=HTMLResponse)
async def calendar(ctx: AppUser, date: str = "", view: str = "day", staff_id: str = "") -> Response:
    day = parse_day(date, ctx.today())
    week = view == "week"
    start = day - timedelta(days=day.weekday()) if week else day
    end = start + timedelta(days=6) if week else day
    staff = parse_uuid(staff_id)
    found = await read(ctx.container, "list_appointments", ctx.org_id, date_from=start, date_to=end, staff_id=staff)
    blocks = await read(ctx.container, "list_blocks", ctx.org_id, staff_id=staff, date_from=start, date_to=end)
    all_staff = await staff_resources(ctx)
    resources = [r for r in all_staff if staff is None or r["id"] == str(staff)]
    step = timedelta(days=7 if week else 1)
    events = calendar_events(found, blocks, ctx.tz)
    return render(
        ctx.request,
        "app/calendar.html",
        **ctx.page(
            day=day, week=week, start=start, end=end, staff_id=str(staff or ""), resources=resources, all_staff=all_staff,
            appointments=[a for a in found if a["status"] != "cancelled"], blocks=blocks,
            prev_day=(day - step).isoformat(), next_day=(day + step).isoformat(),
            calendar={"view": "resourceTimeGridWeek" if week else "resourceTimeGridDay", "date": day.isoformat(),
                      "resources": resources, "events": events, "scrollTime": scroll_time(events), "editable": ctx.can_write},
        ),
    )


async def appointment_or_404(ctx: AppCtx, appointment_id: uuid.UUID) -> dict | None:
    return await read(ctx.container, "get_appointment", ctx.org_id, appointment_id)


def history_entries(entries: list[dict]) -> list[dict]:
    shaped = []
    for entry in entries:
        kind, ident = parse_actor_label(entry.get("actor") or "")
        shaped.append({**entry, "actor_kind": kind, "actor_id": ident})
    return shaped


async def appointment_page(ctx: AppCtx, appointment_id: uuid.UUID, *, status_code: int = 200, **extra: Any) -> Response:
    found = await appointment_or_404(ctx, appointment_id)
    if found is None:
        return render(ctx.request, "error.html", status_code=404, title="No encontrada", message=NOT_FOUND, back="/app/calendar")
    history = await read(ctx.container, "get_appointment_history", ctx.org_id, appointment_id)
    staff = await read(ctx.container, "list_staff", ctx.org_id, active_only=True)
    local = to_local(found["scheduled_start"], ctx.tz)
    return render(
        ctx.request, "app/appointment.html", status_code=status_code,
        **ctx.page(a=found, history=history_entries(history), staff=staff, move_date=local.date().isoformat(),
                   move_time=local.strftime("%H:%M"), **extra),
    )


@router.get("/appointments/new", response_class=HTMLResponse)
async def new_appointment(ctx: AppUser, service_id: str = "", staff_id: str = "", date: str = "") -> Response:
    return await booking_page(ctx, service_id=service_id, staff_id=staff_id, day_text=date)


async def booking_page(ctx: AppCtx, *, service_id: str, staff_id: str, day_text: str, status_code: int = 200, **extra: Any) -> Response:
    services = await read(ctx.container, "list_services", ctx.org_id, active_only=True)
    staff = await read(ctx.container, "list_staff", ctx.org_id, active_only=True)
    day = parse_day(day_text, ctx.today())
    service = parse_uuid(service_id) or (services[0]["id"] if services else None)
    member = parse_uuid(staff_id)
    slots: list[dict] = []
    slot_error = ""
    if service is not None:
        try:
            found = await in_thread(
                ctx.container.availability.find_slots, ctx.org_id, service, day, day, staff_id=member, now=ctx.container.app.now()
            )
            names = {m["id"]: m["name"] for m in staff}
            for slot in found:
                for sid in slot.staff_ids:
                    if member is None or sid == member:
                        local = to_local(slot.start, ctx.tz)
                        slots.append({"value": f"{local.strftime('%Y-%m-%dT%H:%M')}|{sid}", "start": slot.start, "staff_name": names.get(sid, "")})
        except Exception as error:  # noqa: BLE001 - AvailabilityError and friends carry a Spanish message
            slot_error = getattr(error, "message", "") or "No pude calcular los horarios libres."
    customers = await read(ctx.container, "list_customers", ctx.org_id, limit=200)
    return render(
        ctx.request, "app/new_appointment.html", status_code=status_code,
        **ctx.page(services=services, staff=staff, day=day, service_id=str(service or ""), staff_id=str(member or ""),
                   slots=slots, slot_error=slot_error, customers=customers, form=extra.pop("form", {}), **extra),
    )


@router.post("/appointments", response_class=HTMLResponse)
async def create_appointment(
    request: Request, ctx: AppUser,
    service_id: str = Form(""), slot: str = Form(""), customer_id: str = Form(""),
    phone_number: str = Form("", max_length=40), name: str = Form("", max_length=120), notes: str = Form("", max_length=2000),
    day: str = Form(""), staff_filter: str = Form(""),
) -> Response:
    await session.check_csrf(request)
    form = {"customer_id": customer_id, "phone_number": phone_number, "name": name, "notes": notes}
    errors: dict[str, str] = {}
    start_text, _, staff_text = slot.partition("|")
    start = local_moment(start_text[:10], start_text[11:16], ctx.tz) if start_text else None
    if start is None or parse_uuid(staff_text) is None:
        errors["slot"] = "Elige uno de los horarios libres."
    customer = parse_uuid(customer_id)
    if customer is None and not phone_number.strip():
        errors["customer"] = "Elige un cliente o escribe el WhatsApp y el nombre de uno nuevo."
    if customer is None and phone_number.strip() and not name.strip():
        errors["name"] = "Escribe el nombre del cliente nuevo."
    if not errors:
        result, error = await run(
            ctx.container,
            BookAppointment(
                actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, service_id=parse_uuid(service_id),
                start=start, customer_id=customer, customer_phone=None if customer else phone_number.strip(),
                customer_name=None if customer else name.strip(), staff_id=parse_uuid(staff_text), source="web",
                notes=notes.strip(), confirmed=True,
            ),
        )
        if error is None:
            return RedirectResponse(f"/app/appointments/{result.id}?msg=booked", status_code=303)
        errors["form"] = error
    return await booking_page(ctx, service_id=service_id, staff_id=staff_filter, day_text=day, status_code=422, errors=errors, form=form)


MESSAGES = {
    "booked": "Listo, la cita quedó agendada.",
    "moved": "Listo, la cita se movió.",
    "cancel": "La cita quedó cancelada.",
    "complete": "La cita quedó como completada.",
    "no-show": "La cita quedó como no asistió.",
    "confirm": "La cita quedó confirmada.",
}


@router.get("/appointments/{appointment_id}", response_class=HTMLResponse)
async def appointment_detail(appointment_id: uuid.UUID, ctx: AppUser, msg: str = "") -> Response:
    return await appointment_page(ctx, appointment_id, flash=MESSAGES.get(msg, ""))


@router.post("/appointments/{appointment_id}/move")
async def move_appointment(appointment_id: uuid.UUID, request: Request, ctx: AppUser) -> Response:
    """The form (date, time, staff) or the calendar's drag-and-drop (JSON ``{start, staff_id}``):
    one RescheduleAppointment; a clash is the command's refusal and nothing moves."""
    await session.check_csrf(request)
    wants_json = "json" in request.headers.get("content-type", "")
    if wants_json:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        start_text = str(body.get("start") or "")
        start = local_moment(start_text[:10], start_text[11:16], ctx.tz) if len(start_text) >= 16 else None
        staff = parse_uuid(body.get("staff_id"))
    else:
        form = await request.form()
        start = local_moment(str(form.get("date") or ""), str(form.get("time") or ""), ctx.tz)
        staff = parse_uuid(str(form.get("staff_id") or ""))
    if await appointment_or_404(ctx, appointment_id) is None:
        return JSONResponse({"ok": False, "detail": NOT_FOUND}, status_code=404) if wants_json else await appointment_page(ctx, appointment_id)
    error = BAD_MOMENT if start is None else None
    if error is None:
        _, error = await run(
            ctx.container,
            RescheduleAppointment(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, appointment_id=appointment_id,
                                  start=start, staff_id=staff),
        )
    if wants_json:
        return JSONResponse({"ok": error is None, "detail": error or MESSAGES["moved"]}, status_code=200 if error is None else 409)
    if error is None:
        return RedirectResponse(f"/app/appointments/{appointment_id}?msg=moved", status_code=303)
    return await appointment_page(ctx, appointment_id, status_code=409, move_error=error)


TRANSITIONS = {"cancel": CancelAppointment, "complete": CompleteAppointment, "no-show": MarkNoShow, "confirm": ConfirmAppointment}


@router.post("/appointments/{appointment_id}/{action}", response_class=HTMLResponse)
async def transition(appointment_id: uuid.UUID, action: str, request: Request, ctx: AppUser, reason: str = Form("", max_length=500)) -> Response:
    await session.check_csrf(request)
    kind = TRANSITIONS.get(action)
    if kind is None or await appointment_or_404(ctx, appointment_id) is None:
        return render(request, "error.html", status_code=404, title="No encontrada", message=NOT_FOUND, back="/app/calendar")
    extra: dict[str, Any] = {"reason": reason.strip()} if kind is CancelAppointment else {}
    _, error = await run(
        ctx.container, kind(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, appointment_id=appointment_id, **extra)
    )
    if error is None:
        return RedirectResponse(f"/app/appointments/{appointment_id}?msg={action}", status_code=303)
    return await appointment_page(ctx, appointment_id, status_code=409, flash_error=error)


@router.post("/blocks", response_class=HTMLResponse)
async def block_time(
    request: Request, ctx: AppUser, staff_id: str = Form(""), day: str = Form(""), start: str = Form(""), end: str = Form(""),
    reason: str = Form("", max_length=300),
) -> Response:
    await session.check_csrf(request)
    begin, finish = local_moment(day, start, ctx.tz), local_moment(day, end, ctx.tz)
    error = BAD_MOMENT if begin is None or finish is None or parse_uuid(staff_id) is None else None
    if error is None:
        _, error = await run(
            ctx.container,
            BlockTime(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, staff_id=parse_uuid(staff_id), start=begin, end=finish,
                      reason=reason.strip()),
        )
    if error is None:
        return RedirectResponse(f"/app/calendar?date={day}", status_code=303)
    return render(request, "error.html", status_code=409, title="No se pudo bloquear", message=error, back=f"/app/calendar?date={day}")


@router.post("/blocks/{block_id}/delete", response_class=HTMLResponse)
async def unblock_time(block_id: uuid.UUID, request: Request, ctx: AppUser, staff_id: str = Form(""), day: str = Form("")) -> Response:
    await session.check_csrf(request)
    the_day = parse_day(day, ctx.today())
    _, error = await run(
        ctx.container,
        UnblockTime(actor=ctx.actor, cause=ctx.cause, organization_id=ctx.org_id, staff_id=parse_uuid(staff_id), block_id=block_id, day=the_day),
    )
    if error is None:
        return RedirectResponse(f"/app/calendar?date={the_day.isoformat()}", status_code=303)
    return render(request, "error.html", status_code=409, title="No se pudo desbloquear", message=error, back=f"/app/calendar?date={day}")

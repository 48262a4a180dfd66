"""Jinja2 (autoescaped) with the product's Spanish formats, and the page/partial renderers."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from agent.spanish.format import format_date, format_date_capitalized, format_duration, format_phone, format_price, format_time
from gateway.web import session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html (Jinja2Templates default)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Scripts only from our own static files: an injected <script> could not run even if it rendered.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
}

STATUS_ES = {
    "pending": "Sin confirmar",
    "confirmed": "Confirmada",
    "completed": "Completada",
    "cancelled": "Cancelada",
    "no_show": "No asistió",
    "active": "Activo",
    "onboarding": "En alta",
    "suspended": "Suspendido",
    "churned": "Baja",
    "handed_off": "Con el equipo",
    "resolved": "Resuelta",
}
LEVEL_ES = {"owner": "Dueño", "admin": "Administrador", "staff": "Equipo", "viewer": "Solo lectura"}


def _zone(tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "America/Mexico_City")
    except Exception:  # noqa: BLE001 - a bad zone in a row must not break a page
        return ZoneInfo("America/Mexico_City")


def to_local(value: Any, tz: str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(_zone(tz))


def f_money(cents: Any) -> str:
    try:
        return format_price(int(cents or 0))
    except (TypeError, ValueError):
        return ""


def f_day(value: Any, tz: str | None = None) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value[:10]) if len(value) <= 10 else to_local(value, tz)
    if isinstance(value, datetime):
        value = to_local(value, tz)
    return format_date(value) if value else ""


def f_time(value: Any, tz: str | None = None) -> str:
    local = to_local(value, tz)
    return format_time(local) if local else ""


def f_when(value: Any, tz: str | None = None) -> str:
    local = to_local(value, tz)
    return f"{format_date(local)}, {format_time(local)}" if local else ""


def f_phone(value: Any) -> str:
    return format_phone(str(value)) if value else ""


def f_duration(value: Any) -> str:
    try:
        return format_duration(int(value or 0))
    except (TypeError, ValueError):
        return ""


env = templates.env
env.filters.update(
    money=f_money,
    day=f_day,
    time=f_time,
    when=f_when,
    phone=f_phone,
    duration=f_duration,
    status_es=lambda s: STATUS_ES.get(str(s), str(s)),
    level_es=lambda s: LEVEL_ES.get(str(s), str(s)),
    masked=lambda s: session.mask_magic_links(s or ""),
)
env.globals.update(format_date_capitalized=format_date_capitalized)


def render(request: Request, name: str, status_code: int = 200, headers: dict | None = None, **context: Any) -> HTMLResponse:
    context.setdefault("csrf", session.csrf_token(request))
    response = templates.TemplateResponse(request, name, context, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})})
    session.remember_csrf(request, response)
    return response

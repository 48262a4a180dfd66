"""Public pages: the landing page, the logins (magic link, admin password), logout and the API docs
served from local files."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from aggregates.errors import DomainError, InvalidInput
from commands import Actor
from commands.messages import ConsumeMagicLink
from commands.phones import normalize_phone
from gateway.api.auth import MAGIC_LINK_SENT, check_admin_password, magic_link_allowed, send_magic_links
from gateway.api.common import execute
from gateway.web import session
from gateway.web.templating import render

log = logging.getLogger("parlo.web")
router = APIRouter(include_in_schema=False)
VENDOR = "/static/vendor"
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request) -> Response:
    return render(request, "landing.html")


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> Response:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title="Parlo · API",
        swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{VENDOR}/swagger-ui/favicon-32x32.png",
    )


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> Response:
    return get_redoc_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title="Parlo · API",
        redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{VENDOR}/swagger-ui/favicon-32x32.png",
        with_google_fonts=False,
    )


# ---- owner app login --------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
@router.get("/app/login", response_class=HTMLResponse)
async def app_login(request: Request, sent: str = "", error: str = "") -> Response:
    """Where a magic link lands: app.js reads the token from ``#token=`` (or ``?token=``), removes it
    from the address bar and exchanges it (POST /app/session) for the session cookie."""
    message = MAGIC_LINK_SENT if sent else ""
    # The token may be in the address: it must never leave the page in a Referer header.
    return render(request, "login_app.html", headers=NO_REFERRER, message=message, error=error[:200], phone="")


@router.post("/app/login", response_class=HTMLResponse)
async def app_request_link(request: Request, background: BackgroundTasks, phone_number: str = Form("", max_length=40)) -> Response:
    """Ask for a magic link (the same background task as POST /api/v1/auth/request-magic-link)."""
    await session.check_csrf(request)
    try:
        phone = normalize_phone(phone_number)
    except InvalidInput as error:
        return render(request, "login_app.html", status_code=422, message="", error="", phone=phone_number, phone_error=error.message)
    throttles = await session.get_throttles(request)
    if await magic_link_allowed(throttles, session.client_address(request), phone):
        background.add_task(send_magic_links, request.app.state.container, phone, session.get_request_id(request))
    else:
        log.warning("web magic link: too many requests for one phone")
    return render(request, "login_app.html", message=MAGIC_LINK_SENT, error="", phone=phone_number)


@router.post("/app/session")
async def app_session(request: Request) -> Response:
    """Exchange a magic-link token for the session cookie (JSON ``{"token": ...}``, CSRF header)."""
    await session.check_csrf(request)
    try:
        body: Any = await request.json()
    except ValueError:
        body = {}
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not 0 < len(token) <= 200:
        return JSONResponse({"detail": "Este enlace no tiene un código de acceso válido."}, status_code=422)
    container = request.app.state.container
    try:
        result = await execute(
            container, ConsumeMagicLink(actor=Actor.system("web-login"), cause=session.get_request_id(request), token=token)
        )
    except DomainError as error:
        return JSONResponse({"detail": error.message}, status_code=error.http_status)
    data = result.data
    jwt_token, expires_at = session.issue_staff_token(request, data)
    response = JSONResponse({"detail": "Sesión iniciada.", "next": "/app/"})
    session.set_session(request, response, "app", jwt_token, expires_at)
    return response


async def _logout(request: Request, where: str) -> Response:
    """End the ``where`` ("app" or "admin") session and go back to its login page."""
    await session.check_csrf(request)
    response = RedirectResponse(f"/{where}/login", status_code=303)
    session.clear_session(response, where)
    return response


@router.post("/app/logout")
async def app_logout(request: Request) -> Response:
    return await _logout(request, "app")


# ---- admin console login ---------------------------------------------------------------------------


@router.get("/admin/login", response_class=HTMLResponse)
async def admin_login_page(request: Request) -> Response:
    return render(request, "login_admin.html", error="")


@router.post("/admin/login", response_class=HTMLResponse)
async def admin_login(request: Request, password: str = Form("", max_length=500)) -> Response:
    await session.check_csrf(request)
    container = request.app.state.container
    throttles = await session.get_throttles(request)
    try:
        await check_admin_password(container, throttles, session.client_address(request), password, session.get_request_id(request))
    except HTTPException as refused:
        return render(request, "login_admin.html", status_code=refused.status_code, error=refused.detail)
    token, expires_at = session.issue_admin_token(request)
    response = RedirectResponse("/admin/", status_code=303)
    session.set_session(request, response, "admin", token, expires_at)
    return response


@router.post("/admin/logout")
async def admin_logout(request: Request) -> Response:
    return await _logout(request, "admin")

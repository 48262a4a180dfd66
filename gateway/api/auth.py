"""Dashboard login: magic links sent by WhatsApp, JWTs, admin password login, logout.

Logout is a no-op on the server: tokens are stateless JWTs; the client forgets its token. A token
stops working by itself when it expires (7 days), when its organization is suspended, or when its
staff member is deactivated (every request checks both).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, BackgroundTasks, HTTPException
from fastapi.responses import JSONResponse
from pydantic import Field

from aggregates.errors import InvalidInput
from commands import Actor
from commands.definitions import ConsumeMagicLink, IssueMagicLink, QueueOutboundMessage
from commands.phones import normalize_phone
from gateway.api.common import Body, execute, iso, read, row
from gateway.deps import LOGIN_STATUSES, ClientAddress, ContainerDep, CurrentPrincipal, RequestId, ThrottlesDep, Tokens
from gateway.security import magic_links
from gateway.security import throttle as rate
from gateway.security.throttle import Throttles
from gateway.security.tokens import ADMIN_NAME, passwords_match

log = logging.getLogger("parlo.api.auth")
router = APIRouter(tags=["auth"])

MAGIC_LINK_SENT = (
    "Si ese número pertenece al equipo de un negocio en Parlo, te enviamos por WhatsApp un enlace "
    "para entrar. Vence en 15 minutos y solo funciona una vez."
)


class MagicLinkRequest(Body):
    phone_number: Annotated[str, Field(min_length=1, max_length=40, description="WhatsApp del dueño o empleado")]


class MagicLinkVerify(Body):
    token: Annotated[str, Field(min_length=1, max_length=200)]


class AdminLogin(Body):
    password: Annotated[str, Field(min_length=1, max_length=500)]


def _plain(text: str) -> str:
    """Names go into the body beside the link placeholder: no braces, so they can never forge one."""
    return (text or "").replace("{", "").replace("}", "")


def _link_body(name: str, business: str, url: str) -> str:
    first = _plain(name).split(" ")[0] or "Hola"
    business = _plain(business)
    return (
        f"Hola {first}, este es tu enlace para entrar al panel de {business} en Parlo:\n{url}\n\n"
        "Vence en 15 minutos y solo funciona una vez. Si no lo pediste, ignora este mensaje."
    )


def send_magic_links(container: Any, phone: str, request_id: str) -> int:
    """Issue a link per business where ``phone`` is active staff and queue it by WhatsApp.

    Runs after the 202 answer (a background task), so the response never reveals whether the
    phone exists, not even by its timing. Failures are logged, never raised.

    The login token is never stored: the message is queued with a placeholder ``{enlace:<nonce>}``
    that the outbound dispatcher turns into ``{base}/login#token=<nonce.HMAC>`` right before
    sending; the MagicLink aggregate records only the token's SHA-256."""
    sent = 0
    try:
        registrations = container.reads.list_staff_registrations(phone)
    except Exception:  # noqa: BLE001
        log.exception("magic link: could not look up %s registrations (request %s)", "staff", request_id)
        return 0
    secret = container.settings.secret_key.get_secret_value()
    actor = Actor.system("magic-link")
    for registration in registrations:
        if registration.get("organization_status") not in LOGIN_STATUSES:
            continue
        try:
            nonce = magic_links.new_magic_nonce()
            token = magic_links.magic_token(secret, nonce)
            container.app.execute(
                IssueMagicLink(
                    actor=actor,
                    cause=request_id,
                    organization_id=registration["organization_id"],
                    staff_id=registration["id"],
                    token=token,
                )
            )
            container.app.execute(
                QueueOutboundMessage(
                    actor=actor,
                    cause=request_id,
                    organization_id=registration["organization_id"],
                    to_phone=phone,
                    body=_link_body(
                        registration.get("name", ""),
                        registration.get("organization_name", "tu negocio"),
                        magic_links.magic_link_placeholder(nonce),
                    ),
                    kind="magic_link",
                )
            )
            sent += 1
        except Exception:  # noqa: BLE001 - never reveal anything to the caller
            log.exception("magic link: could not issue/queue for organization %s (request %s)", registration.get("organization_id"), request_id)
    return sent


async def magic_link_allowed(throttles: Throttles, client: str, phone: str) -> bool:
    """Whether one more magic link may be sent (the REST API and the web login share this)."""

    def allowed() -> bool:
        # Per client first: a client over its limit does not use up the phone's allowance.
        return throttles.allow(rate.MAGIC_LINK_PER_CLIENT, client) and throttles.allow(rate.MAGIC_LINK_PER_PHONE, phone)

    return await anyio.to_thread.run_sync(allowed)


async def check_admin_password(container: Any, throttles: Throttles, client: str, password: str, request_id: str) -> None:
    """Raises 429 while throttled and 401 for a wrong password (REST and web admin login share this).

    Failures are counted per (account, client address) and per account: one client can lock out
    only itself; the client address honours X-Forwarded-For only from ``PARLO_TRUSTED_PROXIES``."""
    account = ADMIN_NAME

    def blocked() -> bool:
        return throttles.blocked(rate.ADMIN_LOGIN_PER_CLIENT, account, client) or throttles.blocked(
            rate.ADMIN_LOGIN_PER_ACCOUNT, account
        )

    def failed() -> None:
        throttles.record(rate.ADMIN_LOGIN_PER_CLIENT, account, client)
        throttles.record(rate.ADMIN_LOGIN_PER_ACCOUNT, account)

    if await anyio.to_thread.run_sync(blocked):
        log.warning("admin login: throttled (request %s)", request_id)
        raise HTTPException(status_code=429, detail="Demasiados intentos fallidos. Espera 15 minutos e intenta de nuevo.")
    if not passwords_match(password, container.settings.effective_admin_password):
        await anyio.to_thread.run_sync(failed)
        raise HTTPException(status_code=401, detail="Contraseña incorrecta.", headers={"WWW-Authenticate": "Bearer"})
    await anyio.to_thread.run_sync(throttles.clear, rate.ADMIN_LOGIN_PER_CLIENT, account, client)


@router.post("/auth/request-magic-link", status_code=202, summary="Enviar un enlace de acceso por WhatsApp")
async def request_magic_link(
    body: MagicLinkRequest,
    container: ContainerDep,
    request_id: RequestId,
    background: BackgroundTasks,
    throttles: ThrottlesDep,
    client: ClientAddress,
) -> JSONResponse:
    try:
        phone = normalize_phone(body.phone_number)
    except InvalidInput as error:
        raise HTTPException(status_code=422, detail=error.message) from None

    # Over a limit the answer is the same (nothing reveals whether the phone exists), but no link is sent.
    if await magic_link_allowed(throttles, client, phone):
        background.add_task(send_magic_links, container, phone, request_id)
    else:
        log.warning("magic link: too many requests (request %s)", request_id)
    return JSONResponse(status_code=202, content={"detail": MAGIC_LINK_SENT})


@router.post("/auth/verify-magic-link", summary="Canjear un enlace de acceso por un token (JWT, 7 días)")
async def verify_magic_link(body: MagicLinkVerify, container: ContainerDep, request_id: RequestId, tokens: Tokens) -> dict:
    result = await execute(container, ConsumeMagicLink(actor=Actor.system("web-login"), cause=request_id, token=body.token))
    data = result.data
    token, expires_at = tokens.issue_staff(
        staff_id=data["staff_id"], organization_id=data["organization_id"], permission_level=data["permission_level"]
    )
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_at": iso(expires_at),
        "staff_id": str(data["staff_id"]),
        "organization_id": str(data["organization_id"]),
        "permission_level": data["permission_level"],
        "name": data.get("name"),
    }


@router.post("/auth/logout", summary="Cerrar sesión (sin estado: el cliente descarta su token)")
async def logout() -> dict:
    return {"detail": "Sesión cerrada. Borra el token de este dispositivo."}


@router.get("/auth/me", summary="Quién soy (según el token)")
async def me(principal: CurrentPrincipal, container: ContainerDep) -> dict:
    answer: dict = {
        "kind": principal.kind,
        "subject": principal.subject,
        "organization_id": str(principal.organization_id) if principal.organization_id else None,
        "staff_id": str(principal.staff_id) if principal.staff_id else None,
        "permission_level": principal.permission_level,
        "impersonated": principal.impersonated,
        "expires_at": iso(principal.expires_at),
    }
    if principal.staff_id and principal.organization_id:
        staff = await read(container, "get_staff", principal.organization_id, principal.staff_id)
        answer["name"] = row(staff).get("name") if staff else None
    return answer


@router.post("/admin/auth/login", summary="Acceso de administrador de Parlo (12 horas)")
async def admin_login(
    body: AdminLogin, container: ContainerDep, tokens: Tokens, throttles: ThrottlesDep, client: ClientAddress, request_id: RequestId
) -> dict:
    """Los intentos fallidos se cuentan por cuenta y por dirección del cliente: un cliente solo se bloquea
    a sí mismo. `X-Forwarded-For` solo se respeta desde los proxies de `PARLO_TRUSTED_PROXIES`."""
    await check_admin_password(container, throttles, client, body.password, request_id)
    token, expires_at = tokens.issue_admin(ADMIN_NAME)
    return {"access_token": token, "token_type": "bearer", "expires_at": iso(expires_at), "kind": "admin"}


@router.post("/admin/auth/logout", summary="Cerrar la sesión de administrador (sin estado)")
async def admin_logout() -> dict:
    return {"detail": "Sesión cerrada. Borra el token de este dispositivo."}

"""Web sessions: the one adapter between the web pages and ``gateway.auth`` (repoint it here when
the security package moves), the session cookies and CSRF tokens.

- The owner app's JWT lives in the ``parlo_app`` cookie (Path=/app), the admin console's in
  ``parlo_admin`` (Path=/admin): HttpOnly, SameSite=Lax, Secure in production. An impersonation
  token (from the console) goes into ``parlo_app``, so the admin's own session is untouched.
- Every request re-verifies the token exactly as the REST API does (``gateway.auth.get_principal``):
  a suspended organization or a deactivated staff member is refused at once.
- CSRF: a random ``parlo_csrf`` cookie (Path=/) and, in every form and htmx request, a token that is
  the HMAC of that value with the server secret. A POST whose token does not match is refused (403).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from gateway import auth as _auth
from gateway import deps as _deps
from gateway.api.common import in_thread

# What the pages use from the security module (one place to repoint).
Principal = _auth.Principal
ADMIN_NAME = _auth.ADMIN_NAME
OrgScope = _auth.OrgScope
get_tokens = _auth.get_tokens
get_throttles = _deps.get_throttles  # async: opened once per process
client_address = _deps.client_address
get_request_id = _auth.get_request_id
mask_magic_links = _auth.mask_magic_links

APP_COOKIE = "parlo_app"
ADMIN_COOKIE = "parlo_admin"
CSRF_COOKIE = "parlo_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_REFUSED = "La página venció o el formulario no es válido. Recarga la página e intenta de nuevo."


class CsrfRefused(Exception):
    """A state-changing request without this browser's CSRF token (answered 403)."""


class LoginRequired(Exception):
    """No valid session: the page redirects to the login (``where`` = "app" or "admin")."""

    def __init__(self, where: str, message: str = "") -> None:
        super().__init__(where)
        self.where = where
        self.message = message


def _secret(request: Request) -> bytes:
    return request.app.state.container.settings.secret_key.get_secret_value().encode("utf-8")


def _secure(request: Request) -> bool:
    return request.app.state.container.settings.env == "production"


# ---- CSRF ----------------------------------------------------------------------------------


def csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie value (a new one is made, and set by ``remember_csrf``, when missing)."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_seed", None)
    if not seed:
        seed = secrets.token_urlsafe(24)
        request.state.csrf_seed = seed
    return seed


def csrf_token(request: Request) -> str:
    seed = csrf_seed(request)
    return hmac.new(_secret(request), f"csrf:{seed}".encode("utf-8"), hashlib.sha256).hexdigest()


def remember_csrf(request: Request, response: Response) -> None:
    """Set the CSRF cookie on a page that made a new one."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed and request.cookies.get(CSRF_COOKIE) != seed:
        response.set_cookie(CSRF_COOKIE, seed, httponly=True, samesite="lax", secure=_secure(request), path="/")


async def check_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request without the token of this browser's CSRF cookie."""
    seed = request.cookies.get(CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER, "")
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            given = str(form.get(CSRF_FIELD) or "")
    if not seed or not given:
        raise CsrfRefused(CSRF_REFUSED)
    expected = hmac.new(_secret(request), f"csrf:{seed}".encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise CsrfRefused(CSRF_REFUSED)


# ---- session cookies --------------------------------------------------------------------------


def set_session(request: Request, response: Response, where: str, token: str, expires_at: datetime | None) -> None:
    name, path = (ADMIN_COOKIE, "/admin") if where == "admin" else (APP_COOKIE, "/app")
    max_age = None
    if expires_at is not None:
        now = get_tokens(request).now()
        max_age = max(0, int((expires_at - now).total_seconds()))
    response.set_cookie(name, token, max_age=max_age, httponly=True, samesite="lax", secure=_secure(request), path=path)


def clear_session(response: Response, where: str) -> None:
    name, path = (ADMIN_COOKIE, "/admin") if where == "admin" else (APP_COOKIE, "/app")
    response.delete_cookie(name, path=path)


async def principal_from_cookie(request: Request, where: str) -> Principal:
    """The caller of a page, verified like a bearer token of the REST API; LoginRequired otherwise."""
    token = request.cookies.get(ADMIN_COOKIE if where == "admin" else APP_COOKIE)
    if not token:
        raise LoginRequired(where)
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    try:
        principal = await _auth.get_principal(request, get_tokens(request), credentials)
    except HTTPException as error:
        raise LoginRequired(where, str(error.detail)) from None
    if where == "admin" and not principal.is_platform_admin:
        raise LoginRequired(where)
    if where == "app" and principal.organization_id is None:
        raise LoginRequired(where)
    if where == "app" and principal.is_admin:
        # An impersonation token: it stops too when the business is suspended.
        org = await in_thread(request.app.state.container.reads.get_organization, principal.organization_id)
        if org is None or org.get("status") not in _auth.LOGIN_STATUSES:
            raise LoginRequired(where, _auth.SUSPENDED)
    return principal


def org_scope(principal: Principal, organization: dict) -> OrgScope:
    return OrgScope(principal=principal, organization_id=principal.organization_id, organization=organization)


def issue_staff_token(request: Request, data: dict) -> tuple[str, datetime]:
    return get_tokens(request).issue_staff(
        staff_id=data["staff_id"], organization_id=data["organization_id"], permission_level=data["permission_level"]
    )


def issue_admin_token(request: Request) -> tuple[str, datetime]:
    return get_tokens(request).issue_admin(ADMIN_NAME)


def issue_impersonation_token(request: Request, principal: Principal, organization_id: Any) -> tuple[str, datetime]:
    return get_tokens(request).issue_impersonation(admin_name=principal.subject, organization_id=organization_id)

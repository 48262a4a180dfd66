"""Authentication for the REST API: JWTs, magic-link tokens, the admin login and FastAPI dependencies.

Tokens are stateless HS256 JWTs signed with ``PARLO_SECRET_KEY``:

- staff/owner tokens (7 days): ``sub`` = staff id, ``org`` = organization id, ``perm`` = permission level;
- admin tokens (12 hours): ``sub`` = admin name, no organization: they may act on every organization;
- impersonation tokens (2 hours): an admin acting inside one organization (``imp`` = true).

Every request re-checks the token against the read model: a suspended organization or a deactivated
staff member stops every token at once, without a revocation list. Permissions on writes are never
taken from the token: commands run as ``Actor.staff(id)`` and read the level from the StaffMember
aggregate (admins run as ``Actor.admin(name)``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal

import anyio
import jwt
from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from commands import Actor
from gateway.security.throttle import (
    ADMIN_LOGIN_FAILURES_PER_CLIENT,
    WINDOW_MINUTES,
    Throttles,
)
from gateway.security.throttle import MAGIC_LINKS_PER_PHONE as _MAGIC_LINKS_PER_PHONE

ALGORITHM = "HS256"
ISSUER = "parlo"
STAFF_TOKEN_TTL = timedelta(days=7)
ADMIN_TOKEN_TTL = timedelta(hours=12)
IMPERSONATION_TOKEN_TTL = timedelta(hours=2)
LOGIN_STATUSES = ("active", "onboarding")
ADMIN_NAME = "admin"

NOT_AUTHENTICATED = "Inicia sesión para continuar."
INVALID_TOKEN = "Tu sesión no es válida o ya venció; inicia sesión de nuevo."
SUSPENDED = "Este negocio está suspendido; no es posible iniciar sesión. Contacta a soporte de Parlo."
NO_ACCESS = "No tienes acceso a este negocio."
ADMINS_ONLY = "Solo los administradores de Parlo pueden hacer esto."

_bearer = HTTPBearer(auto_error=False, description="JWT de Parlo (enlace mágico o acceso de administrador)")


def new_magic_token() -> str:
    """A URL-safe random token (256 bits) for a magic link."""
    return secrets.token_urlsafe(32)


# ---- magic links that are never stored --------------------------------------------------------
#
# The login token of a magic link is never persisted: the queued WhatsApp message carries only a
# placeholder ``{enlace:<nonce>}``; the token is ``nonce + "." + HMAC(secret, nonce)``, derived
# again by the outbound dispatcher right before sending (see ``outbound_renderer``). The event
# store and the read models hold the nonce (useless without the server secret) and the MagicLink
# aggregate holds only the SHA-256 of the token.

MAGIC_LINK_KIND = "magic_link"
MAGIC_LINK_MARKER = "[enlace de acceso]"
_MAGIC_PLACEHOLDER = re.compile(r"\{enlace:([A-Za-z0-9_\-]{16,64})\}")


def new_magic_nonce() -> str:
    """A URL-safe random nonce (144 bits) that names one magic link."""
    return secrets.token_urlsafe(18)


def magic_token(secret: str, nonce: str) -> str:
    """The login token of the link named ``nonce``: ``nonce.base64url(HMAC-SHA256(secret, "magic-link:" + nonce))``."""
    mac = hmac.new(secret.encode("utf-8"), f"magic-link:{nonce}".encode("utf-8"), hashlib.sha256).digest()
    return f"{nonce}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode('ascii')}"


def magic_link_placeholder(nonce: str) -> str:
    """What the queued message carries instead of the link (rendered only when sending)."""
    if not _MAGIC_PLACEHOLDER.fullmatch("{enlace:" + nonce + "}"):
        raise ValueError("invalid magic-link nonce")
    return "{enlace:" + nonce + "}"


def render_magic_links(text: str, *, secret: str, base_url: str) -> str:
    """Replace every placeholder with the real login URL (only ever done right before sending).

    The token goes in the URL fragment (``/login#token=...``): browsers never send a fragment to the
    server, so it never reaches an access log, a proxy log or a Referer header."""
    base = base_url.rstrip("/")
    return _MAGIC_PLACEHOLDER.sub(lambda m: f"{base}/login#token={magic_token(secret, m.group(1))}", text)


def mask_magic_links(text: str) -> str:
    """Readable form of a stored message: the placeholder becomes «[enlace de acceso]»."""
    return _MAGIC_PLACEHOLDER.sub(MAGIC_LINK_MARKER, text) if isinstance(text, str) else text


def outbound_renderer(secret: str, base_url: str) -> Any:
    """The dispatcher's ``render_body(kind, body)`` hook: links are rendered in magic-link messages
    only (a placeholder echoed into any other message stays inert)."""

    def render_body(kind: str, body: str) -> str:
        if kind != MAGIC_LINK_KIND or not isinstance(body, str):
            return body
        return render_magic_links(body, secret=secret, base_url=base_url)

    return render_body


def passwords_match(given: str, expected: str | None) -> bool:
    """Constant-time comparison; False when no admin password is configured."""
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class Principal:
    """Who is calling. ``organization_id`` None means a platform admin with access to every organization."""

    kind: Literal["staff", "admin"]
    subject: str
    organization_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None
    permission_level: str | None = None
    impersonated: bool = False
    token_id: str = ""
    expires_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    @property
    def is_platform_admin(self) -> bool:
        """An admin token that is not scoped to one organization."""
        return self.kind == "admin" and self.organization_id is None

    @property
    def actor(self) -> Actor:
        if self.kind == "admin":
            return Actor.admin(self.subject)
        return Actor.staff(self.staff_id)

    def may_access(self, organization_id: uuid.UUID) -> bool:
        return self.is_platform_admin or self.organization_id == organization_id


class TokenService:
    """Issues and verifies Parlo JWTs. ``clock`` makes expiry testable (same clock as the commands)."""

    def __init__(self, secret: str, clock: Any = None) -> None:
        self._secret = secret
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        return self._clock().astimezone(timezone.utc)

    def _encode(self, claims: dict[str, Any], ttl: timedelta) -> tuple[str, datetime]:
        issued = self.now()
        expires = issued + ttl
        payload = {
            **claims,
            "iss": ISSUER,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM), expires

    def issue_staff(self, *, staff_id: uuid.UUID, organization_id: uuid.UUID, permission_level: str) -> tuple[str, datetime]:
        return self._encode(
            {"typ": "staff", "sub": str(staff_id), "org": str(organization_id), "perm": permission_level, "imp": False},
            STAFF_TOKEN_TTL,
        )

    def issue_admin(self, name: str = ADMIN_NAME) -> tuple[str, datetime]:
        return self._encode({"typ": "admin", "sub": name, "imp": False}, ADMIN_TOKEN_TTL)

    def issue_impersonation(self, *, admin_name: str, organization_id: uuid.UUID) -> tuple[str, datetime]:
        return self._encode(
            {"typ": "admin", "sub": admin_name, "org": str(organization_id), "perm": "owner", "imp": True},
            IMPERSONATION_TOKEN_TTL,
        )

    def verify(self, token: str) -> Principal:
        """Decode and check a token; raise HTTPException(401) in Spanish when it is not valid."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "typ"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise _unauthorized(INVALID_TOKEN) from None
        # Expiry is checked against our clock (the same one the commands use), not the wall clock.
        try:
            expires_at = datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
            org = uuid.UUID(claims["org"]) if claims.get("org") else None
            kind = claims["typ"]
            if kind == "staff":
                staff_id = uuid.UUID(claims["sub"])
                if org is None:
                    raise ValueError("staff token without organization")
            elif kind == "admin":
                staff_id = None
            else:
                raise ValueError("unknown token type")
        except (ValueError, TypeError, KeyError):
            raise _unauthorized(INVALID_TOKEN) from None
        if self.now() >= expires_at:
            raise _unauthorized(INVALID_TOKEN)
        return Principal(
            kind=kind,
            subject=str(claims["sub"]),
            organization_id=org,
            staff_id=staff_id,
            permission_level=claims.get("perm"),
            impersonated=bool(claims.get("imp")),
            token_id=str(claims.get("jti", "")),
            expires_at=expires_at,
        )


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


ADMIN_LOGIN_FAILURES = ADMIN_LOGIN_FAILURES_PER_CLIENT  # per client address per 15 minutes
MAGIC_LINKS_PER_PHONE = _MAGIC_LINKS_PER_PHONE  # per phone per 15 minutes
THROTTLE_WINDOW = timedelta(minutes=WINDOW_MINUTES)


async def get_throttles(request: Request) -> Throttles:
    """The process's login throttles (Redis-backed when ``PARLO_REDIS_URL`` answers), opened once."""
    state = request.app.state
    throttles = getattr(state, "parlo_throttles", None)
    if throttles is None:
        settings = state.container.settings
        throttles = await anyio.to_thread.run_sync(Throttles.open, settings.redis_url, settings.throttle_prefix)
        state.parlo_throttles = throttles
    return throttles


ThrottlesDep = Annotated[Throttles, Depends(get_throttles)]


def client_address(request: Request) -> str:
    """The caller's address. Forwarded headers were already applied by the proxy-headers middleware,
    and only for the proxies in ``PARLO_TRUSTED_PROXIES`` (gateway.app); uvicorn itself trusts none."""
    return request.client.host if request.client else "unknown"


# ---- dependencies ---------------------------------------------------------------------------


def get_container(request: Request) -> Any:
    return request.app.state.container


ContainerDep = Annotated[Any, Depends(get_container)]


def get_request_id(request: Request) -> str:
    """The request id (header ``X-Request-ID`` or generated): the ``cause`` of every command it issues."""
    request_id = getattr(request.state, "request_id", None)
    if not request_id:
        request_id = f"req-{uuid.uuid4().hex}"
        request.state.request_id = request_id
    return request_id


RequestId = Annotated[str, Depends(get_request_id)]


def _clock_of(container: Any) -> Any:
    """The commands' clock (``ParloApplication.now``): token expiry and throttles follow it too."""
    return container.app.now


def get_tokens(request: Request) -> TokenService:
    state = request.app.state
    tokens = getattr(state, "parlo_tokens", None)
    if tokens is None:
        container = state.container
        tokens = TokenService(container.settings.secret_key.get_secret_value(), _clock_of(container))
        state.parlo_tokens = tokens
    return tokens


Tokens = Annotated[TokenService, Depends(get_tokens)]


async def get_principal(
    request: Request,
    tokens: Tokens,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise _unauthorized(NOT_AUTHENTICATED)
    principal = tokens.verify(credentials.credentials)
    if principal.kind == "staff":
        container = request.app.state.container
        reads = container.reads
        org, staff = await anyio.to_thread.run_sync(
            functools.partial(_load_org_and_staff, reads, principal.organization_id, principal.staff_id)
        )
        if org is None:
            raise _unauthorized(INVALID_TOKEN)
        if org.get("status") not in LOGIN_STATUSES:
            raise HTTPException(status_code=403, detail=SUSPENDED)
        if staff is None or not staff.get("is_active", False):
            raise _unauthorized("Tu usuario está desactivado en este negocio.")
        # The level shown to the client follows the current state, not the token's snapshot.
        principal = replace(principal, permission_level=staff.get("permission_level"))
    request.state.principal = principal
    return principal


def _load_org_and_staff(reads: Any, organization_id: uuid.UUID, staff_id: uuid.UUID) -> tuple[dict | None, dict | None]:
    return reads.get_organization(organization_id), reads.get_staff(organization_id, staff_id)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def require_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.is_platform_admin:
        raise HTTPException(status_code=403, detail=ADMINS_ONLY)
    return principal


AdminPrincipal = Annotated[Principal, Depends(require_admin)]


@dataclass(frozen=True)
class OrgScope:
    """An authorized request on one organization: the caller, the organization row and its time zone."""

    principal: Principal
    organization_id: uuid.UUID
    organization: dict

    @property
    def actor(self) -> Actor:
        return self.principal.actor

    @property
    def timezone(self) -> str:
        return self.organization.get("timezone") or "America/Mexico_City"


async def require_org_access(
    request: Request,
    principal: CurrentPrincipal,
    org_id: Annotated[uuid.UUID, Path(description="Id del negocio")],
) -> OrgScope:
    """The path's organization must be the token's (platform admins may use any)."""
    if not principal.may_access(org_id):
        raise HTTPException(status_code=403, detail=NO_ACCESS)
    reads = request.app.state.container.reads
    organization = await anyio.to_thread.run_sync(reads.get_organization, org_id)
    if organization is None:
        raise HTTPException(status_code=404, detail="No encontré ese negocio.")
    return OrgScope(principal=principal, organization_id=org_id, organization=organization)


OrgAccess = Annotated[OrgScope, Depends(require_org_access)]

"""The FastAPI dependencies of the gateway, as ``Annotated`` aliases.

Every request re-checks its token against the read model: a suspended organization or a deactivated
staff member stops every token at once, without a revocation list. Permissions on writes are never
taken from the token: commands run as ``Actor.staff(id)`` and read the level from the StaffMember
aggregate (admins run as ``Actor.admin(name)``).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import replace
from typing import Annotated, Any

import anyio
from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.security.principals import OrgScope, Principal
from gateway.security.throttle import Throttles
from gateway.security.tokens import INVALID_TOKEN, TokenService, unauthorized
from vocabulary.statuses import LIVE_ORGANIZATION_STATUSES

LOGIN_STATUSES = LIVE_ORGANIZATION_STATUSES

NOT_AUTHENTICATED = "Inicia sesión para continuar."
SUSPENDED = "Este negocio está suspendido; no es posible iniciar sesión. Contacta a soporte de Parlo."
DEACTIVATED = "Tu usuario está desactivado en este negocio."
NO_ACCESS = "No tienes acceso a este negocio."
ADMINS_ONLY = "Solo los administradores de Parlo pueden hacer esto."

_bearer = HTTPBearer(auto_error=False, description="JWT de Parlo (enlace mágico o acceso de administrador)")


# ---- the composition root's parts ------------------------------------------------------------


def get_container(request: Request) -> Any:
    return request.app.state.container


ContainerDep = Annotated[Any, Depends(get_container)]


def get_reads(container: ContainerDep) -> Any:
    """The read models (``readmodels.queries``) of the container."""
    return container.reads


ReadsDep = Annotated[Any, Depends(get_reads)]


def get_request_id(request: Request) -> str:
    """The request id (header ``X-Request-ID`` or generated): the ``cause`` of every command it issues."""
    request_id = getattr(request.state, "request_id", None)
    if not request_id:
        request_id = f"req-{uuid.uuid4().hex}"
        request.state.request_id = request_id
    return request_id


RequestId = Annotated[str, Depends(get_request_id)]


def _clock_of(container: Any) -> Any:
    """The commands' clock (``ParloApplication.now``): token expiry follows it too."""
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


# ---- throttles and the client address ----------------------------------------------------------


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


ClientAddress = Annotated[str, Depends(client_address)]


# ---- who is calling ----------------------------------------------------------------------------


async def get_principal(
    request: Request,
    tokens: Tokens,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise unauthorized(NOT_AUTHENTICATED)
    principal = tokens.verify(credentials.credentials)
    if principal.kind == "staff":
        reads = request.app.state.container.reads
        org, staff = await anyio.to_thread.run_sync(
            functools.partial(_load_org_and_staff, reads, principal.organization_id, principal.staff_id)
        )
        if org is None:
            raise unauthorized(INVALID_TOKEN)
        if org.get("status") not in LOGIN_STATUSES:
            raise HTTPException(status_code=403, detail=SUSPENDED)
        if staff is None or not staff.get("is_active", False):
            raise unauthorized(DEACTIVATED)
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

"""Who is looking at a page (dependencies), permission checks and running commands for a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from aggregates.errors import DomainError
from gateway.api.common import WriteAccepted, execute, read
from gateway.web import session
from gateway.web.templating import to_local

MANAGERS = ("owner", "admin")
WRITERS = ("owner", "admin", "staff")
FORBIDDEN_PAGE = "Tu nivel de acceso no permite ver esta página. Pídele al dueño del negocio que te dé permiso."


class Forbidden(Exception):
    """The page is beyond the caller's permission level (answered 403 with a Spanish page)."""


@dataclass
class AppCtx:
    request: Request
    principal: session.Principal
    organization: dict
    me: dict | None

    @property
    def container(self) -> Any:
        return self.request.app.state.container

    @property
    def org_id(self) -> Any:
        return self.principal.organization_id

    @property
    def tz(self) -> str:
        return self.organization.get("timezone") or "America/Mexico_City"

    @property
    def actor(self) -> Any:
        return self.principal.actor

    @property
    def level(self) -> str:
        return self.principal.permission_level or "viewer"

    @property
    def is_manager(self) -> bool:
        return self.level in MANAGERS

    @property
    def can_write(self) -> bool:
        return self.level in WRITERS

    @property
    def cause(self) -> str:
        return session.get_request_id(self.request)

    def today(self) -> date:
        return to_local(self.container.app.now(), self.tz).date()

    def now(self) -> datetime:
        return to_local(self.container.app.now(), self.tz)

    def require(self, *levels: str) -> None:
        if self.level not in levels:
            raise Forbidden(FORBIDDEN_PAGE)

    def page(self, **extra: Any) -> dict:
        """What every owner-app template gets."""
        return {"ctx": self, "org": self.organization, "me": self.me, "tz": self.tz, **extra}


async def app_user(request: Request) -> AppCtx:
    principal = await session.principal_from_cookie(request, "app")
    container = request.app.state.container
    organization = await read(container, "get_organization", principal.organization_id) or {}
    me = await read(container, "get_staff", principal.organization_id, principal.staff_id) if principal.staff_id else None
    return AppCtx(request, principal, organization, me)


AppUser = Annotated[AppCtx, Depends(app_user)]


@dataclass
class AdminCtx:
    request: Request
    principal: session.Principal

    @property
    def container(self) -> Any:
        return self.request.app.state.container

    @property
    def actor(self) -> Any:
        return self.principal.actor

    @property
    def cause(self) -> str:
        return session.get_request_id(self.request)


async def admin_user(request: Request) -> AdminCtx:
    return AdminCtx(request, await session.principal_from_cookie(request, "admin"))


AdminUser = Annotated[AdminCtx, Depends(admin_user)]


async def run(container: Any, command: Any) -> tuple[Any, str | None]:
    """Execute a command like the REST API does; (result, None) or (None, the Spanish error)."""
    try:
        return await execute(container, command), None
    except WriteAccepted as accepted:
        return accepted.result, None
    except DomainError as error:
        return None, error.message

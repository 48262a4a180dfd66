"""Who is calling (a Principal) and an authorized request on one organization (an OrgScope)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from commands import Actor


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

"""Handlers for dashboard access: issuing and consuming single-use magic links."""

from __future__ import annotations

import uuid
from datetime import timedelta

from eventsourcing.application import AggregateNotFoundError

from aggregates.access import MAGIC_LINK_TTL, InvalidMagicLink, MagicLink, hash_token
from aggregates.errors import InvalidInput, PermissionDenied
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from commands.base import CommandBase, CommandResult
from commands.context import actor_label
from commands.definitions import ConsumeMagicLink, IssueMagicLink
from vocabulary.statuses import LIVE_ORGANIZATION_STATUSES

LOGIN_STATUSES = LIVE_ORGANIZATION_STATUSES
SUSPENDED_ES = "Este negocio está suspendido; no es posible iniciar sesión. Contacta a soporte de Parlo."


def _who_may_log_in(app: CommandBase, organization_id: uuid.UUID, staff_id: uuid.UUID) -> tuple[Organization, StaffMember]:
    """The business (live) and its staff member (active), or PermissionDenied."""
    org = app._organization(organization_id)
    if org.status not in LOGIN_STATUSES:
        raise PermissionDenied(SUSPENDED_ES)
    staff = app._owned(StaffMember, staff_id, org.id, "No encontré a esa persona en este negocio.")
    if not staff.is_active:
        raise PermissionDenied("Tu usuario está desactivado en este negocio.")
    return org, staff


def issue_magic_link(app: CommandBase, cmd: IssueMagicLink) -> CommandResult:
    if cmd.actor.kind not in ("admin", "system"):
        raise PermissionDenied("Solo la plataforma emite enlaces de acceso.")
    if len(cmd.token or "") < 32:
        raise InvalidInput("El token del enlace es demasiado corto.")
    if not 1 <= cmd.ttl_minutes <= int(MAGIC_LINK_TTL.total_seconds() // 60):
        raise InvalidInput("Un enlace de acceso dura como máximo 15 minutos.")
    org, staff = _who_may_log_in(app, cmd.organization_id, cmd.staff_id)
    now = app.now()
    link = MagicLink.issue(
        token_hash=hash_token(cmd.token),
        organization_id=org.id,
        staff_id=staff.id,
        issued_at=now,
        expires_at=now + timedelta(minutes=cmd.ttl_minutes),
    )
    return CommandResult(link.id, app._save(link), {"expires_at": link.expires_at})


def consume_magic_link(app: CommandBase, cmd: ConsumeMagicLink) -> CommandResult:
    link_id = MagicLink.create_id(hash_token(cmd.token))
    try:
        link = app.repository.get(link_id)
    except AggregateNotFoundError:
        raise InvalidMagicLink("El enlace de acceso no es válido; pide uno nuevo por WhatsApp.") from None
    if not isinstance(link, MagicLink):
        raise InvalidMagicLink("El enlace de acceso no es válido; pide uno nuevo por WhatsApp.")
    now = app.now()
    link.check_usable(now)
    org, staff = _who_may_log_in(app, link.organization_id, link.staff_id)
    app._acting_as(actor_label(cmd.actor, staff))  # the person logging in uses the link
    link.consume(at=now)
    return CommandResult(
        link.id,
        app._save(link),
        {"organization_id": org.id, "staff_id": staff.id, "permission_level": staff.permission_level, "name": staff.name},
    )


HANDLERS = {
    IssueMagicLink: issue_magic_link,
    ConsumeMagicLink: consume_magic_link,
}

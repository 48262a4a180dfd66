"""Handlers for dashboard access: issuing and consuming single-use magic links."""

from __future__ import annotations

from datetime import timedelta

from eventsourcing.application import AggregateNotFoundError

from aggregates.access import MAGIC_LINK_TTL, InvalidMagicLink, MagicLink, hash_token
from aggregates.errors import InvalidInput, PermissionDenied
from aggregates.staff import StaffMember
from commands.base import CommandBase, CommandResult, retry_on_conflict
from commands.messages import ConsumeMagicLink, IssueMagicLink

LOGIN_STATUSES = ("active", "onboarding")
SUSPENDED_ES = "Este negocio está suspendido; no es posible iniciar sesión. Contacta a soporte de Parlo."


class AccessCommands(CommandBase):
    @retry_on_conflict
    def issue_magic_link(self, cmd: IssueMagicLink) -> CommandResult:
        if cmd.actor.kind not in ("admin", "system"):
            raise PermissionDenied("Solo la plataforma emite enlaces de acceso.")
        if len(cmd.token or "") < 32:
            raise InvalidInput("El token del enlace es demasiado corto.")
        if not 1 <= cmd.ttl_minutes <= int(MAGIC_LINK_TTL.total_seconds() // 60):
            raise InvalidInput("Un enlace de acceso dura como máximo 15 minutos.")
        org = self._organization(cmd.organization_id)
        if org.status not in LOGIN_STATUSES:
            raise PermissionDenied(SUSPENDED_ES)
        staff = self._owned(StaffMember, cmd.staff_id, org.id, "No encontré a esa persona en este negocio.")
        if not staff.is_active:
            raise PermissionDenied("Tu usuario está desactivado en este negocio.")
        now = self.now()
        link = MagicLink.issue(
            token_hash=hash_token(cmd.token),
            organization_id=org.id,
            staff_id=staff.id,
            issued_at=now,
            expires_at=now + timedelta(minutes=cmd.ttl_minutes),
            actor=cmd.actor.label,
            cause=cmd.cause,
        )
        return CommandResult(link.id, self._save(link), {"expires_at": link.expires_at})

    @retry_on_conflict
    def consume_magic_link(self, cmd: ConsumeMagicLink) -> CommandResult:
        link_id = MagicLink.create_id(hash_token(cmd.token))
        try:
            link = self.repository.get(link_id)
        except AggregateNotFoundError:
            raise InvalidMagicLink("El enlace de acceso no es válido; pide uno nuevo por WhatsApp.") from None
        if not isinstance(link, MagicLink):
            raise InvalidMagicLink("El enlace de acceso no es válido; pide uno nuevo por WhatsApp.")
        now = self.now()
        link.check_usable(now)
        org = self._organization(link.organization_id)
        if org.status not in LOGIN_STATUSES:
            raise PermissionDenied(SUSPENDED_ES)
        staff = self._owned(StaffMember, link.staff_id, org.id, "No encontré a esa persona en este negocio.")
        if not staff.is_active:
            raise PermissionDenied("Tu usuario está desactivado en este negocio.")
        link.consume(at=now, actor=f"{'owner' if staff.permission_level == 'owner' else 'staff'}:{staff.id}", cause=cmd.cause)
        return CommandResult(
            link.id,
            self._save(link),
            {"organization_id": org.id, "staff_id": staff.id, "permission_level": staff.permission_level, "name": staff.name},
        )

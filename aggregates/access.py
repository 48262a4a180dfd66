"""Access to the web dashboard: single-use magic links.

A magic link is a random token sent by WhatsApp. Only its SHA-256 hash is ever recorded, and the
aggregate id is a uuid5 of that hash, so the plain token is the only way to find the link again.
Single use holds by construction: consuming records an event on version N; a second (or racing)
consumption either sees ``used_at`` or loses the version race, reloads and then sees it.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

from eventsourcing.domain import event

from aggregates.base import ParloAggregate
from aggregates.errors import DomainError, InvalidInput
from aggregates.organization import NAMESPACE

MAGIC_LINK_TTL = timedelta(minutes=15)
TOKEN_TYPES = ("magic_link",)


class InvalidMagicLink(DomainError):
    """Unknown, used or expired token: the caller must ask for a new link."""

    code = "invalid_magic_link"
    http_status = 401


def hash_token(token: str) -> str:
    """The SHA-256 hex digest of a token: what is stored instead of the token."""
    if not isinstance(token, str) or not token.strip():
        raise InvalidMagicLink("El enlace de acceso no es válido.")
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


class MagicLink(ParloAggregate):
    @staticmethod
    def create_id(token_hash: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"magic-link:{token_hash}")

    @classmethod
    def issue(
        cls,
        *,
        token_hash: str,
        organization_id: uuid.UUID,
        staff_id: uuid.UUID,
        issued_at: datetime,
        expires_at: datetime,
    ) -> MagicLink:
        if len(token_hash) != 64:
            raise InvalidInput("El token debe guardarse como hash SHA-256.")
        if expires_at <= issued_at:
            raise InvalidInput("El enlace debe vencer después de emitirse.")
        return cls._create(
            cls.Issued,
            id=cls.create_id(token_hash),
            token_hash=token_hash,
            token_type="magic_link",
            organization_id=organization_id,
            staff_id=staff_id,
            issued_at=issued_at,
            expires_at=expires_at,
        )

    class Issued(ParloAggregate.Created):
        token_hash: str
        token_type: str
        organization_id: uuid.UUID
        staff_id: uuid.UUID
        issued_at: datetime
        expires_at: datetime

    @event(Issued)
    def __init__(
        self,
        *,
        token_hash: str,
        token_type: str,
        organization_id: uuid.UUID,
        staff_id: uuid.UUID,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        self.token_hash = token_hash
        self.token_type = token_type
        self.organization_id = organization_id
        self.staff_id = staff_id
        self.issued_at = issued_at
        self.expires_at = expires_at
        self.used_at: datetime | None = None

    def check_usable(self, now: datetime) -> None:
        if self.used_at is not None:
            raise InvalidMagicLink("Este enlace de acceso ya se usó; pide uno nuevo por WhatsApp.")
        if now >= self.expires_at:
            raise InvalidMagicLink("Este enlace de acceso ya venció; pide uno nuevo por WhatsApp.")

    def consume(self, *, at: datetime) -> None:
        self.check_usable(at)
        self._consumed(used_at=at)

    @event("Consumed")
    def _consumed(self, used_at: datetime) -> None:
        self.used_at = used_at

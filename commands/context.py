"""Who issues a command and why. Both are copied onto every event the command records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from aggregates.errors import InvalidInput
from commands.phones import normalize_phone

ActorKind = Literal["customer", "staff", "admin", "system"]


@dataclass(frozen=True)
class Actor:
    """``id`` is the customer's phone, the staff member's uuid, the admin's name or the job's name."""

    kind: ActorKind
    id: str

    @classmethod
    def customer(cls, phone: str) -> Actor:
        return cls("customer", phone)

    @classmethod
    def staff(cls, staff_id: object) -> Actor:
        return cls("staff", str(staff_id))

    @classmethod
    def admin(cls, name: str = "admin") -> Actor:
        return cls("admin", name)

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls("system", job)

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_actor_label(label: str) -> tuple[str, str]:
    """Split an event's recorded actor (``owner:<uuid>``) into kind and id."""
    kind, _, ident = label.partition(":")
    return kind, ident


class _StaffLike(Protocol):
    id: object
    permission_level: str


def provisional_label(actor: Actor) -> str:
    """The actor's label before the command has checked it: a customer's phone may not parse yet
    (the handler then refuses it) and a staff member is ``staff:`` until authorized as an owner."""
    try:
        return actor_label(actor)
    except InvalidInput:
        return actor.label


def actor_label(actor: Actor, staff: _StaffLike | None = None) -> str:
    """What events record as their actor: ``customer:<E.164>``, ``owner:<uuid>`` or ``staff:<uuid>``
    (by the staff member's permission level, read from the aggregate), ``admin:<name>``, ``system:<job>``."""
    if actor.kind == "customer":
        return f"customer:{normalize_phone(actor.id)}"
    if staff is not None:
        return f"{'owner' if staff.permission_level == 'owner' else 'staff'}:{staff.id}"
    return actor.label

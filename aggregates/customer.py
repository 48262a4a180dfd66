"""An end customer of one business. The id is a uuid5 of (organization, phone): unique per business."""

from __future__ import annotations

import uuid
from datetime import datetime

from eventsourcing.domain import event

from aggregates.base import ParloAggregate, legacy_changes
from aggregates.errors import InvalidInput
from aggregates.organization import NAMESPACE


def _clean(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("El nombre no puede quedar vacío.")
    name = " ".join(name.split())
    if len(name) > 120:
        raise InvalidInput("El nombre es demasiado largo.")
    return name


class Customer(ParloAggregate):
    @staticmethod
    def create_id(organization_id: uuid.UUID, phone_number: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"customer:{organization_id}:{phone_number}")

    @classmethod
    def register(
        cls,
        *,
        organization_id: uuid.UUID,
        phone_number: str,
        name: str | None,
        name_verified_at: datetime | None,
        email: str | None,
        notes: str | None,
    ) -> Customer:
        return cls._create(
            cls.Registered,
            id=cls.create_id(organization_id, phone_number),
            organization_id=organization_id,
            phone_number=phone_number,
            name=_clean(name) if name else None,
            name_verified_at=name_verified_at if name else None,
            email=(email or None),
            notes=(notes or ""),
        )

    class Registered(ParloAggregate.Created):
        organization_id: uuid.UUID
        phone_number: str
        name: str | None
        name_verified_at: datetime | None
        email: str | None
        notes: str

    @event(Registered)
    def __init__(
        self,
        *,
        organization_id: uuid.UUID,
        phone_number: str,
        name: str | None,
        name_verified_at: datetime | None,
        email: str | None,
        notes: str,
    ) -> None:
        self.organization_id = organization_id
        self.phone_number = phone_number
        self.name = name
        self.name_verified_at = name_verified_at
        self.email = email
        self.notes = notes

    def learn_name(self, name: str, *, verified_at: datetime | None) -> None:
        """Record a name; ``verified_at`` is set when the customer confirmed it themselves."""
        name = _clean(name)
        if name != self.name or (verified_at is not None and self.name_verified_at is None):
            self._name_learned(name=name, verified_at=verified_at)

    @event("NameLearned")
    def _name_learned(self, name: str, verified_at: datetime | None) -> None:
        self.name = name
        if verified_at is not None:
            self.name_verified_at = verified_at

    def update_details(self, changes: dict) -> None:
        allowed = {"email", "notes"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"No se puede cambiar: {', '.join(sorted(unknown))}.")
        if "email" in changes and changes["email"] and "@" not in str(changes["email"]):
            raise InvalidInput("El correo no parece válido.")
        clean = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if "email" in clean:
            self._email_changed(email=clean["email"])
        if "notes" in clean:
            self._notes_changed(notes=clean["notes"])

    @event("EmailChanged")
    def _email_changed(self, email: str | None) -> None:
        self.email = email

    @event("NotesChanged")
    def _notes_changed(self, notes: str) -> None:
        self.notes = notes

    class DetailsUpdated(ParloAggregate.Event):
        """Old code's one event for email and notes (``changes: dict``); read, never recorded."""

        email: str | None
        notes: str | None

        partial_changes = True  # None: not changed

        class_version = 3
        upcast_v2_v3 = legacy_changes("email", "notes")

    @event(DetailsUpdated)
    def _details_updated(self, email: str | None, notes: str | None) -> None:
        if email is not None:
            self.email = email
        if notes is not None:
            self.notes = notes

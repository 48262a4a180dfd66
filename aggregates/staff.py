"""A person who works at the business (the spec's ParloUser): staff, admins, viewers and the owner.

The id is a uuid5 of (organization, phone), so registering the same phone twice in one
organization is a version conflict in the event store: uniqueness holds under concurrency.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from eventsourcing.domain import event

from aggregates.base import ParloAggregate, legacy_changes
from aggregates.errors import InactiveStaff, InvalidInput, OutsideWorkingHours, PermissionDenied, ServiceNotOffered
from aggregates.organization import NAMESPACE
from aggregates.timeslots import WeeklyHours, validate_weekly_hours, within_hours

PERMISSION_LEVELS = ("owner", "admin", "staff", "viewer")

# The spec's permission matrix: which levels may do what.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_own_schedule": frozenset({"owner", "admin", "staff", "viewer"}),
    "view_business_schedule": frozenset({"owner", "admin", "staff", "viewer"}),
    "book": frozenset({"owner", "admin", "staff"}),
    "mark_attendance": frozenset({"owner", "admin", "staff"}),
    "block_own_time": frozenset({"owner", "admin", "staff"}),
    "block_others_time": frozenset({"owner", "admin"}),
    "cancel_appointment": frozenset({"owner", "admin", "staff"}),
    "manage_customers": frozenset({"owner", "admin", "staff"}),
    # Ending a handoff gives the conversation back to the assistant. The owners are the ones told
    # about the handoff; admins stand in for them on day-to-day operations (docs/security.md).
    "resolve_handoff": frozenset({"owner", "admin"}),
    "view_stats": frozenset({"owner", "admin"}),
    "add_staff": frozenset({"owner", "admin"}),
    "remove_staff": frozenset({"owner", "admin"}),
    "change_permissions": frozenset({"owner"}),
    "change_business_hours": frozenset({"owner"}),
    "change_service_durations": frozenset({"owner"}),
    "manage_services": frozenset({"owner"}),
    "manage_settings": frozenset({"owner"}),
}

ACTION_NAMES_ES = {
    "book": "agendar citas",
    "mark_attendance": "marcar asistencia",
    "block_own_time": "bloquear horarios",
    "block_others_time": "bloquear el horario de otras personas",
    "cancel_appointment": "cancelar citas",
    "manage_customers": "editar clientes",
    "resolve_handoff": "devolverle la conversación al asistente",
    "view_stats": "ver estadísticas",
    "add_staff": "agregar personal",
    "remove_staff": "dar de baja personal",
    "change_permissions": "cambiar permisos",
    "change_business_hours": "cambiar el horario del negocio",
    "change_service_durations": "cambiar la duración de los servicios",
    "manage_services": "modificar servicios y precios",
    "manage_settings": "cambiar la configuración del negocio",
}


def can(permission_level: str, action: str) -> bool:
    return permission_level in PERMISSIONS.get(action, frozenset())


class StaffMember(ParloAggregate):
    @staticmethod
    def create_id(organization_id: uuid.UUID, phone_number: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"staff:{organization_id}:{phone_number}")

    @classmethod
    def register(
        cls,
        *,
        organization_id: uuid.UUID,
        name: str,
        phone_number: str,
        permission_level: str,
        service_ids: list[uuid.UUID],
        working_hours: dict | None,
        location_id: uuid.UUID | None,
        default_spot_id: uuid.UUID | None,
    ) -> StaffMember:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("Falta el nombre de la persona.")
        if permission_level not in PERMISSION_LEVELS:
            raise InvalidInput(f"Nivel de permiso desconocido: «{permission_level}».")
        return cls._create(
            cls.Registered,
            id=cls.create_id(organization_id, phone_number),
            organization_id=organization_id,
            name=" ".join(name.split()),
            phone_number=phone_number,
            role="owner" if permission_level == "owner" else "employee",
            permission_level=permission_level,
            service_ids=[str(s) for s in service_ids],
            working_hours=validate_weekly_hours(working_hours) if working_hours is not None else None,
            location_id=location_id,
            default_spot_id=default_spot_id,
        )

    class Registered(ParloAggregate.Created):
        organization_id: uuid.UUID
        name: str
        phone_number: str
        role: str
        permission_level: str
        service_ids: list
        working_hours: dict | None
        location_id: uuid.UUID | None
        default_spot_id: uuid.UUID | None

    @event(Registered)
    def __init__(
        self,
        *,
        organization_id: uuid.UUID,
        name: str,
        phone_number: str,
        role: str,
        permission_level: str,
        service_ids: list,
        working_hours: dict | None,
        location_id: uuid.UUID | None,
        default_spot_id: uuid.UUID | None,
    ) -> None:
        self.organization_id = organization_id
        self.name = name
        self.phone_number = phone_number
        self.role = role
        self.permission_level = permission_level
        self.service_ids = list(service_ids)
        # None means "the business hours of the location": most small shops work that way.
        self.working_hours: WeeklyHours | None = working_hours
        self.location_id = location_id
        self.default_spot_id = default_spot_id
        self.is_active = True
        self.first_message_at: datetime | None = None

    # ---- decisions ---------------------------------------------------------------------

    def require(self, action: str) -> None:
        if not self.is_active:
            raise PermissionDenied("Tu usuario está desactivado en este negocio.")
        if not can(self.permission_level, action):
            raise PermissionDenied(f"No tienes permiso para {ACTION_NAMES_ES.get(action, action)}.")

    def check_can_serve(self, service_id: uuid.UUID, service_name: str) -> None:
        if not self.is_active:
            raise InactiveStaff(f"{self.name} ya no está recibiendo citas.")
        if self.permission_level == "viewer":
            # Viewers have read-only access (assistants, trainees): never booked for a service.
            raise ServiceNotOffered(f"{self.name} tiene acceso de solo lectura y no atiende citas.")
        if str(service_id) not in self.service_ids:
            raise ServiceNotOffered(f"{self.name} no realiza el servicio «{service_name}».")

    def check_working(self, start: datetime, end: datetime, timezone: str) -> None:
        if self.working_hours is not None and not within_hours(self.working_hours, start, end, timezone):
            raise OutsideWorkingHours(f"{self.name} no trabaja en ese horario.")

    # ---- changes -----------------------------------------------------------------------

    def update_profile(self, changes: dict) -> None:
        allowed = {"name", "location_id", "default_spot_id"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"No se puede cambiar: {', '.join(sorted(unknown))}.")
        clean = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if "name" in clean:
            if not isinstance(clean["name"], str) or not clean["name"].strip():
                raise InvalidInput("El nombre no puede quedar vacío.")
            clean["name"] = " ".join(clean["name"].split())
        if "name" in clean:
            self._renamed(name=clean["name"])
        if "location_id" in clean:
            self._location_assigned(location_id=clean["location_id"])
        if "default_spot_id" in clean:
            self._default_spot_assigned(default_spot_id=clean["default_spot_id"])

    @event("Renamed")
    def _renamed(self, name: str) -> None:
        self.name = name

    @event("LocationAssigned")
    def _location_assigned(self, location_id: uuid.UUID | None) -> None:
        self.location_id = location_id

    @event("DefaultSpotAssigned")
    def _default_spot_assigned(self, default_spot_id: uuid.UUID | None) -> None:
        self.default_spot_id = default_spot_id

    class ProfileUpdated(ParloAggregate.Event):
        """Old code's one event for any profile change (``changes: dict``); read, never recorded."""

        name: str | None
        location_id: uuid.UUID | None
        default_spot_id: uuid.UUID | None

        partial_changes = True  # None: not changed

        class_version = 3
        upcast_v2_v3 = legacy_changes("name", "location_id", "default_spot_id")

    @event(ProfileUpdated)
    def _profile_updated(self, name: str | None, location_id: uuid.UUID | None, default_spot_id: uuid.UUID | None) -> None:
        if name is not None:
            self.name = name
        if location_id is not None:
            self.location_id = location_id
        if default_spot_id is not None:
            self.default_spot_id = default_spot_id

    def change_permission_level(self, level: str) -> None:
        if level not in PERMISSION_LEVELS:
            raise InvalidInput(f"Nivel de permiso desconocido: «{level}».")
        if level != self.permission_level:
            self._permission_level_changed(permission_level=level)

    @event("PermissionLevelChanged")
    def _permission_level_changed(self, permission_level: str) -> None:
        self.permission_level = permission_level
        self.role = "owner" if permission_level == "owner" else "employee"

    def assign_services(self, service_ids: list[uuid.UUID]) -> None:
        ids = sorted({str(s) for s in service_ids})
        if ids != sorted(self.service_ids):
            self._services_assigned(service_ids=ids)

    @event("ServicesAssigned")
    def _services_assigned(self, service_ids: list) -> None:
        self.service_ids = list(service_ids)

    def set_working_hours(self, hours: dict | None) -> None:
        canonical = validate_weekly_hours(hours) if hours is not None else None
        if canonical != self.working_hours:
            self._working_hours_set(working_hours=canonical)

    @event("WorkingHoursSet")
    def _working_hours_set(self, working_hours: dict | None) -> None:
        self.working_hours = working_hours

    def deactivate(self) -> None:
        if self.is_active:
            self._deactivated()

    @event("Deactivated")
    def _deactivated(self) -> None:
        self.is_active = False

    def reactivate(self) -> None:
        if not self.is_active:
            self._reactivated()

    @event("Reactivated")
    def _reactivated(self) -> None:
        self.is_active = True

    def record_first_message(self, at: datetime) -> None:
        if self.first_message_at is None:
            self._first_message_seen(at=at)

    @event("FirstMessageSeen")
    def _first_message_seen(self, at: datetime) -> None:
        self.first_message_at = at

"""The business: profile, status, locations, hours, closures, services, spots and settings.

Written rarely and by the owner, so one aggregate holds it all. Appointments never load it for
writing except the first time a service or spot is booked (``mark_*_used``), which is what lets
it refuse to delete a service or spot that has appointments.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import event

from aggregates.base import ParloAggregate
from aggregates.errors import (
    AlreadyExists,
    BusinessClosed,
    InactiveService,
    InUse,
    InvalidInput,
    InvalidTransition,
    NotFound,
    OutsideBusinessHours,
)
from aggregates.timeslots import (
    WeeklyHours,
    local_date,
    validate_timezone,
    validate_weekly_hours,
    within_hours,
)

NAMESPACE = uuid.UUID("5b0c7b0e-9a52-4d55-8f43-2f8a6b1d7c10")

STATUSES = ("onboarding", "active", "suspended", "churned")
STATUS_TRANSITIONS = {
    "onboarding": {"active", "suspended", "churned"},
    "active": {"suspended", "churned"},
    "suspended": {"active", "churned"},
    "churned": {"active"},
}
BUSINESS_TYPES = ("barbershop", "hair_salon", "nail_salon", "spa", "beauty_salon", "other")
DEFAULT_SETTINGS: dict[str, Any] = {
    "min_notice_minutes": 60,
    "max_horizon_days": 30,
    "buffer_minutes": 0,
    "slot_interval_minutes": 30,
    "reminder_hours_before": 24,
}

# The only settings there are, with their allowed (inclusive) ranges.
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "min_notice_minutes": (0, 7 * 24 * 60),
    "max_horizon_days": (1, 365),
    "buffer_minutes": (0, 240),
    "slot_interval_minutes": (5, 240),
    "reminder_hours_before": (1, 72),
}


def _clean_name(value: str, what: str, limit: int = 120) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"Falta {what}.")
    value = " ".join(value.split())
    if len(value) > limit:
        raise InvalidInput(f"{what.capitalize()} es demasiado largo (máximo {limit} caracteres).")
    return value


class Organization(ParloAggregate):
    @staticmethod
    def create_id(whatsapp_number: str) -> uuid.UUID:
        """One organization per WhatsApp number: a second registration is a version conflict."""
        return uuid.uuid5(NAMESPACE, f"organization:{whatsapp_number}")

    @classmethod
    def register(
        cls,
        *,
        name: str,
        business_type: str,
        timezone: str,
        whatsapp_number: str,
        location_id: uuid.UUID,
        location_name: str,
        location_address: str,
        business_hours: dict,
    ) -> Organization:
        name = _clean_name(name, "el nombre del negocio")
        if business_type not in BUSINESS_TYPES:
            raise InvalidInput(f"Tipo de negocio desconocido: «{business_type}».")
        return cls._create(
            cls.Registered,
            id=cls.create_id(whatsapp_number),
            name=name,
            business_type=business_type,
            timezone=validate_timezone(timezone),
            whatsapp_number=whatsapp_number,
            location_id=location_id,
            location_name=_clean_name(location_name, "el nombre de la sucursal"),
            location_address=(location_address or "").strip(),
            business_hours=validate_weekly_hours(business_hours),
        )

    class Registered(ParloAggregate.Created):
        name: str
        business_type: str
        timezone: str
        whatsapp_number: str
        location_id: uuid.UUID
        location_name: str
        location_address: str
        business_hours: dict

    @event(Registered)
    def __init__(
        self,
        *,
        name: str,
        business_type: str,
        timezone: str,
        whatsapp_number: str,
        location_id: uuid.UUID,
        location_name: str,
        location_address: str,
        business_hours: dict,
    ) -> None:
        self.name = name
        self.business_type = business_type
        self.timezone = timezone
        self.status = "onboarding"
        self.whatsapp_numbers = [whatsapp_number]
        self.locations: dict[str, dict] = {
            str(location_id): {
                "name": location_name,
                "address": location_address,
                "is_primary": True,
                "business_hours": business_hours,
            }
        }
        self.closures: dict[str, dict] = {}
        self.services: dict[str, dict] = {}
        self.spots: dict[str, dict] = {}
        self.staff_ids: list[str] = []
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)

    # ---- queries the write side decides with -------------------------------------------

    @property
    def primary_location_id(self) -> uuid.UUID:
        for location_id, location in self.locations.items():
            if location["is_primary"]:
                return uuid.UUID(location_id)
        raise NotFound("El negocio no tiene sucursal principal.")  # pragma: no cover

    def location(self, location_id: uuid.UUID) -> dict:
        try:
            return self.locations[str(location_id)]
        except KeyError:
            raise NotFound("No encontré esa sucursal en este negocio.") from None

    def service(self, service_id: uuid.UUID) -> dict:
        try:
            return self.services[str(service_id)]
        except KeyError:
            raise NotFound("No encontré ese servicio en este negocio.") from None

    def spot(self, spot_id: uuid.UUID) -> dict:
        try:
            return self.spots[str(spot_id)]
        except KeyError:
            raise NotFound("No encontré ese lugar de trabajo en este negocio.") from None

    def bookable_service(self, service_id: uuid.UUID) -> dict:
        service = self.service(service_id)
        if not service["is_active"]:
            raise InactiveService(f"El servicio «{service['name']}» no está disponible por ahora.")
        return service

    def spots_for(self, location_id: uuid.UUID, service_id: uuid.UUID) -> list[uuid.UUID]:
        """Active spots of a location that can serve a service, in display order."""
        matching = [
            (spot["display_order"], spot_id)
            for spot_id, spot in self.spots.items()
            if spot["location_id"] == str(location_id)
            and spot["is_active"]
            and str(service_id) in spot["service_ids"]
        ]
        return [uuid.UUID(spot_id) for _, spot_id in sorted(matching)]

    def uses_spots(self, location_id: uuid.UUID) -> bool:
        return any(s["location_id"] == str(location_id) and s["is_active"] for s in self.spots.values())

    def check_open(self, location_id: uuid.UUID, start: datetime, end: datetime) -> None:
        """Raise unless the business is open for the whole of [start, end)."""
        if start >= end:
            raise InvalidInput("La hora de inicio debe ser antes de la hora de fin.")
        if self.status in ("suspended", "churned"):
            raise BusinessClosed("Este negocio no está recibiendo citas por ahora.")
        for closure in self.closures.values():
            first, last = date.fromisoformat(closure["start_date"]), date.fromisoformat(closure["end_date"])
            if first <= local_date(start, self.timezone) <= last or first <= local_date(end, self.timezone) <= last:
                reason = f" ({closure['reason']})" if closure["reason"] else ""
                raise BusinessClosed(f"El negocio estará cerrado ese día{reason}.")
        hours = self.location(location_id)["business_hours"]
        if not within_hours(hours, start, end, self.timezone):
            raise OutsideBusinessHours("Ese horario está fuera del horario de atención del negocio.")

    # ---- profile and status ----------------------------------------------------------

    def update_profile(self, *, name: str | None, business_type: str | None, timezone: str | None) -> None:
        changes: dict[str, str] = {}
        if name is not None and name != self.name:
            changes["name"] = _clean_name(name, "el nombre del negocio")
        if business_type is not None and business_type != self.business_type:
            if business_type not in BUSINESS_TYPES:
                raise InvalidInput(f"Tipo de negocio desconocido: «{business_type}».")
            changes["business_type"] = business_type
        if timezone is not None and timezone != self.timezone:
            changes["timezone"] = validate_timezone(timezone)
        if changes:
            self._profile_updated(changes=changes)

    @event("ProfileUpdated")
    def _profile_updated(self, changes: dict) -> None:
        for key, value in changes.items():
            setattr(self, key, value)

    def change_status(self, status: str, reason: str) -> None:
        if status not in STATUSES:
            raise InvalidInput(f"Estado desconocido: «{status}».")
        if status == self.status:
            return
        if status not in STATUS_TRANSITIONS[self.status]:
            raise InvalidTransition(f"Un negocio en estado «{self.status}» no puede pasar a «{status}».")
        self._status_changed(status=status, reason=reason or "")

    @event("StatusChanged")
    def _status_changed(self, status: str, reason: str) -> None:
        self.status = status

    def add_whatsapp_number(self, number: str) -> None:
        if number not in self.whatsapp_numbers:
            self._whatsapp_number_added(number=number)

    @event("WhatsAppNumberAdded")
    def _whatsapp_number_added(self, number: str) -> None:
        self.whatsapp_numbers = [*self.whatsapp_numbers, number]

    def update_settings(self, changes: dict) -> None:
        if not isinstance(changes, dict):
            raise InvalidInput("Los ajustes deben indicarse como nombre y valor.")
        unknown = sorted(str(key) for key in changes if key not in SETTING_LIMITS)
        if unknown:
            raise InvalidInput(
                f"Ajuste desconocido: {', '.join(f'«{key}»' for key in unknown)}. "
                f"Los ajustes válidos son: {', '.join(SETTING_LIMITS)}."
            )
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            low, high = SETTING_LIMITS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise InvalidInput(f"El ajuste «{key}» debe ser un número entero entre {low} y {high}.")
            clean[key] = value
        if clean and any(self.settings.get(k) != v for k, v in clean.items()):
            self._settings_updated(changes=clean)

    @event("SettingsUpdated")
    def _settings_updated(self, changes: dict) -> None:
        self.settings = {**self.settings, **changes}

    # ---- locations, hours and closures -------------------------------------------------

    def add_location(self, location_id: uuid.UUID, name: str, address: str, business_hours: dict) -> None:
        if str(location_id) in self.locations:
            raise AlreadyExists("Esa sucursal ya existe.")
        self._location_added(
            location_id=location_id,
            name=_clean_name(name, "el nombre de la sucursal"),
            address=(address or "").strip(),
            business_hours=validate_weekly_hours(business_hours),
        )

    @event("LocationAdded")
    def _location_added(self, location_id: uuid.UUID, name: str, address: str, business_hours: dict) -> None:
        self.locations = {
            **self.locations,
            str(location_id): {"name": name, "address": address, "is_primary": False, "business_hours": business_hours},
        }

    def update_location(self, location_id: uuid.UUID, *, name: str | None, address: str | None) -> None:
        location = self.location(location_id)
        changes = {}
        if name is not None and name != location["name"]:
            changes["name"] = _clean_name(name, "el nombre de la sucursal")
        if address is not None and address != location["address"]:
            changes["address"] = address.strip()
        if changes:
            self._location_updated(location_id=location_id, changes=changes)

    @event("LocationUpdated")
    def _location_updated(self, location_id: uuid.UUID, changes: dict) -> None:
        key = str(location_id)
        self.locations = {**self.locations, key: {**self.locations[key], **changes}}

    def remove_location(self, location_id: uuid.UUID) -> None:
        location = self.location(location_id)
        if location["is_primary"] or len(self.locations) == 1:
            raise InUse("No puedes eliminar la sucursal principal ni la única sucursal del negocio.")
        if any(spot["location_id"] == str(location_id) for spot in self.spots.values()):
            raise InUse("Primero mueve o elimina los lugares de trabajo de esa sucursal.")
        self._location_removed(location_id=location_id)

    @event("LocationRemoved")
    def _location_removed(self, location_id: uuid.UUID) -> None:
        self.locations = {k: v for k, v in self.locations.items() if k != str(location_id)}

    def set_business_hours(self, location_id: uuid.UUID, hours: dict) -> None:
        current = self.location(location_id)["business_hours"]
        if not isinstance(hours, dict):
            raise InvalidInput("El horario debe indicar los días de la semana.")
        canonical = validate_weekly_hours({**current, **hours})
        if canonical != current:
            self._business_hours_set(location_id=location_id, business_hours=canonical)

    @event("BusinessHoursSet")
    def _business_hours_set(self, location_id: uuid.UUID, business_hours: dict) -> None:
        key = str(location_id)
        self.locations = {**self.locations, key: {**self.locations[key], "business_hours": business_hours}}

    def close(self, closure_id: uuid.UUID, start_date: date, end_date: date, reason: str) -> None:
        if end_date < start_date:
            raise InvalidInput("La fecha final del cierre debe ser igual o posterior a la inicial.")
        if (end_date - start_date).days > 366:
            raise InvalidInput("Un cierre no puede durar más de un año.")
        if str(closure_id) in self.closures:
            return  # the same closure requested again: nothing new happened
        self._closed(
            closure_id=closure_id,
            start_date=start_date.isoformat(),
            end_date=end_date.isoformat(),
            reason=(reason or "").strip(),
        )

    @event("ClosureScheduled")
    def _closed(self, closure_id: uuid.UUID, start_date: str, end_date: str, reason: str) -> None:
        self.closures = {**self.closures, str(closure_id): {"start_date": start_date, "end_date": end_date, "reason": reason}}

    def reopen(self, closure_id: uuid.UUID) -> None:
        if str(closure_id) not in self.closures:
            raise NotFound("No encontré ese cierre.")
        self._closure_removed(closure_id=closure_id)

    @event("ClosureRemoved")
    def _closure_removed(self, closure_id: uuid.UUID) -> None:
        self.closures = {k: v for k, v in self.closures.items() if k != str(closure_id)}

    # ---- services ----------------------------------------------------------------------

    def _check_service_fields(self, name: str, duration_minutes: int, price_cents: int, except_id: str | None = None) -> None:
        if not isinstance(duration_minutes, int) or isinstance(duration_minutes, bool) or not 5 <= duration_minutes <= 600:
            raise InvalidInput("La duración del servicio debe ser de 5 a 600 minutos.")
        if not isinstance(price_cents, int) or isinstance(price_cents, bool) or not 0 <= price_cents <= 10_000_000:
            raise InvalidInput("El precio debe ser un número de centavos entre 0 y 10,000,000.")
        lowered = name.lower()
        for other_id, service in self.services.items():
            if other_id != except_id and service["name"].lower() == lowered:
                raise AlreadyExists(f"Ya existe un servicio llamado «{service['name']}».")

    def add_service(
        self,
        service_id: uuid.UUID,
        *,
        name: str,
        description: str,
        duration_minutes: int,
        price_cents: int,
    ) -> None:
        if str(service_id) in self.services:
            raise AlreadyExists("Ese servicio ya existe.")
        name = _clean_name(name, "el nombre del servicio")
        self._check_service_fields(name, duration_minutes, price_cents)
        self._service_added(
            service_id=service_id,
            name=name,
            description=(description or "").strip(),
            duration_minutes=duration_minutes,
            price_cents=price_cents,
        )

    @event("ServiceAdded")
    def _service_added(
        self, service_id: uuid.UUID, name: str, description: str, duration_minutes: int, price_cents: int
    ) -> None:
        self.services = {
            **self.services,
            str(service_id): {
                "name": name,
                "description": description,
                "duration_minutes": duration_minutes,
                "price_cents": price_cents,
                "currency": "MXN",
                "is_active": True,
                "has_appointments": False,
            },
        }

    def update_service(self, service_id: uuid.UUID, changes: dict) -> None:
        service = self.service(service_id)
        allowed = {"name", "description", "duration_minutes", "price_cents", "is_active"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"No se puede cambiar: {', '.join(sorted(unknown))}.")
        clean = {k: v for k, v in changes.items() if service.get(k) != v}
        if "name" in clean:
            clean["name"] = _clean_name(clean["name"], "el nombre del servicio")
        if "is_active" in clean and not isinstance(clean["is_active"], bool):
            raise InvalidInput("is_active debe ser verdadero o falso.")
        merged = {**service, **clean}
        self._check_service_fields(merged["name"], merged["duration_minutes"], merged["price_cents"], except_id=str(service_id))
        if clean:
            self._service_updated(service_id=service_id, changes=clean)

    @event("ServiceUpdated")
    def _service_updated(self, service_id: uuid.UUID, changes: dict) -> None:
        key = str(service_id)
        self.services = {**self.services, key: {**self.services[key], **changes}}

    def remove_service(self, service_id: uuid.UUID) -> None:
        service = self.service(service_id)
        if service["has_appointments"]:
            raise InUse(f"«{service['name']}» ya tiene citas; puedes desactivarlo, pero no eliminarlo.")
        self._service_removed(service_id=service_id)

    @event("ServiceRemoved")
    def _service_removed(self, service_id: uuid.UUID) -> None:
        self.services = {k: v for k, v in self.services.items() if k != str(service_id)}
        self.spots = {
            k: {**v, "service_ids": [s for s in v["service_ids"] if s != str(service_id)]} for k, v in self.spots.items()
        }

    def mark_service_used(self, service_id: uuid.UUID) -> None:
        if not self.service(service_id)["has_appointments"]:
            self._service_first_booked(service_id=service_id)

    @event("ServiceFirstBooked")
    def _service_first_booked(self, service_id: uuid.UUID) -> None:
        key = str(service_id)
        self.services = {**self.services, key: {**self.services[key], "has_appointments": True}}

    # ---- spots -------------------------------------------------------------------------

    def add_spot(
        self, spot_id: uuid.UUID, *, location_id: uuid.UUID, name: str, display_order: int, service_ids: list[uuid.UUID]
    ) -> None:
        if str(spot_id) in self.spots:
            raise AlreadyExists("Ese lugar ya existe.")
        self.location(location_id)
        for service_id in service_ids:
            self.service(service_id)
        self._spot_added(
            spot_id=spot_id,
            location_id=location_id,
            name=_clean_name(name, "el nombre del lugar"),
            display_order=int(display_order),
            service_ids=[str(s) for s in service_ids],
        )

    @event("SpotAdded")
    def _spot_added(
        self, spot_id: uuid.UUID, location_id: uuid.UUID, name: str, display_order: int, service_ids: list
    ) -> None:
        self.spots = {
            **self.spots,
            str(spot_id): {
                "location_id": str(location_id),
                "name": name,
                "display_order": display_order,
                "service_ids": list(service_ids),
                "is_active": True,
                "has_appointments": False,
            },
        }

    def update_spot(self, spot_id: uuid.UUID, changes: dict) -> None:
        spot = self.spot(spot_id)
        allowed = {"name", "display_order", "is_active", "service_ids"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"No se puede cambiar: {', '.join(sorted(unknown))}.")
        clean = dict(changes)
        if "service_ids" in clean:
            for service_id in clean["service_ids"]:
                self.service(uuid.UUID(str(service_id)))
            clean["service_ids"] = [str(s) for s in clean["service_ids"]]
        if "name" in clean:
            clean["name"] = _clean_name(clean["name"], "el nombre del lugar")
        clean = {k: v for k, v in clean.items() if spot.get(k) != v}
        if clean:
            self._spot_updated(spot_id=spot_id, changes=clean)

    @event("SpotUpdated")
    def _spot_updated(self, spot_id: uuid.UUID, changes: dict) -> None:
        key = str(spot_id)
        self.spots = {**self.spots, key: {**self.spots[key], **changes}}

    def remove_spot(self, spot_id: uuid.UUID) -> None:
        spot = self.spot(spot_id)
        if spot["has_appointments"]:
            raise InUse(f"«{spot['name']}» ya tiene citas; puedes desactivarlo, pero no eliminarlo.")
        self._spot_removed(spot_id=spot_id)

    @event("SpotRemoved")
    def _spot_removed(self, spot_id: uuid.UUID) -> None:
        self.spots = {k: v for k, v in self.spots.items() if k != str(spot_id)}

    def mark_spot_used(self, spot_id: uuid.UUID) -> None:
        if not self.spot(spot_id)["has_appointments"]:
            self._spot_first_booked(spot_id=spot_id)

    @event("SpotFirstBooked")
    def _spot_first_booked(self, spot_id: uuid.UUID) -> None:
        key = str(spot_id)
        self.spots = {**self.spots, key: {**self.spots[key], "has_appointments": True}}

    # ---- staff roster (an index, so commands can pick a free staff member) -----------

    def enlist_staff(self, staff_id: uuid.UUID) -> None:
        if str(staff_id) not in self.staff_ids:
            self._staff_enlisted(staff_id=staff_id)

    @event("StaffEnlisted")
    def _staff_enlisted(self, staff_id: uuid.UUID) -> None:
        self.staff_ids = [*self.staff_ids, str(staff_id)]

"""The business: profile, status, locations, hours, closures, services, spots and settings.

Written rarely and by the owner, so one aggregate holds it all. Appointments load it for writing only
the first time a service or spot is booked (``mark_*_used``): so it refuses to delete one in use.

Services, spots, locations and closures are frozen value objects (aggregates/values.py). Each
change is its own past-tense event with typed fields. The ``...Updated(changes: dict)`` events
of older code are still read (aggregates/organization_legacy.py), and so is the old name of
``ClosureCancelled``, ``ClosureRemoved``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import event, register_topic

from aggregates.base import ParloAggregate
from aggregates.errors import AlreadyExists, BusinessClosed, InactiveService, InUse, InvalidInput, InvalidTransition, NotFound, OutsideBusinessHours
from aggregates.organization_legacy import LEGACY_EVENTS, SERVICE_FIELDS, SPOT_FIELDS
from aggregates.organization_rules import (  # noqa: F401 - the constants are part of this module's interface
    BUSINESS_TYPES,
    DEFAULT_SETTINGS,
    SETTING_LIMITS,
    STATUS_TRANSITIONS,
    STATUSES,
    check_business_type,
    check_changes,
    check_service_fields,
    check_settings,
    clean_name,
)
from aggregates.timeslots import local_date, validate_timezone, validate_weekly_hours, within_hours
from aggregates.values import Closure, Location, Service, Spot
from vocabulary.statuses import LIVE_ORGANIZATION_STATUSES

NAMESPACE = uuid.UUID("5b0c7b0e-9a52-4d55-8f43-2f8a6b1d7c10")



class Organization(ParloAggregate):
    @staticmethod
    def create_id(whatsapp_number: str) -> uuid.UUID:
        """One organization per WhatsApp number: a second registration is a version conflict."""
        return uuid.uuid5(NAMESPACE, f"organization:{whatsapp_number}")

    @classmethod
    def register(
        cls, *, name: str, business_type: str, timezone: str, whatsapp_number: str,
        location_id: uuid.UUID, location_name: str, location_address: str, business_hours: dict,
    ) -> Organization:
        return cls._create(
            cls.Registered,
            id=cls.create_id(whatsapp_number),
            name=clean_name(name, "el nombre del negocio"),
            business_type=check_business_type(business_type),
            timezone=validate_timezone(timezone),
            whatsapp_number=whatsapp_number,
            location_id=location_id,
            location_name=clean_name(location_name, "el nombre de la sucursal"),
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
        self, *, name: str, business_type: str, timezone: str, whatsapp_number: str,
        location_id: uuid.UUID, location_name: str, location_address: str, business_hours: dict,
    ) -> None:
        self.name = name
        self.business_type = business_type
        self.timezone = timezone
        self.status = "onboarding"
        self.whatsapp_numbers = [whatsapp_number]
        self.locations: dict[str, Location] = {
            str(location_id): Location(name=location_name, address=location_address, is_primary=True, business_hours=business_hours)
        }
        self.closures: dict[str, Closure] = {}
        self.services: dict[str, Service] = {}
        self.spots: dict[str, Spot] = {}
        self.staff_ids: list[str] = []
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)

    # ---- queries the write side decides with -------------------------------------------

    @property
    def primary_location_id(self) -> uuid.UUID:
        for location_id, location in self.locations.items():
            if location.is_primary:
                return uuid.UUID(location_id)
        raise NotFound("El negocio no tiene sucursal principal.")  # pragma: no cover

    def location(self, location_id: uuid.UUID) -> Location:
        try:
            return self.locations[str(location_id)]
        except KeyError:
            raise NotFound("No encontré esa sucursal en este negocio.") from None

    def service(self, service_id: uuid.UUID) -> Service:
        try:
            return self.services[str(service_id)]
        except KeyError:
            raise NotFound("No encontré ese servicio en este negocio.") from None

    def spot(self, spot_id: uuid.UUID) -> Spot:
        try:
            return self.spots[str(spot_id)]
        except KeyError:
            raise NotFound("No encontré ese lugar de trabajo en este negocio.") from None

    def bookable_service(self, service_id: uuid.UUID) -> Service:
        service = self.service(service_id)
        if not service.is_active:
            raise InactiveService(f"El servicio «{service.name}» no está disponible por ahora.")
        return service

    def spots_for(self, location_id: uuid.UUID, service_id: uuid.UUID) -> list[uuid.UUID]:
        """Active spots of a location that can serve a service, in display order."""
        matching = [
            (spot.display_order, spot_id)
            for spot_id, spot in self.spots.items()
            if spot.location_id == str(location_id) and spot.is_active and spot.serves(service_id)
        ]
        return [uuid.UUID(spot_id) for _, spot_id in sorted(matching)]

    def uses_spots(self, location_id: uuid.UUID) -> bool:
        return any(s.location_id == str(location_id) and s.is_active for s in self.spots.values())

    def check_taking_bookings(self) -> None:
        """Raise unless the business's status lets it take appointments (onboarding or active)."""
        if self.status not in LIVE_ORGANIZATION_STATUSES:
            raise BusinessClosed("Este negocio no está recibiendo citas por ahora.")

    def check_open(self, location_id: uuid.UUID, start: datetime, end: datetime) -> None:
        """Raise unless the business is open for the whole of [start, end)."""
        if start >= end:
            raise InvalidInput("La hora de inicio debe ser antes de la hora de fin.")
        self.check_taking_bookings()
        for closure in self.closures.values():
            if closure.covers(local_date(start, self.timezone)) or closure.covers(local_date(end, self.timezone)):
                reason = f" ({closure.reason})" if closure.reason else ""
                raise BusinessClosed(f"El negocio estará cerrado ese día{reason}.")
        if not within_hours(self.location(location_id).business_hours, start, end, self.timezone):
            raise OutsideBusinessHours("Ese horario está fuera del horario de atención del negocio.")

    # ---- profile and status ----------------------------------------------------------

    def update_profile(self, *, name: str | None, business_type: str | None, timezone: str | None) -> None:
        # decide everything first: either every change is recorded or none
        name = clean_name(name, "el nombre del negocio") if name is not None and name != self.name else None
        business_type = check_business_type(business_type) if business_type not in (None, self.business_type) else None
        timezone = validate_timezone(timezone) if timezone not in (None, self.timezone) else None
        if name is not None:
            self._renamed(name=name)
        if business_type is not None:
            self._business_type_changed(business_type=business_type)
        if timezone is not None:
            self._timezone_changed(timezone=timezone)

    @event("Renamed")
    def _renamed(self, name: str) -> None:
        self.name = name

    @event("BusinessTypeChanged")
    def _business_type_changed(self, business_type: str) -> None:
        self.business_type = business_type

    @event("TimezoneChanged")
    def _timezone_changed(self, timezone: str) -> None:
        self.timezone = timezone

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
        clean = check_settings(changes)
        if clean and any(self.settings.get(k) != v for k, v in clean.items()):
            self._settings_updated(changes=clean)

    @event("SettingsUpdated")
    def _settings_updated(self, changes: dict) -> None:
        self.settings = {**self.settings, **changes}

    # ---- staff roster (an index, so commands can pick a free staff member) -----------

    def enlist_staff(self, staff_id: uuid.UUID) -> None:
        if str(staff_id) not in self.staff_ids:
            self._staff_enlisted(staff_id=staff_id)

    @event("StaffEnlisted")
    def _staff_enlisted(self, staff_id: uuid.UUID) -> None:
        self.staff_ids = [*self.staff_ids, str(staff_id)]

    # ---- locations, hours and closures -------------------------------------------------

    def add_location(self, location_id: uuid.UUID, name: str, address: str, business_hours: dict) -> None:
        if str(location_id) in self.locations:
            raise AlreadyExists("Esa sucursal ya existe.")
        self._location_added(
            location_id=location_id,
            name=clean_name(name, "el nombre de la sucursal"),
            address=(address or "").strip(),
            business_hours=validate_weekly_hours(business_hours),
        )

    @event("LocationAdded")
    def _location_added(self, location_id: uuid.UUID, name: str, address: str, business_hours: dict) -> None:
        location = Location(name=name, address=address, is_primary=False, business_hours=business_hours)
        self.locations = {**self.locations, str(location_id): location}

    def _replace_location(self, location_id: uuid.UUID, **changes: Any) -> None:
        key = str(location_id)
        self.locations = {**self.locations, key: self.locations[key].replace(**changes)}

    def update_location(self, location_id: uuid.UUID, *, name: str | None, address: str | None) -> None:
        location = self.location(location_id)
        name = clean_name(name, "el nombre de la sucursal") if name is not None and name != location.name else None
        address = address.strip() if address is not None and address != location.address else None
        if name is not None:
            self._location_renamed(location_id=location_id, name=name)
        if address is not None:
            self._location_address_changed(location_id=location_id, address=address)

    @event("LocationRenamed")
    def _location_renamed(self, location_id: uuid.UUID, name: str) -> None:
        self._replace_location(location_id, name=name)

    @event("LocationAddressChanged")
    def _location_address_changed(self, location_id: uuid.UUID, address: str) -> None:
        self._replace_location(location_id, address=address)

    def remove_location(self, location_id: uuid.UUID) -> None:
        location = self.location(location_id)
        if location.is_primary or len(self.locations) == 1:
            raise InUse("No puedes eliminar la sucursal principal ni la única sucursal del negocio.")
        if any(spot.location_id == str(location_id) for spot in self.spots.values()):
            raise InUse("Primero mueve o elimina los lugares de trabajo de esa sucursal.")
        self._location_removed(location_id=location_id)

    @event("LocationRemoved")
    def _location_removed(self, location_id: uuid.UUID) -> None:
        self.locations = {k: v for k, v in self.locations.items() if k != str(location_id)}

    def set_business_hours(self, location_id: uuid.UUID, hours: dict) -> None:
        current = self.location(location_id).business_hours
        if not isinstance(hours, dict):
            raise InvalidInput("El horario debe indicar los días de la semana.")
        canonical = validate_weekly_hours({**current, **hours})
        if canonical != current:
            self._business_hours_set(location_id=location_id, business_hours=canonical)

    @event("BusinessHoursSet")
    def _business_hours_set(self, location_id: uuid.UUID, business_hours: dict) -> None:
        self._replace_location(location_id, business_hours=business_hours)

    def schedule_closure(self, closure_id: uuid.UUID, start_date: date, end_date: date, reason: str) -> None:
        if not isinstance(start_date, date) or not isinstance(end_date, date):
            raise InvalidInput("Las fechas del cierre no son válidas.")
        if end_date < start_date:
            raise InvalidInput("El cierre no puede terminar antes de empezar.")
        if (end_date - start_date).days > 366:
            raise InvalidInput("Un cierre no puede durar más de un año.")
        if str(closure_id) in self.closures:
            return  # the same closure requested again: nothing new happened
        self._closure_scheduled(closure_id=closure_id, closure=Closure(start_date, end_date, (reason or "").strip()))

    class ClosureScheduled(ParloAggregate.Event):
        closure_id: uuid.UUID
        closure: Closure

        class_version = 3

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """The closure's fields were the event's own (dates as ISO strings)."""
            start, end = date.fromisoformat(state.pop("start_date")), date.fromisoformat(state.pop("end_date"))
            state["closure"] = Closure(start, end, state.pop("reason"))

    @event(ClosureScheduled)
    def _closure_scheduled(self, closure_id: uuid.UUID, closure: Closure) -> None:
        self.closures = {**self.closures, str(closure_id): closure}

    def cancel_closure(self, closure_id: uuid.UUID) -> None:
        if str(closure_id) not in self.closures:
            raise NotFound("No encontré ese cierre.")
        self._closure_cancelled(closure_id=closure_id)

    @event("ClosureCancelled")  # stored as ClosureRemoved by old code (a registered old topic)
    def _closure_cancelled(self, closure_id: uuid.UUID) -> None:
        self.closures = {k: v for k, v in self.closures.items() if k != str(closure_id)}

    # ---- services ----------------------------------------------------------------------

    def add_service(self, service_id: uuid.UUID, *, name: str, description: str, duration_minutes: int, price_cents: int) -> None:
        if str(service_id) in self.services:
            raise AlreadyExists("Ese servicio ya existe.")
        name = clean_name(name, "el nombre del servicio")
        check_service_fields(name, duration_minutes, price_cents, self.services)
        self._service_added(
            service_id=service_id,
            name=name,
            description=(description or "").strip(),
            duration_minutes=duration_minutes,
            price_cents=price_cents,
        )

    @event("ServiceAdded")
    def _service_added(self, service_id: uuid.UUID, name: str, description: str, duration_minutes: int, price_cents: int) -> None:
        service = Service(name=name, description=description, duration_minutes=duration_minutes, price_cents=price_cents)
        self.services = {**self.services, str(service_id): service}

    def _replace_service(self, service_id: uuid.UUID, **changes: Any) -> None:
        key = str(service_id)
        self.services = {**self.services, key: self.services[key].replace(**changes)}

    def update_service(self, service_id: uuid.UUID, changes: dict) -> None:
        service = self.service(service_id)
        check_changes(changes, set(SERVICE_FIELDS))
        clean = {k: v for k, v in changes.items() if service[k] != v}
        if "name" in clean:
            clean["name"] = clean_name(clean["name"], "el nombre del servicio")
        if "is_active" in clean and not isinstance(clean["is_active"], bool):
            raise InvalidInput("is_active debe ser verdadero o falso.")
        merged = service.replace(**clean)
        check_service_fields(merged.name, merged.duration_minutes, merged.price_cents, self.services, except_id=str(service_id))
        if "name" in clean:
            self._service_renamed(service_id=service_id, name=merged.name)
        if "description" in clean:
            self._service_described(service_id=service_id, description=merged.description)
        if "duration_minutes" in clean:
            self._service_duration_changed(service_id=service_id, duration_minutes=merged.duration_minutes)
        if "price_cents" in clean:
            self._service_repriced(service_id=service_id, price_cents=merged.price_cents)
        if "is_active" in clean:
            (self._service_reactivated if merged.is_active else self._service_deactivated)(service_id=service_id)

    @event("ServiceRenamed")
    def _service_renamed(self, service_id: uuid.UUID, name: str) -> None:
        self._replace_service(service_id, name=name)

    @event("ServiceDescribed")
    def _service_described(self, service_id: uuid.UUID, description: str) -> None:
        self._replace_service(service_id, description=description)

    @event("ServiceDurationChanged")
    def _service_duration_changed(self, service_id: uuid.UUID, duration_minutes: int) -> None:
        self._replace_service(service_id, duration_minutes=duration_minutes)

    @event("ServiceRepriced")
    def _service_repriced(self, service_id: uuid.UUID, price_cents: int) -> None:
        self._replace_service(service_id, price_cents=price_cents)

    @event("ServiceDeactivated")
    def _service_deactivated(self, service_id: uuid.UUID) -> None:
        self._replace_service(service_id, is_active=False)

    @event("ServiceReactivated")
    def _service_reactivated(self, service_id: uuid.UUID) -> None:
        self._replace_service(service_id, is_active=True)

    def remove_service(self, service_id: uuid.UUID) -> None:
        service = self.service(service_id)
        if service.has_appointments:
            raise InUse(f"«{service.name}» ya tiene citas; puedes desactivarlo, pero no eliminarlo.")
        self._service_removed(service_id=service_id)

    @event("ServiceRemoved")
    def _service_removed(self, service_id: uuid.UUID) -> None:
        gone = str(service_id)
        self.services = {k: v for k, v in self.services.items() if k != gone}
        self.spots = {k: v.replace(service_ids=[s for s in v.service_ids if s != gone]) for k, v in self.spots.items()}

    def mark_service_used(self, service_id: uuid.UUID) -> None:
        if not self.service(service_id).has_appointments:
            self._service_first_booked(service_id=service_id)

    @event("ServiceFirstBooked")
    def _service_first_booked(self, service_id: uuid.UUID) -> None:
        self._replace_service(service_id, has_appointments=True)

    # ---- spots -------------------------------------------------------------------------

    def add_spot(self, spot_id: uuid.UUID, *, location_id: uuid.UUID, name: str, display_order: int, service_ids: list[uuid.UUID]) -> None:
        if str(spot_id) in self.spots:
            raise AlreadyExists("Ese lugar ya existe.")
        self.location(location_id)
        for service_id in service_ids:
            self.service(service_id)
        self._spot_added(
            spot_id=spot_id,
            location_id=location_id,
            name=clean_name(name, "el nombre del lugar"),
            display_order=int(display_order),
            service_ids=[str(s) for s in service_ids],
        )

    @event("SpotAdded")
    def _spot_added(self, spot_id: uuid.UUID, location_id: uuid.UUID, name: str, display_order: int, service_ids: list) -> None:
        spot = Spot(location_id=str(location_id), name=name, display_order=display_order, service_ids=service_ids)
        self.spots = {**self.spots, str(spot_id): spot}

    def _replace_spot(self, spot_id: uuid.UUID, **changes: Any) -> None:
        key = str(spot_id)
        self.spots = {**self.spots, key: self.spots[key].replace(**changes)}

    def update_spot(self, spot_id: uuid.UUID, changes: dict) -> None:
        spot = self.spot(spot_id)
        check_changes(changes, set(SPOT_FIELDS))
        clean = dict(changes)
        if "service_ids" in clean:
            for service_id in clean["service_ids"]:
                self.service(uuid.UUID(str(service_id)))
            clean["service_ids"] = [str(s) for s in clean["service_ids"]]
        if "name" in clean:
            clean["name"] = clean_name(clean["name"], "el nombre del lugar")
        clean = {k: v for k, v in clean.items() if spot[k] != v}
        if "name" in clean:
            self._spot_renamed(spot_id=spot_id, name=clean["name"])
        if "display_order" in clean:
            self._spot_reordered(spot_id=spot_id, display_order=clean["display_order"])
        if "service_ids" in clean:
            self._spot_services_assigned(spot_id=spot_id, service_ids=clean["service_ids"])
        if "is_active" in clean:
            (self._spot_reactivated if clean["is_active"] else self._spot_deactivated)(spot_id=spot_id)

    @event("SpotRenamed")
    def _spot_renamed(self, spot_id: uuid.UUID, name: str) -> None:
        self._replace_spot(spot_id, name=name)

    @event("SpotReordered")
    def _spot_reordered(self, spot_id: uuid.UUID, display_order: int) -> None:
        self._replace_spot(spot_id, display_order=display_order)

    @event("SpotServicesAssigned")
    def _spot_services_assigned(self, spot_id: uuid.UUID, service_ids: list[str]) -> None:
        self._replace_spot(spot_id, service_ids=service_ids)

    @event("SpotDeactivated")
    def _spot_deactivated(self, spot_id: uuid.UUID) -> None:
        self._replace_spot(spot_id, is_active=False)

    @event("SpotReactivated")
    def _spot_reactivated(self, spot_id: uuid.UUID) -> None:
        self._replace_spot(spot_id, is_active=True)

    def remove_spot(self, spot_id: uuid.UUID) -> None:
        spot = self.spot(spot_id)
        if spot.has_appointments:
            raise InUse(f"«{spot.name}» ya tiene citas; puedes desactivarlo, pero no eliminarlo.")
        self._spot_removed(spot_id=spot_id)

    @event("SpotRemoved")
    def _spot_removed(self, spot_id: uuid.UUID) -> None:
        self.spots = {k: v for k, v in self.spots.items() if k != str(spot_id)}

    def mark_spot_used(self, spot_id: uuid.UUID) -> None:
        if not self.spot(spot_id).has_appointments:
            self._spot_first_booked(spot_id=spot_id)

    @event("SpotFirstBooked")
    def _spot_first_booked(self, spot_id: uuid.UUID) -> None:
        self._replace_spot(spot_id, has_appointments=True)


# Old topics keep resolving: resolve_topic() finds these as attributes of Organization.
for _legacy in LEGACY_EVENTS:
    setattr(Organization, _legacy.__name__, _legacy)
Organization.ClosureRemoved = Organization.ClosureCancelled  # type: ignore[attr-defined]
# Registered too, so the projections' SQL topic filters ask for the old name in any import order.
register_topic(f"{__name__}:Organization.ClosureRemoved", Organization.ClosureCancelled)

"""Organization events -> businesses, WhatsApp numbers, locations, closures, services and spots."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, select

from aggregates.event_data import changed_fields
from aggregates.organization import DEFAULT_SETTINGS, Organization
from projections.base import Projection, handles, jsonable, replace_row, to_uuid, utc
from projections.updates import set_row as _set
from readmodels.tables import closures, locations, organizations, services, spots, whatsapp_numbers


class OrganizationsProjection(Projection):
    name = "organizations"
    tables = [organizations, whatsapp_numbers, locations, closures, services, spots]

    def _touch(self, conn: Connection, event: Any) -> None:
        _set(conn, organizations, event.originator_id, event)

    # ---- the business ------------------------------------------------------------------------

    @handles(Organization.Registered)
    def _registered(self, conn: Connection, event: Any, position: int) -> None:
        at = utc(event.timestamp)
        replace_row(
            conn,
            organizations,
            id=event.originator_id,
            name=event.name,
            business_type=event.business_type,
            timezone=event.timezone,
            status="onboarding",
            phone_number=event.whatsapp_number,
            settings=dict(DEFAULT_SETTINGS),
            created_at=at,
            updated_at=at,
        )
        replace_row(conn, whatsapp_numbers, phone_number=event.whatsapp_number, organization_id=event.originator_id)
        _add_location(conn, event, event.location_name, event.location_address, is_primary=True)

    @handles(Organization.ProfileUpdated, Organization.Renamed, Organization.BusinessTypeChanged, Organization.TimezoneChanged)
    def _profile_updated(self, conn: Connection, event: Any, position: int) -> None:
        _set(conn, organizations, event.originator_id, event, **changed_fields(event, ("name", "business_type", "timezone")))

    @handles(Organization.StatusChanged)
    def _status_changed(self, conn: Connection, event: Any, position: int) -> None:
        _set(conn, organizations, event.originator_id, event, status=event.status)

    @handles(Organization.WhatsAppNumberAdded)
    def _number_added(self, conn: Connection, event: Any, position: int) -> None:
        replace_row(conn, whatsapp_numbers, phone_number=event.number, organization_id=event.originator_id)
        self._touch(conn, event)

    @handles(Organization.SettingsUpdated)
    def _settings_updated(self, conn: Connection, event: Any, position: int) -> None:
        current = conn.execute(select(organizations.c.settings).where(organizations.c.id == event.originator_id)).scalar()
        _set(conn, organizations, event.originator_id, event, settings={**(current or {}), **jsonable(event.changes)})

    # ---- locations -----------------------------------------------------------------------------

    @handles(Organization.LocationAdded)
    def _location_added(self, conn: Connection, event: Any, position: int) -> None:
        _add_location(conn, event, event.name, event.address, is_primary=False)
        self._touch(conn, event)

    @handles(Organization.LocationUpdated, Organization.LocationRenamed, Organization.LocationAddressChanged)
    def _location_updated(self, conn: Connection, event: Any, position: int) -> None:
        _set(conn, locations, to_uuid(event.location_id), event, **changed_fields(event, ("name", "address")))

    @handles(Organization.LocationRemoved)
    def _location_removed(self, conn: Connection, event: Any, position: int) -> None:
        conn.execute(delete(locations).where(locations.c.id == to_uuid(event.location_id)))
        self._touch(conn, event)

    @handles(Organization.BusinessHoursSet)
    def _hours_set(self, conn: Connection, event: Any, position: int) -> None:
        _set(conn, locations, to_uuid(event.location_id), event, business_hours=jsonable(event.business_hours))

    # ---- closures ------------------------------------------------------------------------------

    @handles(Organization.ClosureScheduled)
    def _closure_scheduled(self, conn: Connection, event: Any, position: int) -> None:
        replace_row(
            conn,
            closures,
            id=to_uuid(event.closure_id),
            organization_id=event.originator_id,
            start_date=_date(event.closure.start_date),
            end_date=_date(event.closure.end_date),
            reason=event.closure.reason,
        )
        self._touch(conn, event)

    @handles(Organization.ClosureCancelled)
    def _closure_removed(self, conn: Connection, event: Any, position: int) -> None:
        conn.execute(delete(closures).where(closures.c.id == to_uuid(event.closure_id)))
        self._touch(conn, event)

    # ---- services ------------------------------------------------------------------------------

    @handles(Organization.ServiceAdded)
    def _service_added(self, conn: Connection, event: Any, position: int) -> None:
        at = utc(event.timestamp)
        replace_row(
            conn,
            services,
            id=to_uuid(event.service_id),
            organization_id=event.originator_id,
            name=event.name,
            description=event.description,
            duration_minutes=event.duration_minutes,
            price_cents=event.price_cents,
            currency="MXN",
            is_active=True,
            has_appointments=False,
            created_at=at,
            updated_at=at,
        )

    @handles(
        Organization.ServiceUpdated,
        Organization.ServiceRenamed,
        Organization.ServiceDescribed,
        Organization.ServiceDurationChanged,
        Organization.ServiceRepriced,
        Organization.ServiceDeactivated,
        Organization.ServiceReactivated,
    )
    def _service_updated(self, conn: Connection, event: Any, position: int) -> None:
        values = changed_fields(event, ("name", "description", "duration_minutes", "price_cents", "is_active"))
        _set(conn, services, to_uuid(event.service_id), event, **values)

    @handles(Organization.ServiceRemoved)
    def _service_removed(self, conn: Connection, event: Any, position: int) -> None:
        service_id = str(event.service_id)
        conn.execute(delete(services).where(services.c.id == to_uuid(event.service_id)))
        # The aggregate also drops the service from every spot of the business.
        rows = conn.execute(
            select(spots.c.id, spots.c.service_ids).where(spots.c.organization_id == event.originator_id)
        ).all()
        for spot_id, service_ids in rows:
            if service_id in (service_ids or []):
                _set(conn, spots, spot_id, event, service_ids=[s for s in service_ids if s != service_id])

    @handles(Organization.ServiceFirstBooked)
    def _service_first_booked(self, conn: Connection, event: Any, position: int) -> None:
        _set(conn, services, to_uuid(event.service_id), event, has_appointments=True)

    # ---- spots ---------------------------------------------------------------------------------

    @handles(Organization.SpotAdded)
    def _spot_added(self, conn: Connection, event: Any, position: int) -> None:
        at = utc(event.timestamp)
        replace_row(
            conn,
            spots,
            id=to_uuid(event.spot_id),
            organization_id=event.originator_id,
            location_id=to_uuid(event.location_id),
            name=event.name,
            display_order=event.display_order,
            is_active=True,
            service_ids=[str(s) for s in event.service_ids],
            has_appointments=False,
            created_at=at,
            updated_at=at,
        )

    @handles(
        Organization.SpotUpdated,
        Organization.SpotRenamed,
        Organization.SpotReordered,
        Organization.SpotServicesAssigned,
        Organization.SpotDeactivated,
        Organization.SpotReactivated,
    )
    def _spot_updated(self, conn: Connection, event: Any, position: int) -> None:
        values = changed_fields(event, ("name", "display_order", "is_active", "service_ids"))
        if "service_ids" in values:
            values["service_ids"] = [str(s) for s in values["service_ids"]]
        _set(conn, spots, to_uuid(event.spot_id), event, **values)

    @handles(Organization.SpotRemoved)
    def _spot_removed(self, conn: Connection, event: Any, position: int) -> None:
        conn.execute(delete(spots).where(spots.c.id == to_uuid(event.spot_id)))

    @handles(Organization.SpotFirstBooked)
    def _spot_first_booked(self, conn: Connection, event: Any, position: int) -> None:
        _set(conn, spots, to_uuid(event.spot_id), event, has_appointments=True)


def _add_location(conn: Connection, event: Any, name: str, address: str, *, is_primary: bool) -> None:
    at = utc(event.timestamp)
    replace_row(
        conn,
        locations,
        id=to_uuid(event.location_id),
        organization_id=event.originator_id,
        name=name,
        address=address,
        is_primary=is_primary,
        business_hours=jsonable(event.business_hours),
        created_at=at,
        updated_at=at,
    )


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


PROJECTIONS = [OrganizationsProjection]

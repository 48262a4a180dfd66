"""StaffMember events -> rm_staff; Customer events (and bookings) -> rm_customers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, update

from aggregates.appointment import Appointment
from aggregates.customer import Customer
from aggregates.event_data import changed_fields
from aggregates.staff import StaffMember
from projections.base import Projection, handles, jsonable, replace_row, to_uuid, utc
from projections.updates import set_row
from readmodels.tables import customers, staff


class StaffProjection(Projection):
    name = "staff"
    tables = [staff]

    def _set(self, conn: Connection, event: Any, **values: Any) -> None:
        set_row(conn, staff, event.originator_id, event, **values)

    @handles(StaffMember.Registered)
    def _registered(self, conn: Connection, event: Any, position: int) -> None:
        at = utc(event.timestamp)
        replace_row(
            conn,
            staff,
            id=event.originator_id,
            organization_id=to_uuid(event.organization_id),
            name=event.name,
            phone_number=event.phone_number,
            role=event.role,
            permission_level=event.permission_level,
            service_ids=[str(s) for s in event.service_ids],
            working_hours=jsonable(event.working_hours),
            location_id=to_uuid(event.location_id),
            default_spot_id=to_uuid(event.default_spot_id),
            is_active=True,
            first_message_at=None,
            created_at=at,
            updated_at=at,
        )

    @handles(StaffMember.ProfileUpdated, StaffMember.Renamed, StaffMember.LocationAssigned, StaffMember.DefaultSpotAssigned)
    def _profile_updated(self, conn: Connection, event: Any, position: int) -> None:
        values: dict[str, Any] = {}
        for key, value in changed_fields(event, ("name", "location_id", "default_spot_id")).items():
            if key == "name":
                values["name"] = value
            elif key in ("location_id", "default_spot_id"):
                values[key] = to_uuid(value)
        self._set(conn, event, **values)

    @handles(StaffMember.PermissionLevelChanged)
    def _permission_changed(self, conn: Connection, event: Any, position: int) -> None:
        role = "owner" if event.permission_level == "owner" else "employee"
        self._set(conn, event, permission_level=event.permission_level, role=role)

    @handles(StaffMember.ServicesAssigned)
    def _services_assigned(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, service_ids=[str(s) for s in event.service_ids])

    @handles(StaffMember.WorkingHoursSet)
    def _hours_set(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, working_hours=jsonable(event.working_hours))

    @handles(StaffMember.Deactivated)
    def _deactivated(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, is_active=False)

    @handles(StaffMember.Reactivated)
    def _reactivated(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, is_active=True)

    @handles(StaffMember.FirstMessageSeen)
    def _first_message(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, first_message_at=utc(event.at))


class CustomersProjection(Projection):
    """``appointment_count`` counts every appointment ever booked for the customer (an increment
    per ``Appointment.Booked``: exactly-once processing keeps it exact)."""

    name = "customers"
    tables = [customers]

    def _set(self, conn: Connection, event: Any, **values: Any) -> None:
        set_row(conn, customers, event.originator_id, event, **values)

    @handles(Customer.Registered)
    def _registered(self, conn: Connection, event: Any, position: int) -> None:
        at = utc(event.timestamp)
        replace_row(
            conn,
            customers,
            id=event.originator_id,
            organization_id=to_uuid(event.organization_id),
            phone_number=event.phone_number,
            name=event.name,
            name_verified_at=utc(event.name_verified_at),
            email=event.email,
            notes=event.notes or "",
            appointment_count=0,
            created_at=at,
            updated_at=at,
        )

    @handles(Customer.NameLearned)
    def _name_learned(self, conn: Connection, event: Any, position: int) -> None:
        values: dict[str, Any] = {"name": event.name}
        if event.verified_at is not None:
            values["name_verified_at"] = utc(event.verified_at)
        self._set(conn, event, **values)

    @handles(Customer.DetailsUpdated, Customer.EmailChanged, Customer.NotesChanged)
    def _details_updated(self, conn: Connection, event: Any, position: int) -> None:
        values = changed_fields(event, ("email", "notes"))
        if "notes" in values and values["notes"] is None:
            values["notes"] = ""
        self._set(conn, event, **values)

    @handles(Appointment.Booked)
    def _booked(self, conn: Connection, event: Any, position: int) -> None:
        conn.execute(
            update(customers)
            .where(customers.c.id == to_uuid(event.customer_id))
            .values(appointment_count=customers.c.appointment_count + 1)
        )


PROJECTIONS = [StaffProjection, CustomersProjection]

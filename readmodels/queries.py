"""Read-side queries over the projected tables. Plain dicts out, never aggregates.

Every method returns dicts keyed by the column names of ``readmodels/tables.py`` (a few add
joined convenience keys, documented per method) or lists of them. Datetimes come back as
UTC-aware ``datetime`` objects on both PostgreSQL and SQLite; UUID columns as ``uuid.UUID``.

Read-your-writes: the rows lag the event store by a few milliseconds. After a command, call
``container.wait_for(result.position)`` before reading what it wrote.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from readmodels.rows import Reads, Row, as_uuid
from readmodels.tables import (
    activity,
    appointment_history,
    appointments,
    closures,
    customers,
    locations,
    organizations,
    projection_tracking,
    services,
    spots,
    staff,
    staff_blocks,
    whatsapp_numbers,
)
from vocabulary.statuses import LIVE_APPOINTMENT_STATUSES

_uuid = as_uuid


class ReadStore(Reads):
    """Queries for the gateway, the agent and the admin/audit endpoints. Thread-safe (engine-based)."""

    # ---- organizations ---------------------------------------------------------------------

    def get_organization(self, org_id: Any) -> Row | None:
        """Columns of rm_organizations plus ``whatsapp_numbers`` (every number of the business)."""
        row = self._one(select(organizations).where(organizations.c.id == _uuid(org_id)))
        if row is not None:
            row["whatsapp_numbers"] = self._numbers(row["id"])
        return row

    def get_organization_by_whatsapp(self, e164: str) -> Row | None:
        org_id = self._scalar(
            select(whatsapp_numbers.c.organization_id).where(whatsapp_numbers.c.phone_number == e164)
        )
        return self.get_organization(org_id) if org_id is not None else None

    def _numbers(self, org_id: uuid.UUID) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(
                conn.execute(
                    select(whatsapp_numbers.c.phone_number).where(whatsapp_numbers.c.organization_id == org_id)
                ).scalars()
            )

    def list_organizations(self, *, status: str | None = None, search: str | None = None, limit: int = 100, offset: int = 0) -> list[Row]:
        """Every business (admin view), newest first, each with the counts of :meth:`organization_counts`."""
        query = select(organizations)
        if status:
            query = query.where(organizations.c.status == status)
        if search:
            query = query.where(func.lower(organizations.c.name).contains(search.lower()))
        rows = self._all(query.order_by(organizations.c.created_at.desc(), organizations.c.id).limit(limit).offset(offset))
        for row in rows:
            row.update(self.organization_counts(row["id"]))
        return rows

    def organization_counts(self, org_id: Any) -> dict[str, int]:
        """``staff_count`` (active), ``customer_count``, ``appointment_count`` (all statuses),
        ``upcoming_count`` is not included (it depends on now): use list_appointments."""
        org_id = _uuid(org_id)
        with self.engine.connect() as conn:
            staff_count = conn.execute(
                select(func.count()).select_from(staff).where(staff.c.organization_id == org_id, staff.c.is_active.is_(True))
            ).scalar_one()
            customer_count = conn.execute(
                select(func.count()).select_from(customers).where(customers.c.organization_id == org_id)
            ).scalar_one()
            appointment_count = conn.execute(
                select(func.count()).select_from(appointments).where(appointments.c.organization_id == org_id)
            ).scalar_one()
        return {"staff_count": staff_count, "customer_count": customer_count, "appointment_count": appointment_count}

    # ---- locations and closures ----------------------------------------------------------------

    def get_location(self, location_id: Any) -> Row | None:
        return self._one(select(locations).where(locations.c.id == _uuid(location_id)))

    def list_locations(self, org_id: Any) -> list[Row]:
        """Primary location first, then by name."""
        return self._all(
            select(locations)
            .where(locations.c.organization_id == _uuid(org_id))
            .order_by(locations.c.is_primary.desc(), locations.c.name, locations.c.id)
        )

    def list_closures(self, org_id: Any) -> list[Row]:
        """Ordered by start_date."""
        return self._all(
            select(closures).where(closures.c.organization_id == _uuid(org_id)).order_by(closures.c.start_date, closures.c.id)
        )

    # ---- services and spots ------------------------------------------------------------------

    def list_services(self, org_id: Any, active_only: bool = False) -> list[Row]:
        query = select(services).where(services.c.organization_id == _uuid(org_id))
        if active_only:
            query = query.where(services.c.is_active.is_(True))
        return self._all(query.order_by(services.c.name, services.c.id))

    def get_service(self, org_id: Any, service_id: Any) -> Row | None:
        return self._one(
            select(services).where(services.c.organization_id == _uuid(org_id), services.c.id == _uuid(service_id))
        )

    def list_spots(self, org_id: Any, location_id: Any = None, active_only: bool = False) -> list[Row]:
        """Ordered by location, display_order. ``service_ids`` is a list of id strings."""
        query = select(spots).where(spots.c.organization_id == _uuid(org_id))
        if location_id is not None:
            query = query.where(spots.c.location_id == _uuid(location_id))
        if active_only:
            query = query.where(spots.c.is_active.is_(True))
        return self._all(query.order_by(spots.c.location_id, spots.c.display_order, spots.c.name))

    # ---- staff -----------------------------------------------------------------------------------

    def list_staff(self, org_id: Any, active_only: bool = False) -> list[Row]:
        """Owners first, then by name. ``service_ids`` is a list of id strings."""
        query = select(staff).where(staff.c.organization_id == _uuid(org_id))
        if active_only:
            query = query.where(staff.c.is_active.is_(True))
        return self._all(query.order_by((staff.c.role == "owner").desc(), staff.c.name, staff.c.id))

    def get_staff(self, org_id: Any, staff_id: Any) -> Row | None:
        return self._one(select(staff).where(staff.c.organization_id == _uuid(org_id), staff.c.id == _uuid(staff_id)))

    def get_staff_by_phone(self, org_id: Any, e164: str) -> Row | None:
        return self._one(select(staff).where(staff.c.organization_id == _uuid(org_id), staff.c.phone_number == e164))

    def list_staff_registrations(self, e164: str) -> list[Row]:
        """Every organization where this phone is ACTIVE staff: staff rows plus ``organization_name``,
        ``organization_status`` and ``organization_phone_number``, ordered by organization name."""
        query = (
            select(
                staff,
                organizations.c.name.label("organization_name"),
                organizations.c.status.label("organization_status"),
                organizations.c.phone_number.label("organization_phone_number"),
            )
            .join(organizations, organizations.c.id == staff.c.organization_id)
            .where(staff.c.phone_number == e164, staff.c.is_active.is_(True))
            .order_by(organizations.c.name, organizations.c.id)
        )
        return self._all(query)

    def list_owners(self, org_id: Any) -> list[Row]:
        """Active staff with permission_level 'owner'."""
        return self._all(
            select(staff)
            .where(
                staff.c.organization_id == _uuid(org_id),
                staff.c.permission_level == "owner",
                staff.c.is_active.is_(True),
            )
            .order_by(staff.c.created_at, staff.c.id)
        )

    # ---- customers -------------------------------------------------------------------------------

    def get_customer(self, org_id: Any, customer_id: Any) -> Row | None:
        return self._one(
            select(customers).where(customers.c.organization_id == _uuid(org_id), customers.c.id == _uuid(customer_id))
        )

    def get_customer_by_phone(self, org_id: Any, e164: str) -> Row | None:
        return self._one(
            select(customers).where(customers.c.organization_id == _uuid(org_id), customers.c.phone_number == e164)
        )

    def list_customers(self, org_id: Any, search: str | None = None, limit: int = 100, offset: int = 0) -> list[Row]:
        """By name (unnamed last), then phone. ``search`` matches name, phone or email (case-insensitive)."""
        query = select(customers).where(customers.c.organization_id == _uuid(org_id))
        if search:
            # autoescape: "%" and "_" typed by the user are literal characters, not LIKE wildcards.
            needle = search.strip().lower()
            query = query.where(
                or_(
                    func.lower(customers.c.name).contains(needle, autoescape=True),
                    customers.c.phone_number.contains(needle, autoescape=True),
                    func.lower(customers.c.email).contains(needle, autoescape=True),
                )
            )
        query = query.order_by(customers.c.name.is_(None), customers.c.name, customers.c.phone_number)
        return self._all(query.limit(limit).offset(offset))

    def count_customers(self, org_id: Any) -> int:
        return self.organization_counts(org_id)["customer_count"]

    # ---- appointments ------------------------------------------------------------------------------

    def _appointment_query(self) -> Select:
        """Appointment columns plus ``service_id`` (= service_type_id), ``customer_name``,
        ``customer_phone``, ``staff_name`` and ``service_name`` (joined, may be None)."""
        return (
            select(
                appointments,
                appointments.c.service_type_id.label("service_id"),
                customers.c.name.label("customer_name"),
                customers.c.phone_number.label("customer_phone"),
                staff.c.name.label("staff_name"),
                services.c.name.label("service_name"),
            )
            .select_from(
                appointments.outerjoin(customers, customers.c.id == appointments.c.customer_id)
                .outerjoin(staff, staff.c.id == appointments.c.staff_id)
                .outerjoin(services, services.c.id == appointments.c.service_type_id)
            )
        )

    def list_appointments(
        self,
        org_id: Any,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        staff_id: Any = None,
        service_id: Any = None,
        status: str | Iterable[str] | None = None,
        customer_id: Any = None,
        limit: int = 500,
    ) -> list[Row]:
        """Appointments ordered by scheduled_start. ``date_from``/``date_to`` are inclusive
        business-local dates (``local_date``); ``status`` is one status or several."""
        query = self._appointment_query().where(appointments.c.organization_id == _uuid(org_id))
        if date_from is not None:
            query = query.where(appointments.c.local_date >= date_from)
        if date_to is not None:
            query = query.where(appointments.c.local_date <= date_to)
        if staff_id is not None:
            query = query.where(appointments.c.staff_id == _uuid(staff_id))
        if service_id is not None:
            query = query.where(appointments.c.service_type_id == _uuid(service_id))
        if customer_id is not None:
            query = query.where(appointments.c.customer_id == _uuid(customer_id))
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            query = query.where(appointments.c.status.in_(statuses))
        return self._all(query.order_by(appointments.c.scheduled_start, appointments.c.id).limit(limit))

    def get_appointment(self, org_id: Any, appointment_id: Any) -> Row | None:
        return self._one(
            self._appointment_query().where(
                appointments.c.organization_id == _uuid(org_id), appointments.c.id == _uuid(appointment_id)
            )
        )

    def list_upcoming_for_customer(self, org_id: Any, customer_id: Any, now: datetime) -> list[Row]:
        """Live (pending/confirmed) appointments of a customer that end after ``now``, soonest first."""
        query = self._appointment_query().where(
            appointments.c.organization_id == _uuid(org_id),
            appointments.c.customer_id == _uuid(customer_id),
            appointments.c.status.in_(LIVE_APPOINTMENT_STATUSES),
            appointments.c.scheduled_end > now,
        )
        return self._all(query.order_by(appointments.c.scheduled_start, appointments.c.id))

    def list_appointments_between(self, org_id: Any, start: datetime, end: datetime, *, staff_id: Any = None, live_only: bool = True) -> list[Row]:
        """Appointments overlapping the UTC interval [start, end) (for availability and reminders)."""
        query = self._appointment_query().where(
            appointments.c.organization_id == _uuid(org_id),
            appointments.c.scheduled_start < end,
            appointments.c.scheduled_end > start,
        )
        if staff_id is not None:
            query = query.where(appointments.c.staff_id == _uuid(staff_id))
        if live_only:
            query = query.where(appointments.c.status.in_(LIVE_APPOINTMENT_STATUSES))
        return self._all(query.order_by(appointments.c.scheduled_start, appointments.c.id))

    # ---- staff blocks --------------------------------------------------------------------------------

    def list_blocks(self, org_id: Any, staff_id: Any = None, date_from: date | None = None, date_to: date | None = None) -> list[Row]:
        """Time blocks (``day`` is the business-local date), ordered by start."""
        query = select(staff_blocks).where(staff_blocks.c.organization_id == _uuid(org_id))
        if staff_id is not None:
            query = query.where(staff_blocks.c.staff_id == _uuid(staff_id))
        if date_from is not None:
            query = query.where(staff_blocks.c.day >= date_from)
        if date_to is not None:
            query = query.where(staff_blocks.c.day <= date_to)
        return self._all(query.order_by(staff_blocks.c.start, staff_blocks.c.id))

    # ---- audit and activity -------------------------------------------------------------------------

    def get_appointment_history(self, org_id: Any, appointment_id: Any) -> list[Row]:
        """Every event of one appointment, oldest first: version, event_type, occurred_at, actor,
        cause, changes (dict of what changed: field -> new value; Rescheduled also has previous_*)."""
        return self._all(
            select(appointment_history)
            .where(
                appointment_history.c.organization_id == _uuid(org_id),
                appointment_history.c.appointment_id == _uuid(appointment_id),
            )
            .order_by(appointment_history.c.version)
        )

    def list_activity(self, org_id: Any = None, limit: int = 50, *, kinds: Iterable[str] | None = None, before_position: int | None = None) -> list[Row]:
        """Newest first. ``summary`` is a one-line Spanish sentence; ``kind`` e.g.
        organization_registered, appointment_booked, appointment_cancelled (see projections.activity)."""
        query = select(activity)
        if org_id is not None:
            query = query.where(activity.c.organization_id == _uuid(org_id))
        if kinds:
            query = query.where(activity.c.kind.in_(list(kinds)))
        if before_position is not None:
            query = query.where(activity.c.position < before_position)
        return self._all(query.order_by(activity.c.position.desc()).limit(limit))

    # ---- projection bookkeeping ----------------------------------------------------------------------

    def projection_positions(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {name: position for name, position in conn.execute(select(projection_tracking.c.name, projection_tracking.c.position))}


__all__ = ["ReadStore"]

"""Read-model tables: disposable, rebuilt from events by the projections.

Column names follow the spec's data model. Times are stored as UTC (timezone-aware where the
database supports it). JSON columns hold small documents (hours, settings, service lists).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from readmodels.types import UTCDateTime

metadata = MetaData()
TZ = UTCDateTime()  # aware UTC in and out: no reader converts naive values by hand

# One row per projection: the position (notification id) of the last event it applied.
projection_tracking = Table(
    "rm_projection_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

# Events a projection could not apply (issue #8): skipped so that the others keep going, kept here
# for ``parlo projections status``/``retry`` and the admin API. Written by the runner, not by a
# projection, so a rebuild re-records (rather than loses) what still fails.
projection_failures = Table(
    "rm_projection_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("projection", String(64), nullable=False),
    Column("notification_id", BigInteger, nullable=False),
    Column("originator_id", String(64), nullable=False),
    Column("originator_version", Integer, nullable=True),
    Column("topic", String(255), nullable=False),
    Column("organization_id", Uuid, nullable=True),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_seen", TZ, nullable=False),
    Column("last_seen", TZ, nullable=False),
    UniqueConstraint("projection", "notification_id", name="uq_rm_projection_failures_event"),
)

organizations = Table(
    "rm_organizations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("business_type", String(40), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("phone_number", String(32), nullable=False),  # the primary WhatsApp number
    Column("settings", JSON, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)
Index("ix_rm_organizations_name", organizations.c.name)

whatsapp_numbers = Table(
    "rm_whatsapp_numbers",
    metadata,
    Column("phone_number", String(32), primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
)

locations = Table(
    "rm_locations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("address", Text, nullable=False),
    Column("is_primary", Boolean, nullable=False),
    Column("business_hours", JSON, nullable=False),  # {"mon": [["10:00", "20:00"]], ...}
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

closures = Table(
    "rm_closures",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("reason", Text, nullable=False),
)

services = Table(
    "rm_services",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("price_cents", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("has_appointments", Boolean, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

spots = Table(
    "rm_spots",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("location_id", Uuid, nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("display_order", Integer, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("service_ids", JSON, nullable=False),  # list of service id strings
    Column("has_appointments", Boolean, nullable=False, default=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

staff = Table(
    "rm_staff",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("phone_number", String(32), nullable=False, index=True),
    Column("role", String(20), nullable=False),  # owner | employee
    Column("permission_level", String(20), nullable=False),
    Column("service_ids", JSON, nullable=False),
    Column("working_hours", JSON, nullable=True),  # null: follows the business hours
    Column("location_id", Uuid, nullable=True),
    Column("default_spot_id", Uuid, nullable=True),
    Column("is_active", Boolean, nullable=False),
    Column("first_message_at", TZ, nullable=True),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

customers = Table(
    "rm_customers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("phone_number", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=True),
    Column("name_verified_at", TZ, nullable=True),
    Column("email", String(200), nullable=True),
    Column("notes", Text, nullable=False),
    Column("appointment_count", Integer, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

appointments = Table(
    "rm_appointments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("customer_id", Uuid, nullable=False, index=True),
    Column("staff_id", Uuid, nullable=False),
    Column("service_type_id", Uuid, nullable=False),
    Column("spot_id", Uuid, nullable=True),
    Column("scheduled_start", TZ, nullable=False),
    Column("scheduled_end", TZ, nullable=False),
    Column("local_date", Date, nullable=False),  # the business's calendar date of the start
    Column("status", String(20), nullable=False),
    Column("source", String(20), nullable=False),
    Column("notes", Text, nullable=False),
    Column("cancellation_reason", Text, nullable=True),
    Column("price_cents", Integer, nullable=False),
    Column("reminder_sent_at", TZ, nullable=True),
    Column("reschedule_count", Integer, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)
Index("ix_rm_appointments_org_start", appointments.c.organization_id, appointments.c.scheduled_start)
Index("ix_rm_appointments_staff_start", appointments.c.staff_id, appointments.c.scheduled_start)
Index("ix_rm_appointments_org_status", appointments.c.organization_id, appointments.c.status)

staff_blocks = Table(
    "rm_staff_blocks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("staff_id", Uuid, nullable=False),
    Column("day", Date, nullable=False),
    Column("start", TZ, nullable=False),
    Column("end", TZ, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", TZ, nullable=False),
)
Index("ix_rm_staff_blocks_staff_start", staff_blocks.c.staff_id, staff_blocks.c.start)

# Every event of every appointment, in order: the auditors' trail.
appointment_history = Table(
    "rm_appointment_history",
    metadata,
    Column("appointment_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("event_type", String(64), nullable=False),
    Column("occurred_at", TZ, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("cause", String(200), nullable=False),
    Column("changes", JSON, nullable=False),
    Column("position", BigInteger, nullable=False),
)

# A platform-wide feed of notable events (signups, bookings, status changes...).
activity = Table(
    "rm_activity",
    metadata,
    Column("position", BigInteger, primary_key=True),  # the event's notification id
    Column("organization_id", Uuid, nullable=True, index=True),
    Column("kind", String(64), nullable=False),
    Column("summary", Text, nullable=False),
    Column("subject_id", Uuid, nullable=True),
    Column("actor", String(200), nullable=False),
    Column("cause", String(200), nullable=False),
    Column("occurred_at", TZ, nullable=False),
)


# ---- private state of single projections ---------------------------------------------------
# A projection reads only its own tables (another projection may be at a different position, and
# a rebuild must replay to the same rows), so the lookups a projection needs live here.

# appointments projection: each business's time zone (for rm_appointments.local_date).
proj_org_timezones = Table(
    "rm_proj_org_timezones",
    metadata,
    Column("organization_id", Uuid, primary_key=True),
    Column("timezone", String(64), nullable=False),
)

# staff_blocks projection: which staff member, business and local date a StaffDay aggregate is.
proj_staff_days = Table(
    "rm_proj_staff_days",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("staff_id", Uuid, nullable=False),
    Column("organization_id", Uuid, nullable=False),
    Column("day", Date, nullable=False),
)

# appointment_history projection: each appointment's current state (to compute from -> to).
proj_appointment_state = Table(
    "rm_proj_appointment_state",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("state", JSON, nullable=False),
)

# activity projection: names of businesses, staff, customers, services; appointment facts.
proj_activity_names = Table(
    "rm_proj_activity_names",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(20), nullable=False),  # organization | staff | customer | service | appointment
    Column("organization_id", Uuid, nullable=True),
    Column("name", String(200), nullable=False),
    Column("data", JSON, nullable=False),
)

"""Which appointments are due a reminder (read side; the reminder sweep in gateway/whatsapp/reminders.py
queues the messages and records them through commands).

An appointment is due when it is live (pending/confirmed), has no ``reminder_sent_at``, its customer
has a real phone (E.164, so not an anonymous walk-in), its business is not suspended or churned,
and it starts after ``now`` but no later than the business's ``reminder_hours_before`` (setting,
default 24) from ``now``. Appointments booked inside that window (``created_at``, the business
clock's booking time) get none: their confirmation was sent moments before.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from readmodels.tables import appointments, customers, organizations, services
from vocabulary.hours import as_utc
from vocabulary.settings import DEFAULT_SETTINGS, SETTING_LIMITS
from vocabulary.statuses import LIVE_APPOINTMENT_STATUSES, SILENT_ORGANIZATION_STATUSES

Row = dict[str, Any]
LIVE_STATUSES = LIVE_APPOINTMENT_STATUSES
DEFAULT_HOURS_BEFORE = DEFAULT_SETTINGS["reminder_hours_before"]
MIN_HOURS_BEFORE, MAX_HOURS_BEFORE = SETTING_LIMITS["reminder_hours_before"]


def hours_before(settings: Any) -> float:
    """The organization's ``reminder_hours_before`` (default 24), clamped to 1..72."""
    value = (settings or {}).get("reminder_hours_before", DEFAULT_HOURS_BEFORE) if isinstance(settings, dict) else None
    try:
        hours = float(value if value is not None else DEFAULT_HOURS_BEFORE)
    except (TypeError, ValueError):
        hours = DEFAULT_HOURS_BEFORE
    return min(max(hours, float(MIN_HOURS_BEFORE)), float(MAX_HOURS_BEFORE))


class ReminderReads:
    """ReadStore-style queries for the reminder sweep. Thread-safe (engine-based)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list_due_reminders(self, now: datetime, *, limit: int = 500) -> list[Row]:
        """Appointments due a reminder at ``now``, soonest first. Each row: ``appointment_id``,
        ``organization_id``, ``customer_id``, ``scheduled_start`` (UTC), ``status``, ``reschedule_count``,
        ``customer_name``, ``customer_phone``, ``service_name``, ``price_cents``,
        ``organization_name``, ``timezone``, ``hours_before``."""
        now = as_utc(now)
        query = (
            select(
                appointments.c.id.label("appointment_id"),
                appointments.c.organization_id,
                appointments.c.customer_id,
                appointments.c.scheduled_start,
                appointments.c.created_at,
                appointments.c.status,
                appointments.c.reschedule_count,
                appointments.c.price_cents,
                customers.c.name.label("customer_name"),
                customers.c.phone_number.label("customer_phone"),
                services.c.name.label("service_name"),
                organizations.c.name.label("organization_name"),
                organizations.c.timezone,
                organizations.c.settings,
            )
            .select_from(
                appointments.join(customers, customers.c.id == appointments.c.customer_id)
                .join(organizations, organizations.c.id == appointments.c.organization_id)
                .outerjoin(services, services.c.id == appointments.c.service_type_id)
            )
            .where(
                appointments.c.status.in_(LIVE_STATUSES),
                appointments.c.reminder_sent_at.is_(None),
                appointments.c.scheduled_start > now,
                appointments.c.scheduled_start <= now + timedelta(hours=MAX_HOURS_BEFORE),
                customers.c.phone_number.like("+%"),
                organizations.c.status.not_in(SILENT_ORGANIZATION_STATUSES),
            )
            .order_by(appointments.c.scheduled_start, appointments.c.id)
        )
        due: list[Row] = []
        with self.engine.connect() as conn:
            for mapping in conn.execute(query).mappings():
                row = dict(mapping)
                row["hours_before"] = hours_before(row.pop("settings"))
                window = timedelta(hours=row["hours_before"])
                if row.pop("created_at") > row["scheduled_start"] - window:
                    # Booked inside the window: the confirmation just sent is reminder enough (the
                    # chat only promises a reminder for appointments more than a window away).
                    continue
                if row["scheduled_start"] <= now + window:
                    due.append(row)
                    if len(due) >= limit:
                        break
        return due


__all__ = ["ReminderReads", "hours_before"]

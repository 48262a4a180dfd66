"""Extra read queries for the REST API's admin views (platform statistics). Plain dicts out.

Only the read-model tables are used here (no aggregates, commands or writers).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from readmodels.conversation_tables import conversations, messages
from readmodels.tables import appointments, customers, locations, organizations, staff
from vocabulary.statuses import ORGANIZATION_STATUSES


class PlatformQueries:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def stats(self) -> dict[str, Any]:
        """Totals across every business: organizations (and by status), appointments (and by status),
        customers, active staff, conversations and messages."""
        with self.engine.connect() as conn:
            by_status = dict(conn.execute(select(organizations.c.status, func.count()).group_by(organizations.c.status)).all())
            appointments_by_status = dict(
                conn.execute(select(appointments.c.status, func.count()).group_by(appointments.c.status)).all()
            )
            customer_count = conn.execute(select(func.count()).select_from(customers)).scalar_one()
            staff_count = conn.execute(
                select(func.count()).select_from(staff).where(staff.c.is_active.is_(True))
            ).scalar_one()
            conversation_count = conn.execute(select(func.count()).select_from(conversations)).scalar_one()
            message_count = conn.execute(select(func.count()).select_from(messages)).scalar_one()
        statuses = ORGANIZATION_STATUSES
        return {
            "organizations": {
                "total": sum(by_status.values()),
                "by_status": {s: int(by_status.get(s, 0)) for s in statuses}
                | {s: int(n) for s, n in by_status.items() if s not in statuses},
            },
            "appointments": {"total": sum(appointments_by_status.values()), "by_status": {s: int(n) for s, n in appointments_by_status.items()}},
            "customers": {"total": int(customer_count)},
            "staff": {"total": int(staff_count)},
            "conversations": {"total": int(conversation_count)},
            "messages": {"total": int(message_count)},
        }

    def location_count(self, org_id: Any) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(locations).where(locations.c.organization_id == org_id)
                ).scalar_one()
            )

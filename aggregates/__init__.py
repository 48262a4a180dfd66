"""Event-sourced aggregates: they decide (validate) and record (trigger events).

Only the standard library and ``eventsourcing.domain`` may be imported here.
"""

from aggregates.appointment import Appointment
from aggregates.calendar import SpotDay, StaffDay
from aggregates.customer import Customer
from aggregates.organization import Organization
from aggregates.staff import StaffMember

__all__ = ["Appointment", "Customer", "Organization", "SpotDay", "StaffDay", "StaffMember"]

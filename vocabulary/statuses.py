"""Statuses and the transitions between them: one list for the write side and every reader."""

from __future__ import annotations

# ---- appointments: pending -> confirmed -> completed | no_show; anything live can be cancelled.
APPOINTMENT_STATUSES = ("pending", "confirmed", "completed", "cancelled", "no_show")
APPOINTMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"confirmed", "cancelled", "completed", "no_show"}),
    "confirmed": frozenset({"cancelled", "completed", "no_show"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
    "no_show": frozenset(),
}
# Still ahead and changeable: reminders go out, customers may move or cancel them.
LIVE_APPOINTMENT_STATUSES = ("pending", "confirmed")
# Hold their staff member and spot: the availability search and the booking command skip them.
OCCUPYING_APPOINTMENT_STATUSES = ("pending", "confirmed", "completed", "no_show")
APPOINTMENT_STATUS_ES = {
    "pending": "pendiente",
    "confirmed": "confirmada",
    "completed": "completada",
    "cancelled": "cancelada",
    "no_show": "marcada como no asistió",
}

# ---- organizations
ORGANIZATION_STATUSES = ("onboarding", "active", "suspended", "churned")
ORGANIZATION_TRANSITIONS: dict[str, frozenset[str]] = {
    "onboarding": frozenset({"active", "suspended", "churned"}),
    "active": frozenset({"suspended", "churned"}),
    "suspended": frozenset({"active", "churned"}),
    "churned": frozenset({"active"}),
}
# Take bookings, offer slots and let staff log in.
LIVE_ORGANIZATION_STATUSES = ("onboarding", "active")
# Send nothing on their behalf (no reminders).
SILENT_ORGANIZATION_STATUSES = ("suspended", "churned")


def can_transition(transitions: dict[str, frozenset[str]], current: str, target: str) -> bool:
    return target in transitions.get(current, frozenset())

"""Helpers of the customer tools shared by the engines: the ``ToolError`` the customer reads, time and
id coercion, and the small text helpers (names, the booking confirmation, "con Miguel")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from agent.spanish.text import normalize
from vocabulary.hours import PART_OF_DAY_HOURS, as_utc, spread  # noqa: F401 - re-exported for the engines
from vocabulary.statuses import LIVE_APPOINTMENT_STATUSES, LIVE_ORGANIZATION_STATUSES  # noqa: F401 - re-exported
from vocabulary.weekdays import WEEKDAYS

WEEKDAY_KEYS = WEEKDAYS
PART_HOURS = PART_OF_DAY_HOURS
AGENT_NAMESPACE = uuid.UUID("0f5d2a8e-53c4-4c55-9d0e-6d3f1f7a9b21")


class ToolError(Exception):
    """A refusal or failure the customer (or the model) can read as-is, in Spanish."""



def _uuid(value: Any, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError):
        raise ToolError(f"No reconozco {what}.") from None


@dataclass
class ActionRecord:
    kind: str  # booked | named | cancelled | rescheduled | handoff
    summary: str
    data: dict = field(default_factory=dict)


def clean_name(name: str) -> str:
    text = " ".join(str(name or "").replace("\n", " ").split()).strip(" .,!¡¿?")
    if not text:
        raise ToolError("El nombre no puede quedar vacío.")
    if len(text) > 80:
        raise ToolError("Ese nombre es demasiado largo.")
    words = [w if any(c.isupper() for c in w) else w.capitalize() for w in text.split()]
    return " ".join(words)




def first_name(name: str | None) -> str:
    return (name or "").split()[0] if name else ""


def confirmation_text(info: dict, name: str | None) -> str:
    """The booking confirmation (spec example 1 format)."""
    day = info["date_text"][0].upper() + info["date_text"][1:]
    head = f"¡Perfecto, {first_name(name)}! Tu cita está confirmada:" if name else "¡Perfecto! Tu cita está confirmada:"
    lines = [head, f"📅 {day}", f"⏰ {info['time']}", f"💇 {info['service']} - {info['price']}"]
    if info.get("staff"):
        lines.append(f"👤 Con {info['staff']}")
    return "\n".join(lines)


def staff_mentioned(text: str, staff: list[dict]) -> dict | None:
    """The staff member a customer names ("con Miguel"), when exactly one matches."""
    words = set(normalize(text).split())
    found = []
    for row in staff:
        parts = [p for p in normalize(row.get("name") or "").split() if len(p) >= 3]
        if parts and parts[0] in words:
            found.append(row)
    return found[0] if len(found) == 1 else None

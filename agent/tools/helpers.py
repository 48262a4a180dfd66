"""Helpers of the customer tools shared by the engines: the ``ToolError`` the customer reads, time and
id coercion, and the small text helpers (names, the booking confirmation, "con Miguel")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from agent.spanish.text import normalize

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PART_HOURS = {"morning": (0, 12), "afternoon": (12, 19), "evening": (19, 24)}
AGENT_NAMESPACE = uuid.UUID("0f5d2a8e-53c4-4c55-9d0e-6d3f1f7a9b21")
# Statuses in which the business takes bookings (readmodels.availability offers slots only then).
LIVE_ORGANIZATION_STATUSES = ("onboarding", "active")


class ToolError(Exception):
    """A refusal or failure the customer (or the model) can read as-is, in Spanish."""


def as_utc(moment: datetime) -> datetime:
    """Read-model datetimes may come back naive from SQLite: they are UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


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


def spread(items: list, count: int) -> list:
    """``count`` items evenly spread over ``items`` (first and last included when possible)."""
    if len(items) <= count:
        return list(items)
    if count <= 1:
        return items[:1]
    step = (len(items) - 1) / (count - 1)
    picked, seen = [], set()
    for i in range(count):
        index = round(i * step)
        if index not in seen:
            seen.add(index)
            picked.append(items[index])
    return picked


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

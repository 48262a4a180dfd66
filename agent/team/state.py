"""The team conversation's dialogue state, typed, stored as JSON in the conversation's agent state.

One flow at a time. ``pending`` holds the flow's draft (a discriminated union on ``kind``) and
``step`` says what the last reply asked for; ``last_customer`` remembers who "este cliente" is.
A flow left unanswered for ``ABANDON_AFTER`` is dropped: an old "¿lo bloqueo?" must not be
confirmed by a "sí" meant for something else hours later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ABANDON_AFTER = timedelta(minutes=30)


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


class BlockDraft(_Draft):
    kind: Literal["block"] = "block"
    start: str | None = None  # local ISO datetimes
    end: str | None = None
    day: str | None = None  # a date known before the times
    reason: str = ""
    staff_id: str | None = None


class UnblockDraft(_Draft):
    kind: Literal["unblock"] = "unblock"
    candidates: list[dict] = Field(default_factory=list)  # described blocks
    block_id: str | None = None


class AttendanceDraft(_Draft):
    kind: Literal["attendance"] = "attendance"
    status: Literal["completed", "no_show", "cancelled"] = "no_show"
    candidates: list[dict] = Field(default_factory=list)  # described appointments
    appointment: dict | None = None


class BookingDraft(_Draft):
    kind: Literal["booking"] = "booking"
    walk_in: bool = True
    service_id: str | None = None
    phone: str | None = None
    phone_asked: bool = False
    name: str | None = None
    start: str | None = None  # local ISO datetime (on-behalf bookings)
    day: str | None = None
    staff_id: str | None = None


class MessageDraft(_Draft):
    kind: Literal["message"] = "message"
    customer_phone: str
    customer_name: str = ""
    context: Literal["no_show", "cancelled", "free"] = "free"
    body: str | None = None


class NoteDraft(_Draft):
    kind: Literal["note"] = "note"
    customer_phone: str
    customer_name: str = ""
    note: str


class StaffDraft(_Draft):
    kind: Literal["staff"] = "staff"
    name: str | None = None
    phone: str | None = None
    service_ids: list[str] | None = None
    services_given: bool = False
    level: str = "staff"
    staff_id: str | None = None  # once added: the welcome message is offered


class ServiceDraft(_Draft):
    kind: Literal["service"] = "service"
    action: Literal["add", "price", "duration", "deactivate"] = "add"
    service_id: str | None = None
    name: str | None = None
    duration_minutes: int | None = None
    price_cents: int | None = None


class HoursDraft(_Draft):
    kind: Literal["hours"] = "hours"
    hours: dict | None = None  # the new weekly hours (whole week)
    changed_days: list[str] = Field(default_factory=list)
    start_date: str | None = None  # a closure instead
    end_date: str | None = None


class RosterDraft(_Draft):
    kind: Literal["roster"] = "roster"
    action: Literal["remove", "permissions"] = "remove"
    stage: Literal["staff", "level", "decide"] | None = None  # what a "pick" step is choosing
    staff_id: str | None = None
    staff_name: str = ""
    current_level: str = "staff"
    level: str | None = None  # the new level (permissions)
    appointments: list[dict] = Field(default_factory=list)  # their future appointments (removal)
    decision: Literal["keep", "cancel"] | None = None
    message: str | None = None  # dictated for the customers whose appointments are cancelled


class OnboardingState(BaseModel):
    """Flow 2 (staff onboarding). Not dropped after a pause: an abandoned onboarding resumes."""

    model_config = ConfigDict(extra="ignore")
    step: Literal["collecting_name", "collecting_availability", "confirming_availability", "showing_tutorial"] = "collecting_name"
    hours: dict | None = None  # proposed working hours ({"mon": [["10:00","19:00"]], ...})
    business_hours: bool = False  # "el del negocio": follow the business hours


Draft = Annotated[Union[BlockDraft, UnblockDraft, AttendanceDraft, BookingDraft, MessageDraft, NoteDraft, StaffDraft, ServiceDraft, HoursDraft, RosterDraft], Field(discriminator="kind")]


class TeamState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    step: str | None = None  # e.g. "confirm", "pick", "service", "phone", "name", "when", "offer_message", "dictate"
    pending: Draft | None = None
    last_customer: dict | None = None  # {"phone", "name"}
    onboarding: OnboardingState | None = None
    onboarded: bool = False
    updated_at: str | None = None

    @classmethod
    def load(cls, raw: object, now: datetime) -> TeamState:
        try:
            state = cls.model_validate(raw) if isinstance(raw, dict) else cls()
        except ValidationError:
            state = cls()
        if state.pending is not None and state.updated_at:
            try:
                if now - datetime.fromisoformat(state.updated_at) > ABANDON_AFTER:
                    state.pending, state.step = None, None
            except (TypeError, ValueError):
                state.pending, state.step = None, None
        return state

    def clear(self) -> None:
        self.pending, self.step = None, None

    def dump(self, now: datetime) -> dict:
        self.updated_at = now.isoformat()
        return self.model_dump(mode="json")

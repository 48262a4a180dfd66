"""Command definitions: imperative requests to change state (frozen dataclasses). Every one names its actor and cause.

Times are timezone-aware datetimes (any offset; stored in UTC). Ids the caller may choose
(``appointment_id``, ``block_id`` ...) make a retried request idempotent when derived from
an outside id, e.g. ``uuid5(MessageSid)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from commands.context import Actor


@dataclass(frozen=True, kw_only=True)
class Command:
    actor: Actor
    cause: str


# ---- organizations ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RegisterOrganization(Command):
    name: str
    whatsapp_number: str
    business_type: str = "barbershop"
    timezone: str = "America/Mexico_City"
    location_name: str = "Principal"
    location_address: str = ""
    business_hours: dict = field(default_factory=dict)
    activate: bool = False
    # Both or neither: the owner is registered together with the business (one save).
    owner_name: str | None = None
    owner_phone: str | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateOrganization(Command):
    """Profile and, optionally, settings in one change (all or nothing)."""

    organization_id: uuid.UUID
    name: str | None = None
    business_type: str | None = None
    timezone: str | None = None
    settings: dict | None = None


@dataclass(frozen=True, kw_only=True)
class ChangeOrganizationStatus(Command):
    organization_id: uuid.UUID
    status: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class UpdateOrganizationSettings(Command):
    organization_id: uuid.UUID
    changes: dict


@dataclass(frozen=True, kw_only=True)
class AddLocation(Command):
    organization_id: uuid.UUID
    name: str
    address: str = ""
    business_hours: dict = field(default_factory=dict)
    location_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateLocation(Command):
    """Name, address and, optionally, business hours in one change (hours need change_business_hours)."""

    organization_id: uuid.UUID
    location_id: uuid.UUID
    name: str | None = None
    address: str | None = None
    business_hours: dict | None = None


@dataclass(frozen=True, kw_only=True)
class RemoveLocation(Command):
    organization_id: uuid.UUID
    location_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class SetBusinessHours(Command):
    organization_id: uuid.UUID
    hours: dict
    location_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class CloseBusiness(Command):
    """Close the whole business for a date or a range of dates (holidays)."""

    organization_id: uuid.UUID
    start_date: date
    end_date: date
    reason: str = ""
    closure_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class ReopenBusiness(Command):
    organization_id: uuid.UUID
    closure_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class AddService(Command):
    organization_id: uuid.UUID
    name: str
    duration_minutes: int
    price_cents: int
    description: str = ""
    service_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateService(Command):
    organization_id: uuid.UUID
    service_id: uuid.UUID
    changes: dict


@dataclass(frozen=True, kw_only=True)
class RemoveService(Command):
    organization_id: uuid.UUID
    service_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class AddSpot(Command):
    organization_id: uuid.UUID
    name: str
    service_ids: list[uuid.UUID] = field(default_factory=list)
    location_id: uuid.UUID | None = None
    display_order: int = 0
    spot_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateSpot(Command):
    organization_id: uuid.UUID
    spot_id: uuid.UUID
    changes: dict


@dataclass(frozen=True, kw_only=True)
class RemoveSpot(Command):
    organization_id: uuid.UUID
    spot_id: uuid.UUID


# ---- staff ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddStaff(Command):
    organization_id: uuid.UUID
    name: str
    phone_number: str
    permission_level: str = "staff"
    service_ids: list[uuid.UUID] | None = None  # None: every active service
    working_hours: dict | None = None  # None: the business hours
    location_id: uuid.UUID | None = None
    default_spot_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateStaff(Command):
    organization_id: uuid.UUID
    staff_id: uuid.UUID
    name: str | None = None
    permission_level: str | None = None
    service_ids: list[uuid.UUID] | None = None
    working_hours: dict | None = None
    clear_working_hours: bool = False
    default_spot_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class DeactivateStaff(Command):
    organization_id: uuid.UUID
    staff_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReactivateStaff(Command):
    organization_id: uuid.UUID
    staff_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RecordStaffFirstMessage(Command):
    organization_id: uuid.UUID
    staff_id: uuid.UUID
    at: datetime


@dataclass(frozen=True, kw_only=True)
class BlockTime(Command):
    """Block a staff member's time; a range over several days is split per local day."""

    organization_id: uuid.UUID
    staff_id: uuid.UUID
    start: datetime
    end: datetime
    reason: str = ""
    block_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class UnblockTime(Command):
    """Remove a block. ``block_id`` is the id ``BlockTime`` returned (or one piece's id).

    ``days``: remove its piece on each of these local days (the piece ids are derived the way
    ``BlockTime`` derives them). ``day`` alone: the piece on that day and, when that piece is the
    block's first one, every following piece of the same block. All in one save.
    """

    organization_id: uuid.UUID
    staff_id: uuid.UUID
    block_id: uuid.UUID
    day: date | None = None
    days: list[date] = field(default_factory=list)


# ---- customers ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddCustomer(Command):
    """Create a customer, or return the existing one with that phone (enriching its name)."""

    organization_id: uuid.UUID
    phone_number: str
    name: str | None = None
    name_verified: bool = False
    email: str | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateCustomer(Command):
    organization_id: uuid.UUID
    customer_id: uuid.UUID
    name: str | None = None
    name_verified: bool = False
    email: str | None = None
    notes: str | None = None


# ---- appointments ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BookAppointment(Command):
    """Book a service. Without ``staff_id`` a qualified free staff member is chosen."""

    organization_id: uuid.UUID
    service_id: uuid.UUID
    start: datetime
    customer_id: uuid.UUID | None = None
    customer_phone: str | None = None
    customer_name: str | None = None
    staff_id: uuid.UUID | None = None
    spot_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    source: str = "whatsapp"
    notes: str = ""
    confirmed: bool = True
    appointment_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class RescheduleAppointment(Command):
    organization_id: uuid.UUID
    appointment_id: uuid.UUID
    start: datetime | None = None
    staff_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    spot_id: uuid.UUID | None = None
    notes: str | None = None  # also replace the notes, in the same change


@dataclass(frozen=True, kw_only=True)
class CancelAppointment(Command):
    organization_id: uuid.UUID
    appointment_id: uuid.UUID
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ConfirmAppointment(Command):
    organization_id: uuid.UUID
    appointment_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CompleteAppointment(Command):
    organization_id: uuid.UUID
    appointment_id: uuid.UUID
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class MarkNoShow(Command):
    organization_id: uuid.UUID
    appointment_id: uuid.UUID
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class UpdateAppointmentNotes(Command):
    organization_id: uuid.UUID
    appointment_id: uuid.UUID
    notes: str


@dataclass(frozen=True, kw_only=True)
class RecordReminderSent(Command):
    organization_id: uuid.UUID
    appointment_id: uuid.UUID
    at: datetime


# ---- conversations and outbound messages (handled by commands/conversations.py) ----------


@dataclass(frozen=True, kw_only=True)
class QueueOutboundMessage(Command):
    """Queue a WhatsApp message from the business's number; the dispatcher sends it and records the outcome."""

    organization_id: uuid.UUID
    to_phone: str
    body: str
    kind: str = "reply"  # reply | notification | magic_link | reminder | handoff | welcome
    template_variables: dict | None = None
    message_id: uuid.UUID | None = None
    from_number: str | None = None  # None: the business's primary WhatsApp number


# ---- dashboard access (handled by commands/access.py) -------------------------------------


@dataclass(frozen=True, kw_only=True)
class IssueMagicLink(Command):
    """Issue a single-use login link for an active staff member; only the token's SHA-256 is recorded."""

    organization_id: uuid.UUID
    staff_id: uuid.UUID
    token: str
    ttl_minutes: int = 15


@dataclass(frozen=True, kw_only=True)
class ConsumeMagicLink(Command):
    """Use a magic link once; returns the staff member, organization and permission level it logs in."""

    token: str


@dataclass(frozen=True, kw_only=True)
class RecordInboundMessage(Command):
    """Store a WhatsApp message as received (idempotent on ``message_sid``)."""

    organization_id: uuid.UUID
    message_sid: str
    from_address: str  # exactly as Twilio sent it, e.g. "whatsapp:+5215512345678"
    to_number: str  # the number that received it (E.164)
    body: str = ""
    profile_name: str | None = None
    wa_id: str | None = None
    num_media: int = 0
    media: list[dict] = field(default_factory=list)  # [{"url": ..., "content_type": ...}]
    received_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ClaimOutboundMessage(Command):
    """Take a pending outbound message for one send attempt (a lease, so two senders never race)."""

    message_id: uuid.UUID
    lease_seconds: float = 60.0


@dataclass(frozen=True, kw_only=True)
class RecordOutboundSent(Command):
    message_id: uuid.UUID
    twilio_sid: str
    status: str = "queued"
    content_sid: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordOutboundFailed(Command):
    """``retry_at`` None: the failure is final; otherwise the message stays pending until then."""

    message_id: uuid.UUID
    error_code: str
    error_message: str
    retry_at: datetime | None = None
    use_template: bool = False


@dataclass(frozen=True, kw_only=True)
class RecordMessageStatus(Command):
    """A Twilio status callback (sent/delivered/read/failed/undelivered); only moves forward."""

    twilio_sid: str
    status: str
    error_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class SaveAgentState(Command):
    """The inbound message ``message_sid`` has been handled; store the agent's new state (None: unchanged)."""

    organization_id: uuid.UUID
    customer_phone: str
    message_sid: str
    state: dict | None = None
    outcome: str = "agent"  # agent | staff_placeholder | central | handed_off | ignored


@dataclass(frozen=True, kw_only=True)
class HandOffConversation(Command):
    organization_id: uuid.UUID
    customer_phone: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ResolveHandoff(Command):
    organization_id: uuid.UUID
    customer_phone: str | None = None
    conversation_id: uuid.UUID | None = None



# ---- business onboarding by chat and number provisioning (handled by commands/onboarding.py) ----


@dataclass(frozen=True, kw_only=True)
class StartOnboarding(Command):
    owner_phone: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class RecordOnboardingTurn(Command):
    owner_phone: str
    at: datetime
    step: str
    details: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ResumeOnboarding(Command):
    """Abandon an onboarding idle for 30 minutes (if it is) and resume it where it stopped."""

    owner_phone: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class ConfirmOnboarding(Command):
    owner_phone: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class RecordNumberPurchased(Command):
    owner_phone: str
    phone_number: str
    number_sid: str


@dataclass(frozen=True, kw_only=True)
class RegisterOnboardedBusiness(Command):
    owner_phone: str


@dataclass(frozen=True, kw_only=True)
class RecordDisplayNameRejected(Command):
    owner_phone: str
    display_name: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordSenderRegistered(Command):
    owner_phone: str
    sender_sid: str
    display_name: str


@dataclass(frozen=True, kw_only=True)
class RecordWebhookPointed(Command):
    owner_phone: str
    url: str


@dataclass(frozen=True, kw_only=True)
class RecordProvisioningFailure(Command):
    owner_phone: str
    step: str
    reason: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class CompleteOnboarding(Command):
    """The number is live: the onboarding is completed and the organization becomes active."""

    owner_phone: str
    at: datetime


__all__ = [
    "Command",
    "RegisterOrganization",
    "UpdateOrganization",
    "ChangeOrganizationStatus",
    "UpdateOrganizationSettings",
    "AddLocation",
    "UpdateLocation",
    "RemoveLocation",
    "SetBusinessHours",
    "CloseBusiness",
    "ReopenBusiness",
    "AddService",
    "UpdateService",
    "RemoveService",
    "AddSpot",
    "UpdateSpot",
    "RemoveSpot",
    "AddStaff",
    "UpdateStaff",
    "DeactivateStaff",
    "ReactivateStaff",
    "RecordStaffFirstMessage",
    "BlockTime",
    "UnblockTime",
    "AddCustomer",
    "UpdateCustomer",
    "BookAppointment",
    "RescheduleAppointment",
    "CancelAppointment",
    "ConfirmAppointment",
    "CompleteAppointment",
    "MarkNoShow",
    "UpdateAppointmentNotes",
    "RecordReminderSent",
    "QueueOutboundMessage",
    "IssueMagicLink",
    "ConsumeMagicLink",
    "RecordInboundMessage",
    "ClaimOutboundMessage",
    "RecordOutboundSent",
    "RecordOutboundFailed",
    "RecordMessageStatus",
    "SaveAgentState",
    "HandOffConversation",
    "ResolveHandoff",
    "StartOnboarding",
    "RecordOnboardingTurn",
    "ResumeOnboarding",
    "ConfirmOnboarding",
    "RecordNumberPurchased",
    "RegisterOnboardedBusiness",
    "RecordDisplayNameRejected",
    "RecordSenderRegistered",
    "RecordWebhookPointed",
    "RecordProvisioningFailure",
    "CompleteOnboarding",
]

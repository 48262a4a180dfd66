"""Commands of business onboarding by chat and of number provisioning (issue #11).

The conversation records its turns on ``BusinessOnboarding``; provisioning records each step
(number bought, business registered, sender registered, webhook pointed, failures) so a retried
job resumes where it stopped. ``RegisterOnboardedBusiness`` writes the Organization, its services,
its owner and team, and the onboarding's ``BusinessRegistered`` in one save. The command
dataclasses are in commands/definitions.py (the onboarding section).
"""

from __future__ import annotations

import uuid
from typing import Any

from aggregates.errors import InvalidInput, NotFound, PermissionDenied
from aggregates.onboarding import BusinessOnboarding
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from commands.base import CommandBase, CommandResult
from commands.definitions import (
    Command,
    CompleteOnboarding,
    ConfirmOnboarding,
    RecordDisplayNameRejected,
    RecordNumberPurchased,
    RecordOnboardingTurn,
    RecordProvisioningFailure,
    RecordSenderRegistered,
    RecordWebhookPointed,
    RegisterOnboardedBusiness,
    ResumeOnboarding,
    StartOnboarding,
)
from commands.phones import normalize_phone

MISSING = "No encontré ese registro de negocio."


def _platform_only(cmd: Command) -> None:
    if cmd.actor.kind != "system":
        raise PermissionDenied("Solo la plataforma registra negocios por chat.")


def _onboarding(app: CommandBase, owner_phone: str) -> BusinessOnboarding:
    return app._load(BusinessOnboarding, BusinessOnboarding.create_id(normalize_phone(owner_phone)), MISSING)


def get_onboarding(app: CommandBase, owner_phone: str) -> dict[str, Any] | None:
    """The onboarding of this phone as plain data, or None (the write model: read-your-writes)."""
    found = app._get_or_none(BusinessOnboarding.create_id(normalize_phone(owner_phone)))
    return found.snapshot() if isinstance(found, BusinessOnboarding) else None


def start_onboarding(app: CommandBase, cmd: StartOnboarding) -> CommandResult:
    _platform_only(cmd)
    phone = normalize_phone(cmd.owner_phone)
    existing = app._get_or_none(BusinessOnboarding.create_id(phone))
    if existing is not None:
        return CommandResult(existing.id, None, {"created": False})
    onboarding = BusinessOnboarding.start(owner_phone=phone, at=cmd.at)
    return CommandResult(onboarding.id, app._save(onboarding), {"created": True})


def _change(app: CommandBase, cmd: Any, change: Any) -> CommandResult:
    _platform_only(cmd)
    onboarding = _onboarding(app, cmd.owner_phone)
    data = change(onboarding) or {}
    return CommandResult(onboarding.id, app._save(onboarding), data)


def record_onboarding_turn(app: CommandBase, cmd: RecordOnboardingTurn) -> CommandResult:
    return _change(app, cmd, lambda o: o.record_turn(at=cmd.at, details=dict(cmd.details), step=cmd.step, context=dict(cmd.context)))


def resume_onboarding(app: CommandBase, cmd: ResumeOnboarding) -> CommandResult:
    def change(o: BusinessOnboarding) -> dict:
        abandoned = o.abandon_if_idle(cmd.at) or o.step == "abandoned"
        o.resume(cmd.at)
        return {"resumed": abandoned}

    return _change(app, cmd, change)


def confirm_onboarding(app: CommandBase, cmd: ConfirmOnboarding) -> CommandResult:
    return _change(app, cmd, lambda o: o.confirm(cmd.at))


def record_number_purchased(app: CommandBase, cmd: RecordNumberPurchased) -> CommandResult:
    number = normalize_phone(cmd.phone_number)
    return _change(app, cmd, lambda o: o.record_number_purchased(number, cmd.number_sid))


def register_onboarded_business(app: CommandBase, cmd: RegisterOnboardedBusiness) -> CommandResult:
    """The collected business becomes an Organization (status ``onboarding``) with its services,
    owner and team, in the same save as the onboarding's ``BusinessRegistered``."""
    _platform_only(cmd)
    onboarding = _onboarding(app, cmd.owner_phone)
    if onboarding.organization_id is not None:
        return CommandResult(onboarding.organization_id, None, {"created": False})
    if onboarding.phone_number is None or onboarding.sender_sid is None:
        raise InvalidInput("Todavía no hay número de WhatsApp para este negocio.")
    data = onboarding.data
    org_id = Organization.create_id(onboarding.phone_number)
    if app._exists(org_id):
        raise InvalidInput("Ese número ya pertenece a otro negocio.")
    org = Organization.register(
        name=data["business_name"],
        business_type=data["business_type"],
        timezone="America/Mexico_City",
        whatsapp_number=onboarding.phone_number,
        location_id=uuid.uuid5(org_id, "location:primary"),
        location_name="Principal",
        location_address=data.get("address") or "",
        business_hours=data["hours"],
    )
    service_ids = []
    for service in data["services"]:
        service_id = uuid.uuid5(org_id, f"service:{service['name']}")
        org.add_service(
            service_id, name=service["name"], description="", duration_minutes=int(service["duration_minutes"]), price_cents=int(service["price_cents"])
        )
        service_ids.append(service_id)
    touched: list = [org]
    people = [(data["owner_name"], onboarding.owner_phone, "owner")]
    people += [(member["name"], member["phone"], "staff") for member in data.get("team") or [] if member["phone"] != onboarding.owner_phone]
    ids: dict[str, uuid.UUID] = {}
    for name, phone, level in people:
        if phone in ids:
            continue
        staff = StaffMember.register(
            organization_id=org.id,
            name=name,
            phone_number=phone,
            permission_level=level,
            service_ids=service_ids,
            working_hours=None,
            location_id=None,
            default_spot_id=None,
        )
        org.enlist_staff(staff.id)
        touched.append(staff)
        ids[phone] = staff.id
    onboarding.record_business_registered(org.id)
    touched.append(onboarding)
    return CommandResult(org.id, app._save(*touched), {"created": True, "owner_id": ids[onboarding.owner_phone]})


def record_display_name_rejected(app: CommandBase, cmd: RecordDisplayNameRejected) -> CommandResult:
    return _change(app, cmd, lambda o: o.record_display_name_rejected(cmd.display_name, cmd.reason))


def record_sender_registered(app: CommandBase, cmd: RecordSenderRegistered) -> CommandResult:
    return _change(app, cmd, lambda o: o.record_sender_registered(cmd.sender_sid, cmd.display_name))


def record_webhook_pointed(app: CommandBase, cmd: RecordWebhookPointed) -> CommandResult:
    return _change(app, cmd, lambda o: o.record_webhook_pointed(cmd.url))


def record_provisioning_failure(app: CommandBase, cmd: RecordProvisioningFailure) -> CommandResult:
    return _change(app, cmd, lambda o: o.record_failure(cmd.step, cmd.reason, cmd.at))


def complete_onboarding(app: CommandBase, cmd: CompleteOnboarding) -> CommandResult:
    _platform_only(cmd)
    onboarding = _onboarding(app, cmd.owner_phone)
    if onboarding.organization_id is None:
        raise NotFound("Este registro todavía no tiene negocio.")
    org = app._organization(onboarding.organization_id)
    onboarding.complete(cmd.at)
    org.change_status("active", "onboarding completed")
    return CommandResult(org.id, app._save(onboarding, org))


HANDLERS = {
    StartOnboarding: start_onboarding,
    RecordOnboardingTurn: record_onboarding_turn,
    ResumeOnboarding: resume_onboarding,
    ConfirmOnboarding: confirm_onboarding,
    RecordNumberPurchased: record_number_purchased,
    RegisterOnboardedBusiness: register_onboarded_business,
    RecordDisplayNameRejected: record_display_name_rejected,
    RecordSenderRegistered: record_sender_registered,
    RecordWebhookPointed: record_webhook_pointed,
    RecordProvisioningFailure: record_provisioning_failure,
    CompleteOnboarding: complete_onboarding,
}

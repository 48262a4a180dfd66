"""Handlers for the business itself: profile, status, settings, locations, hours, services, spots.

Most of them are one change to the Organization by someone the permission matrix allows:
``_change_organization`` is that skeleton (load, authorize, change, save), written once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from aggregates.errors import AlreadyExists, InvalidInput
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from commands.base import CommandBase, CommandResult
from commands.definitions import (
    AddLocation,
    AddService,
    AddSpot,
    ChangeOrganizationStatus,
    CloseBusiness,
    Command,
    RegisterOrganization,
    RemoveLocation,
    RemoveService,
    RemoveSpot,
    ReopenBusiness,
    SetBusinessHours,
    UpdateLocation,
    UpdateOrganization,
    UpdateOrganizationSettings,
    UpdateService,
    UpdateSpot,
)
from commands.phones import normalize_phone


def _change_organization(
    app: CommandBase,
    cmd: Command,
    action: str,
    change: Callable[[Organization], object],
    result_id: Callable[[Organization], uuid.UUID] | uuid.UUID | None = None,
) -> CommandResult:
    """Load the command's organization, authorize its actor for ``action``, apply ``change(org)``
    and save. The result's id is ``result_id`` (or ``result_id(org)``), else the org's."""
    org = app._organization(cmd.organization_id)  # type: ignore[attr-defined]
    app._authorize(org.id, cmd.actor, action)
    change(org)
    position = app._save(org)
    found = result_id(org) if callable(result_id) else result_id
    return CommandResult(found or org.id, position)


def _new_id(given: uuid.UUID | None) -> uuid.UUID:
    return given or uuid.uuid4()


def register_organization(app: CommandBase, cmd: RegisterOrganization) -> CommandResult:
    if cmd.actor.kind not in ("admin", "system"):
        raise InvalidInput("Solo la plataforma puede registrar negocios.")
    if (cmd.owner_name is None) != (cmd.owner_phone is None):
        raise InvalidInput("Para registrar al dueño indica su nombre y su número de WhatsApp.")
    number = normalize_phone(cmd.whatsapp_number)
    owner_phone = normalize_phone(cmd.owner_phone) if cmd.owner_phone is not None else None
    org_id = Organization.create_id(number)
    if app._exists(org_id):
        raise AlreadyExists("Ya hay un negocio registrado con ese número de WhatsApp.", organization_id=str(org_id))
    org = Organization.register(
        name=cmd.name,
        business_type=cmd.business_type,
        timezone=cmd.timezone,
        whatsapp_number=number,
        location_id=uuid.uuid5(org_id, "location:primary"),
        location_name=cmd.location_name,
        location_address=cmd.location_address,
        business_hours=cmd.business_hours,
    )
    if cmd.activate:
        org.change_status("active", "")
    touched: list = [org]
    data: dict = {"location_id": org.primary_location_id}
    if owner_phone is not None:
        # The owner is saved with the business: never a business without its owner.
        owner = StaffMember.register(
            organization_id=org.id,
            name=cmd.owner_name or "",
            phone_number=owner_phone,
            permission_level="owner",
            service_ids=[],  # a new business has no services yet
            working_hours=None,
            location_id=None,
            default_spot_id=None,
        )
        org.enlist_staff(owner.id)
        touched.append(owner)
        data["owner_id"] = owner.id
    return CommandResult(org.id, app._save(*touched), data)


def update_organization(app: CommandBase, cmd: UpdateOrganization) -> CommandResult:
    def change(org: Organization) -> None:
        org.update_profile(name=cmd.name, business_type=cmd.business_type, timezone=cmd.timezone)
        if cmd.settings:
            org.update_settings(dict(cmd.settings))

    return _change_organization(app, cmd, "manage_settings", change)


def change_organization_status(app: CommandBase, cmd: ChangeOrganizationStatus) -> CommandResult:
    org = app._organization(cmd.organization_id)
    if cmd.actor.kind not in ("admin", "system"):
        # An owner may go live after onboarding, nothing else.
        app._authorize(org.id, cmd.actor, "manage_settings")
        if not (org.status == "onboarding" and cmd.status == "active"):
            raise InvalidInput("Solo la plataforma puede suspender o reactivar un negocio.")
    org.change_status(cmd.status, cmd.reason)
    return CommandResult(org.id, app._save(org))


def update_organization_settings(app: CommandBase, cmd: UpdateOrganizationSettings) -> CommandResult:
    return _change_organization(
        app, cmd, "manage_settings", lambda org: org.update_settings(cmd.changes)
    )


def add_location(app: CommandBase, cmd: AddLocation) -> CommandResult:
    location_id = _new_id(cmd.location_id)
    return _change_organization(
        app,
        cmd,
        "manage_settings",
        lambda org: org.add_location(location_id, cmd.name, cmd.address, cmd.business_hours),
        location_id,
    )


def update_location(app: CommandBase, cmd: UpdateLocation) -> CommandResult:
    # Two permissions: the name and address are settings, the hours need change_business_hours.
    org = app._organization(cmd.organization_id)
    if cmd.name is not None or cmd.address is not None or cmd.business_hours is None:
        app._authorize(org.id, cmd.actor, "manage_settings")
        org.update_location(cmd.location_id, name=cmd.name, address=cmd.address)
    if cmd.business_hours is not None:
        app._authorize(org.id, cmd.actor, "change_business_hours")
        org.set_business_hours(cmd.location_id, cmd.business_hours)
    return CommandResult(cmd.location_id, app._save(org))


def remove_location(app: CommandBase, cmd: RemoveLocation) -> CommandResult:
    return _change_organization(
        app, cmd, "manage_settings", lambda org: org.remove_location(cmd.location_id), cmd.location_id
    )


def set_business_hours(app: CommandBase, cmd: SetBusinessHours) -> CommandResult:
    def change(org: Organization) -> None:
        org.set_business_hours(cmd.location_id or org.primary_location_id, cmd.hours)

    return _change_organization(
        app, cmd, "change_business_hours", change, lambda org: cmd.location_id or org.primary_location_id
    )


def _closure_id(org: Organization, cmd: CloseBusiness) -> uuid.UUID:
    return cmd.closure_id or uuid.uuid5(org.id, f"closure:{cmd.start_date}:{cmd.end_date}")


def close_business(app: CommandBase, cmd: CloseBusiness) -> CommandResult:
    def change(org: Organization) -> None:
        org.schedule_closure(_closure_id(org, cmd), cmd.start_date, cmd.end_date, cmd.reason)

    return _change_organization(app, cmd, "change_business_hours", change, lambda org: _closure_id(org, cmd))


def reopen_business(app: CommandBase, cmd: ReopenBusiness) -> CommandResult:
    return _change_organization(
        app, cmd, "change_business_hours", lambda org: org.cancel_closure(cmd.closure_id), cmd.closure_id
    )


def add_service(app: CommandBase, cmd: AddService) -> CommandResult:
    service_id = _new_id(cmd.service_id)
    details = {"name": cmd.name, "description": cmd.description, "duration_minutes": cmd.duration_minutes, "price_cents": cmd.price_cents}
    return _change_organization(app, cmd, "manage_services", lambda org: org.add_service(service_id, **details), service_id)


def update_service(app: CommandBase, cmd: UpdateService) -> CommandResult:
    only_duration = set(cmd.changes) <= {"duration_minutes"}
    return _change_organization(
        app,
        cmd,
        "change_service_durations" if only_duration else "manage_services",
        lambda org: org.update_service(cmd.service_id, dict(cmd.changes)),
        cmd.service_id,
    )


def remove_service(app: CommandBase, cmd: RemoveService) -> CommandResult:
    return _change_organization(
        app, cmd, "manage_services", lambda org: org.remove_service(cmd.service_id), cmd.service_id
    )


def add_spot(app: CommandBase, cmd: AddSpot) -> CommandResult:
    spot_id = _new_id(cmd.spot_id)
    details = {"name": cmd.name, "display_order": cmd.display_order, "service_ids": list(cmd.service_ids)}

    def change(org: Organization) -> None:  # the primary location is only known once the business is loaded
        org.add_spot(spot_id, location_id=cmd.location_id or org.primary_location_id, **details)

    return _change_organization(app, cmd, "manage_settings", change, spot_id)


def update_spot(app: CommandBase, cmd: UpdateSpot) -> CommandResult:
    return _change_organization(
        app, cmd, "manage_settings", lambda org: org.update_spot(cmd.spot_id, dict(cmd.changes)), cmd.spot_id
    )


def remove_spot(app: CommandBase, cmd: RemoveSpot) -> CommandResult:
    return _change_organization(
        app, cmd, "manage_settings", lambda org: org.remove_spot(cmd.spot_id), cmd.spot_id
    )


HANDLERS = {
    RegisterOrganization: register_organization,
    UpdateOrganization: update_organization,
    ChangeOrganizationStatus: change_organization_status,
    UpdateOrganizationSettings: update_organization_settings,
    AddLocation: add_location,
    UpdateLocation: update_location,
    RemoveLocation: remove_location,
    SetBusinessHours: set_business_hours,
    CloseBusiness: close_business,
    ReopenBusiness: reopen_business,
    AddService: add_service,
    UpdateService: update_service,
    RemoveService: remove_service,
    AddSpot: add_spot,
    UpdateSpot: update_spot,
    RemoveSpot: remove_spot,
}

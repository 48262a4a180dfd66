"""Handlers for the business itself: profile, status, settings, locations, hours, services, spots."""

from __future__ import annotations

import uuid

from aggregates.errors import AlreadyExists, InvalidInput
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from commands.base import CommandBase, CommandResult, retry_on_conflict
from commands.messages import (
    AddLocation,
    AddService,
    AddSpot,
    ChangeOrganizationStatus,
    CloseBusiness,
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


def _new_id(given: uuid.UUID | None) -> uuid.UUID:
    return given or uuid.uuid4()


class OrganizationCommands(CommandBase):
    @retry_on_conflict
    def register_organization(self, cmd: RegisterOrganization) -> CommandResult:
        if cmd.actor.kind not in ("admin", "system"):
            raise InvalidInput("Solo la plataforma puede registrar negocios.")
        if (cmd.owner_name is None) != (cmd.owner_phone is None):
            raise InvalidInput("Para registrar al dueño indica su nombre y su número de WhatsApp.")
        number = normalize_phone(cmd.whatsapp_number)
        owner_phone = normalize_phone(cmd.owner_phone) if cmd.owner_phone is not None else None
        org_id = Organization.create_id(number)
        if self._exists(org_id):
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
            actor=cmd.actor.label,
            cause=cmd.cause,
        )
        if cmd.activate:
            org.change_status("active", "", actor=cmd.actor.label, cause=cmd.cause)
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
                actor=cmd.actor.label,
                cause=cmd.cause,
            )
            org.enlist_staff(owner.id, actor=cmd.actor.label, cause=cmd.cause)
            touched.append(owner)
            data["owner_id"] = owner.id
        return CommandResult(org.id, self._save(*touched), data)

    @retry_on_conflict
    def update_organization(self, cmd: UpdateOrganization) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
        org.update_profile(name=cmd.name, business_type=cmd.business_type, timezone=cmd.timezone, actor=label, cause=cmd.cause)
        if cmd.settings:
            org.update_settings(dict(cmd.settings), actor=label, cause=cmd.cause)
        return CommandResult(org.id, self._save(org))

    @retry_on_conflict
    def change_organization_status(self, cmd: ChangeOrganizationStatus) -> CommandResult:
        org = self._organization(cmd.organization_id)
        if cmd.actor.kind not in ("admin", "system"):
            # An owner may go live after onboarding, nothing else.
            label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
            if not (org.status == "onboarding" and cmd.status == "active"):
                raise InvalidInput("Solo la plataforma puede suspender o reactivar un negocio.")
        else:
            label = cmd.actor.label
        org.change_status(cmd.status, cmd.reason, actor=label, cause=cmd.cause)
        return CommandResult(org.id, self._save(org))

    @retry_on_conflict
    def update_organization_settings(self, cmd: UpdateOrganizationSettings) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
        org.update_settings(cmd.changes, actor=label, cause=cmd.cause)
        return CommandResult(org.id, self._save(org))

    @retry_on_conflict
    def add_location(self, cmd: AddLocation) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
        location_id = _new_id(cmd.location_id)
        org.add_location(location_id, cmd.name, cmd.address, cmd.business_hours, actor=label, cause=cmd.cause)
        return CommandResult(location_id, self._save(org))

    @retry_on_conflict
    def update_location(self, cmd: UpdateLocation) -> CommandResult:
        org = self._organization(cmd.organization_id)
        if cmd.name is not None or cmd.address is not None or cmd.business_hours is None:
            label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
            org.update_location(cmd.location_id, name=cmd.name, address=cmd.address, actor=label, cause=cmd.cause)
        if cmd.business_hours is not None:
            label, _ = self._authorize(org.id, cmd.actor, "change_business_hours")
            org.set_business_hours(cmd.location_id, cmd.business_hours, actor=label, cause=cmd.cause)
        return CommandResult(cmd.location_id, self._save(org))

    @retry_on_conflict
    def remove_location(self, cmd: RemoveLocation) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
        org.remove_location(cmd.location_id, actor=label, cause=cmd.cause)
        return CommandResult(cmd.location_id, self._save(org))

    @retry_on_conflict
    def set_business_hours(self, cmd: SetBusinessHours) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "change_business_hours")
        location_id = cmd.location_id or org.primary_location_id
        org.set_business_hours(location_id, cmd.hours, actor=label, cause=cmd.cause)
        return CommandResult(location_id, self._save(org))

    @retry_on_conflict
    def close_business(self, cmd: CloseBusiness) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "change_business_hours")
        closure_id = cmd.closure_id or uuid.uuid5(org.id, f"closure:{cmd.start_date}:{cmd.end_date}")
        org.close(closure_id, cmd.start_date, cmd.end_date, cmd.reason, actor=label, cause=cmd.cause)
        return CommandResult(closure_id, self._save(org))

    @retry_on_conflict
    def reopen_business(self, cmd: ReopenBusiness) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "change_business_hours")
        org.reopen(cmd.closure_id, actor=label, cause=cmd.cause)
        return CommandResult(cmd.closure_id, self._save(org))

    @retry_on_conflict
    def add_service(self, cmd: AddService) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_services")
        service_id = _new_id(cmd.service_id)
        org.add_service(
            service_id,
            name=cmd.name,
            description=cmd.description,
            duration_minutes=cmd.duration_minutes,
            price_cents=cmd.price_cents,
            actor=label,
            cause=cmd.cause,
        )
        return CommandResult(service_id, self._save(org))

    @retry_on_conflict
    def update_service(self, cmd: UpdateService) -> CommandResult:
        org = self._organization(cmd.organization_id)
        only_duration = set(cmd.changes) <= {"duration_minutes"}
        label, _ = self._authorize(org.id, cmd.actor, "change_service_durations" if only_duration else "manage_services")
        org.update_service(cmd.service_id, dict(cmd.changes), actor=label, cause=cmd.cause)
        return CommandResult(cmd.service_id, self._save(org))

    @retry_on_conflict
    def remove_service(self, cmd: RemoveService) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_services")
        org.remove_service(cmd.service_id, actor=label, cause=cmd.cause)
        return CommandResult(cmd.service_id, self._save(org))

    @retry_on_conflict
    def add_spot(self, cmd: AddSpot) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
        spot_id = _new_id(cmd.spot_id)
        org.add_spot(
            spot_id,
            location_id=cmd.location_id or org.primary_location_id,
            name=cmd.name,
            display_order=cmd.display_order,
            service_ids=list(cmd.service_ids),
            actor=label,
            cause=cmd.cause,
        )
        return CommandResult(spot_id, self._save(org))

    @retry_on_conflict
    def update_spot(self, cmd: UpdateSpot) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
        org.update_spot(cmd.spot_id, dict(cmd.changes), actor=label, cause=cmd.cause)
        return CommandResult(cmd.spot_id, self._save(org))

    @retry_on_conflict
    def remove_spot(self, cmd: RemoveSpot) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, _ = self._authorize(org.id, cmd.actor, "manage_settings")
        org.remove_spot(cmd.spot_id, actor=label, cause=cmd.cause)
        return CommandResult(cmd.spot_id, self._save(org))

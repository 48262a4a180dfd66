"""Handlers for the people who work at the business, and their blocked time."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError

from aggregates.calendar import StaffDay
from aggregates.errors import DuplicatePhone, InvalidInput, NotFound, PermissionDenied
from aggregates.staff import StaffMember
from aggregates.timeslots import ensure_utc, local_date
from commands.base import CommandBase, CommandResult, retry_on_conflict
from commands.messages import (
    AddStaff,
    BlockTime,
    DeactivateStaff,
    ReactivateStaff,
    RecordStaffFirstMessage,
    UnblockTime,
    UpdateStaff,
)
from commands.phones import normalize_phone


def _day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """A local day's [start, end) in UTC."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(timezone.utc)
    return start, end


class StaffCommands(CommandBase):
    @retry_on_conflict
    def add_staff(self, cmd: AddStaff) -> CommandResult:
        org = self._organization(cmd.organization_id)
        label, acting = self._authorize(org.id, cmd.actor, "add_staff")
        if cmd.permission_level == "owner" and acting is not None and acting.permission_level != "owner":
            raise PermissionDenied("Solo el dueño puede registrar a otro dueño.")
        phone = normalize_phone(cmd.phone_number)
        staff_id = StaffMember.create_id(org.id, phone)
        if self._exists(staff_id):
            raise DuplicatePhone("Ya hay alguien del equipo registrado con ese número.", staff_id=str(staff_id))
        if cmd.service_ids is None:
            # Everyone who serves customers starts with every active service; viewers serve none.
            service_ids = [] if cmd.permission_level == "viewer" else [uuid.UUID(s) for s, data in org.services.items() if data["is_active"]]
        else:
            service_ids = list(cmd.service_ids)
        for service_id in service_ids:
            org.service(service_id)
        if cmd.location_id is not None:
            org.location(cmd.location_id)
        if cmd.default_spot_id is not None:
            org.spot(cmd.default_spot_id)
        staff = StaffMember.register(
            organization_id=org.id,
            name=cmd.name,
            phone_number=phone,
            permission_level=cmd.permission_level,
            service_ids=service_ids,
            working_hours=cmd.working_hours,
            location_id=cmd.location_id,
            default_spot_id=cmd.default_spot_id,
            actor=label,
            cause=cmd.cause,
        )
        org.enlist_staff(staff.id, actor=label, cause=cmd.cause)
        return CommandResult(staff.id, self._save(org, staff))

    @retry_on_conflict
    def update_staff(self, cmd: UpdateStaff) -> CommandResult:
        org = self._organization(cmd.organization_id)
        staff = self._owned(StaffMember, cmd.staff_id, org.id, "No encontré a esa persona en este negocio.")
        # Anyone on the team may set their own name and working hours (staff onboarding asks for
        # both); permissions, services, location and spot stay with owners and admins.
        own = cmd.actor.kind == "staff" and cmd.actor.id == str(staff.id)
        self_service = own and cmd.permission_level in (None, staff.permission_level) and cmd.service_ids is None and (
            cmd.location_id is None and cmd.default_spot_id is None
        )
        label, acting = self._authorize(org.id, cmd.actor, "view_own_schedule" if self_service else "add_staff")
        if staff.permission_level == "owner" and not own and acting is not None and acting.permission_level != "owner":
            # Admins manage the team, not the owner: name, services, hours and level stay the owner's.
            raise PermissionDenied("Solo el dueño puede cambiar los datos de un dueño.")
        profile = {k: v for k, v in {"name": cmd.name, "location_id": cmd.location_id, "default_spot_id": cmd.default_spot_id}.items() if v is not None}
        if cmd.location_id is not None:
            org.location(cmd.location_id)
        if cmd.default_spot_id is not None:
            org.spot(cmd.default_spot_id)
        staff.update_profile(profile, actor=label, cause=cmd.cause)
        if cmd.permission_level is not None and cmd.permission_level != staff.permission_level:
            self._authorize(org.id, cmd.actor, "change_permissions")
            staff.change_permission_level(cmd.permission_level, actor=label, cause=cmd.cause)
        if cmd.service_ids is not None:
            for service_id in cmd.service_ids:
                org.service(service_id)
            staff.assign_services(list(cmd.service_ids), actor=label, cause=cmd.cause)
        if cmd.clear_working_hours:
            staff.set_working_hours(None, actor=label, cause=cmd.cause)
        elif cmd.working_hours is not None:
            staff.set_working_hours(cmd.working_hours, actor=label, cause=cmd.cause)
        return CommandResult(staff.id, self._save(staff))

    @retry_on_conflict
    def deactivate_staff(self, cmd: DeactivateStaff) -> CommandResult:
        staff = self._owned(StaffMember, cmd.staff_id, cmd.organization_id, "No encontré a esa persona en este negocio.")
        label, acting = self._authorize(cmd.organization_id, cmd.actor, "remove_staff")
        if staff.permission_level == "owner" and (acting is None or acting.permission_level != "owner"):
            if acting is not None:
                raise PermissionDenied("Solo el dueño puede dar de baja a un dueño.")
        if acting is not None and acting.id == staff.id:
            raise InvalidInput("No puedes darte de baja a ti mismo.")
        staff.deactivate(actor=label, cause=cmd.cause)
        return CommandResult(staff.id, self._save(staff))

    @retry_on_conflict
    def reactivate_staff(self, cmd: ReactivateStaff) -> CommandResult:
        staff = self._owned(StaffMember, cmd.staff_id, cmd.organization_id, "No encontré a esa persona en este negocio.")
        label, _ = self._authorize(cmd.organization_id, cmd.actor, "add_staff")
        staff.reactivate(actor=label, cause=cmd.cause)
        return CommandResult(staff.id, self._save(staff))

    @retry_on_conflict
    def record_staff_first_message(self, cmd: RecordStaffFirstMessage) -> CommandResult:
        staff = self._owned(StaffMember, cmd.staff_id, cmd.organization_id, "No encontré a esa persona en este negocio.")
        # Only the WhatsApp channel (a system job) or that same person, writing from their phone.
        if cmd.actor.kind == "system":
            label = cmd.actor.label
        elif cmd.actor.kind == "staff" and cmd.actor.id == str(staff.id):
            label = f"{'owner' if staff.permission_level == 'owner' else 'staff'}:{staff.id}"
        else:
            raise PermissionDenied("No tienes permiso para hacer eso.")
        staff.record_first_message(ensure_utc(cmd.at), actor=label, cause=cmd.cause)
        return CommandResult(staff.id, self._save(staff))

    @staticmethod
    def _piece_id(block_id: uuid.UUID, day: date, first_day: date) -> uuid.UUID:
        """The id of a block's piece on one local day: the block's own id on its first day,
        uuid5(block id, day) on the following ones."""
        return block_id if day == first_day else uuid.uuid5(block_id, day.isoformat())

    @retry_on_conflict
    def block_time(self, cmd: BlockTime) -> CommandResult:
        org = self._organization(cmd.organization_id)
        staff = self._owned(StaffMember, cmd.staff_id, org.id, "No encontré a esa persona en este negocio.")
        own = cmd.actor.kind == "staff" and cmd.actor.id == str(staff.id)
        label, _ = self._authorize(org.id, cmd.actor, "block_own_time" if own else "block_others_time")
        start, end = ensure_utc(cmd.start), ensure_utc(cmd.end)
        if start >= end:
            raise InvalidInput("La hora de inicio del bloqueo debe ser antes de la hora de fin.")
        if end - start > timedelta(days=62):
            raise InvalidInput("Un bloqueo no puede durar más de dos meses.")
        block_id = cmd.block_id or uuid.uuid4()
        days, pieces = [], []
        first = day = local_date(start, org.timezone)
        last = local_date(end - timedelta(microseconds=1), org.timezone)
        while day <= last:
            calendar = self._day(StaffDay, staff.id, org.id, day, actor=label, cause=cmd.cause)
            day_start, day_end = _day_bounds(day, org.timezone)
            piece_id = self._piece_id(block_id, day, first)
            calendar.block(piece_id, max(start, day_start), min(end, day_end), cmd.reason, actor=label, cause=cmd.cause)
            days.append(calendar)
            pieces.append({"block_id": str(piece_id), "day": day.isoformat()})
            day += timedelta(days=1)
        return CommandResult(block_id, self._save(*days), {"pieces": pieces})

    def _existing_day(self, staff_id: uuid.UUID, day: date) -> StaffDay | None:
        try:
            calendar = self.repository.get(StaffDay.create_id(staff_id, day))
        except AggregateNotFoundError:
            return None
        return calendar if isinstance(calendar, StaffDay) else None

    @retry_on_conflict
    def unblock_time(self, cmd: UnblockTime) -> CommandResult:
        org = self._organization(cmd.organization_id)
        staff = self._owned(StaffMember, cmd.staff_id, org.id, "No encontré a esa persona en este negocio.")
        own = cmd.actor.kind == "staff" and cmd.actor.id == str(staff.id)
        label, _ = self._authorize(org.id, cmd.actor, "block_own_time" if own else "block_others_time")
        missing = "No encontré ese bloqueo."
        requested = sorted(set(cmd.days)) if cmd.days else ([cmd.day] if cmd.day is not None else [])
        if not requested:
            raise InvalidInput("Indica el día (o los días) del bloqueo que quieres quitar.")
        if len(requested) > 63:
            raise InvalidInput("Un bloqueo no puede durar más de dos meses.")
        key = str(cmd.block_id)
        touched: list[StaffDay] = []
        first_piece_end = None
        for day in requested:
            calendar = self._existing_day(staff.id, day)
            if calendar is None:
                raise NotFound(missing)
            # On the block's first day the piece has the block's own id; on the following days,
            # the id BlockTime derived for that day.
            piece_id = cmd.block_id if key in calendar.entries else uuid.uuid5(cmd.block_id, day.isoformat())
            entry = calendar.entries.get(str(piece_id))
            calendar.unblock(piece_id, actor=label, cause=cmd.cause)  # NotFound unless it is a block
            if piece_id == cmd.block_id:
                first_piece_end = entry["end"]
            touched.append(calendar)
        if not cmd.days and first_piece_end is not None:
            # ``day`` alone named the block's first piece: the block goes on over the following
            # days while each piece runs to local midnight (that is how BlockTime split it).
            first = day = requested[0]
            end = first_piece_end
            while end >= _day_bounds(day, org.timezone)[1] and day < first + timedelta(days=63):
                day += timedelta(days=1)
                calendar = self._existing_day(staff.id, day)
                piece_id = self._piece_id(cmd.block_id, day, first)
                entry = calendar.entries.get(str(piece_id)) if calendar is not None else None
                if calendar is None or entry is None or entry["kind"] != "block":
                    break
                calendar.unblock(piece_id, actor=label, cause=cmd.cause)
                touched.append(calendar)
                end = entry["end"]
        return CommandResult(cmd.block_id, self._save(*touched), {"days": [d.day for d in touched]})

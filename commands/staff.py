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
from commands.base import CommandBase, CommandResult
from commands.context import actor_label
from commands.definitions import (
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


def add_staff(app: CommandBase, cmd: AddStaff) -> CommandResult:
    org = app._organization(cmd.organization_id)
    _, acting = app._authorize(org.id, cmd.actor, "add_staff")
    if cmd.permission_level == "owner" and acting is not None and acting.permission_level != "owner":
        raise PermissionDenied("Solo el dueño puede registrar a otro dueño.")
    phone = normalize_phone(cmd.phone_number)
    staff_id = StaffMember.create_id(org.id, phone)
    if app._exists(staff_id):
        raise DuplicatePhone("Ya hay alguien del equipo registrado con ese número.", staff_id=str(staff_id))
    if cmd.service_ids is None:
        # Everyone who serves customers starts with every active service; viewers serve none.
        service_ids = [] if cmd.permission_level == "viewer" else [uuid.UUID(s) for s, service in org.services.items() if service.is_active]
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
    )
    org.enlist_staff(staff.id)
    return CommandResult(staff.id, app._save(org, staff))


def update_staff(app: CommandBase, cmd: UpdateStaff) -> CommandResult:
    org = app._organization(cmd.organization_id)
    staff = app._owned(StaffMember, cmd.staff_id, org.id, "No encontré a esa persona en este negocio.")
    # Anyone on the team may set their own name and working hours (staff onboarding asks for
    # both); permissions, services, location and spot stay with owners and admins.
    own = cmd.actor.kind == "staff" and cmd.actor.id == str(staff.id)
    self_service = own and cmd.permission_level in (None, staff.permission_level) and cmd.service_ids is None and (
        cmd.location_id is None and cmd.default_spot_id is None
    )
    _, acting = app._authorize(org.id, cmd.actor, "view_own_schedule" if self_service else "add_staff")
    if staff.permission_level == "owner" and not own and acting is not None and acting.permission_level != "owner":
        # Admins manage the team, not the owner: name, services, hours and level stay the owner's.
        raise PermissionDenied("Solo el dueño puede cambiar los datos de un dueño.")
    profile = {k: v for k, v in {"name": cmd.name, "location_id": cmd.location_id, "default_spot_id": cmd.default_spot_id}.items() if v is not None}
    if cmd.location_id is not None:
        org.location(cmd.location_id)
    if cmd.default_spot_id is not None:
        org.spot(cmd.default_spot_id)
    staff.update_profile(profile)
    if cmd.permission_level is not None and cmd.permission_level != staff.permission_level:
        app._authorize(org.id, cmd.actor, "change_permissions")
        staff.change_permission_level(cmd.permission_level)
    if cmd.service_ids is not None:
        for service_id in cmd.service_ids:
            org.service(service_id)
        staff.assign_services(list(cmd.service_ids))
    if cmd.clear_working_hours:
        staff.set_working_hours(None)
    elif cmd.working_hours is not None:
        staff.set_working_hours(cmd.working_hours)
    return CommandResult(staff.id, app._save(staff))


def deactivate_staff(app: CommandBase, cmd: DeactivateStaff) -> CommandResult:
    staff = app._owned(StaffMember, cmd.staff_id, cmd.organization_id, "No encontré a esa persona en este negocio.")
    _, acting = app._authorize(cmd.organization_id, cmd.actor, "remove_staff")
    if staff.permission_level == "owner" and (acting is None or acting.permission_level != "owner"):
        if acting is not None:
            raise PermissionDenied("Solo el dueño puede dar de baja a un dueño.")
    if acting is not None and acting.id == staff.id:
        raise InvalidInput("No puedes darte de baja a ti mismo.")
    staff.deactivate()
    return CommandResult(staff.id, app._save(staff))


def reactivate_staff(app: CommandBase, cmd: ReactivateStaff) -> CommandResult:
    staff = app._owned(StaffMember, cmd.staff_id, cmd.organization_id, "No encontré a esa persona en este negocio.")
    app._authorize(cmd.organization_id, cmd.actor, "add_staff")
    staff.reactivate()
    return CommandResult(staff.id, app._save(staff))


def record_staff_first_message(app: CommandBase, cmd: RecordStaffFirstMessage) -> CommandResult:
    staff = app._owned(StaffMember, cmd.staff_id, cmd.organization_id, "No encontré a esa persona en este negocio.")
    # Only the WhatsApp channel (a system job) or that same person, writing from their phone.
    if cmd.actor.kind == "staff" and cmd.actor.id == str(staff.id):
        app._acting_as(actor_label(cmd.actor, staff))
    elif cmd.actor.kind != "system":
        raise PermissionDenied("No tienes permiso para hacer eso.")
    staff.record_first_message(ensure_utc(cmd.at))
    return CommandResult(staff.id, app._save(staff))


def _piece_id(block_id: uuid.UUID, day: date, first_day: date) -> uuid.UUID:
    """The id of a block's piece on one local day: the block's own id on its first day,
    uuid5(block id, day) on the following ones."""
    return block_id if day == first_day else uuid.uuid5(block_id, day.isoformat())


def block_time(app: CommandBase, cmd: BlockTime) -> CommandResult:
    org = app._organization(cmd.organization_id)
    staff = app._owned(StaffMember, cmd.staff_id, org.id, "No encontré a esa persona en este negocio.")
    own = cmd.actor.kind == "staff" and cmd.actor.id == str(staff.id)
    app._authorize(org.id, cmd.actor, "block_own_time" if own else "block_others_time")
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
        calendar = app._day(StaffDay, staff.id, org.id, day)
        day_start, day_end = _day_bounds(day, org.timezone)
        piece_id = _piece_id(block_id, day, first)
        calendar.block(piece_id, max(start, day_start), min(end, day_end), cmd.reason)
        days.append(calendar)
        pieces.append({"block_id": str(piece_id), "day": day.isoformat()})
        day += timedelta(days=1)
    return CommandResult(block_id, app._save(*days), {"pieces": pieces})


def _existing_day(app: CommandBase, staff_id: uuid.UUID, day: date) -> StaffDay | None:
    try:
        calendar = app.repository.get(StaffDay.create_id(staff_id, day))
    except AggregateNotFoundError:
        return None
    return calendar if isinstance(calendar, StaffDay) else None


def unblock_time(app: CommandBase, cmd: UnblockTime) -> CommandResult:
    org = app._organization(cmd.organization_id)
    staff = app._owned(StaffMember, cmd.staff_id, org.id, "No encontré a esa persona en este negocio.")
    own = cmd.actor.kind == "staff" and cmd.actor.id == str(staff.id)
    app._authorize(org.id, cmd.actor, "block_own_time" if own else "block_others_time")
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
        calendar = _existing_day(app, staff.id, day)
        if calendar is None:
            raise NotFound(missing)
        # On the block's first day the piece has the block's own id; on the following days,
        # the id BlockTime derived for that day.
        piece_id = cmd.block_id if key in calendar.entries else uuid.uuid5(cmd.block_id, day.isoformat())
        entry = calendar.entries.get(str(piece_id))
        calendar.unblock(piece_id)  # NotFound unless it is a block
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
            calendar = _existing_day(app, staff.id, day)
            piece_id = _piece_id(cmd.block_id, day, first)
            entry = calendar.entries.get(str(piece_id)) if calendar is not None else None
            if calendar is None or entry is None or entry["kind"] != "block":
                break
            calendar.unblock(piece_id)
            touched.append(calendar)
            end = entry["end"]
    return CommandResult(cmd.block_id, app._save(*touched), {"days": [d.day for d in touched]})


HANDLERS = {
    AddStaff: add_staff,
    UpdateStaff: update_staff,
    DeactivateStaff: deactivate_staff,
    ReactivateStaff: reactivate_staff,
    RecordStaffFirstMessage: record_staff_first_message,
    BlockTime: block_time,
    UnblockTime: unblock_time,
}

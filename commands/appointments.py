"""Handlers for appointments: book, move, cancel, confirm, complete, no-show.

A booking saves, in one transaction, the Appointment, the StaffDay (and SpotDay) it occupies,
the Customer when new, and the Organization the first time a service or spot is used.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from aggregates.appointment import STATUS_ES, Appointment
from aggregates.calendar import DayCalendar, SpotDay, StaffDay
from aggregates.customer import Customer
from aggregates.errors import DomainError, InvalidInput, InvalidTransition, NoAvailability, NotFound, PermissionDenied, SlotTaken
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from aggregates.timeslots import ensure_utc, local_date
from commands.base import CommandBase, CommandResult
from commands.context import Actor
from commands.definitions import (
    BookAppointment,
    CancelAppointment,
    CompleteAppointment,
    ConfirmAppointment,
    MarkNoShow,
    RecordReminderSent,
    RescheduleAppointment,
    UpdateAppointmentNotes,
)
from commands.phones import normalize_phone

PAST_GRACE = timedelta(minutes=5)
MISSING = "No encontré esa cita."


class _Days:
    """The calendars one command touches, loaded once each so every change lands on one instance."""

    def __init__(self, app: CommandBase, organization_id: uuid.UUID) -> None:
        self.app = app
        self.organization_id = organization_id
        self.loaded: dict[uuid.UUID, DayCalendar] = {}

    def get(self, cls: type[DayCalendar], owner_id: uuid.UUID, day) -> DayCalendar:
        key = cls.create_id(owner_id, day)
        if key not in self.loaded:
            self.loaded[key] = self.app._day(cls, owner_id, self.organization_id, day)
        return self.loaded[key]


# ---- who may touch an appointment ----------------------------------------------------

def _authorize_on_appointment(app: CommandBase, actor: Actor, org: Organization, appointment: Appointment | None, action: str) -> None:
    if actor.kind == "customer":
        # Scoped by construction: a customer only ever reaches their own appointments.
        own_id = Customer.create_id(org.id, normalize_phone(actor.id))
        if appointment is not None and appointment.customer_id != own_id:
            raise NotFound(MISSING)
        if action not in ("book", "cancel_appointment", "confirm"):
            raise PermissionDenied("Eso solo lo puede hacer el negocio.")
        return
    app._authorize(org.id, actor, "book" if action == "confirm" else action)


def _appointment(app: CommandBase, org_id: uuid.UUID, appointment_id: uuid.UUID) -> Appointment:
    return app._owned(Appointment, appointment_id, org_id, MISSING)


# ---- placing an interval on staff and spot calendars ---------------------------------

def _place(
    app: CommandBase,
    *,
    org: Organization,
    days: _Days,
    service_id: uuid.UUID,
    location_id: uuid.UUID,
    start: datetime,
    end: datetime,
    staff_id: uuid.UUID | None,
    spot_id: uuid.UUID | None,
    appointment_id: uuid.UUID,
    check_hours: bool,
    preferred_spot: uuid.UUID | None = None,
) -> tuple[StaffMember, uuid.UUID | None]:
    service = org.bookable_service(service_id)
    day = local_date(start, org.timezone)
    candidates = [staff_id] if staff_id else [uuid.UUID(s) for s in org.staff_ids]
    last_error: DomainError | None = None
    busy_error: SlotTaken | None = None  # someone qualified was there, but busy
    chosen: StaffMember | None = None
    for candidate_id in candidates:
        staff = app._owned(StaffMember, candidate_id, org.id, "No encontré a esa persona en este negocio.")
        try:
            staff.check_can_serve(service_id, service.name)
            if staff.location_id is not None and staff.location_id != location_id:
                raise NoAvailability(f"{staff.name} trabaja en otra sucursal.")
            if check_hours:
                staff.check_working(start, end, org.timezone)
            days.get(StaffDay, staff.id, day).occupy(appointment_id, start, end)
        except DomainError as error:
            if staff_id:
                raise
            last_error = error
            if isinstance(error, SlotTaken):
                busy_error = error
            continue
        chosen = staff
        break
    if chosen is None:
        if busy_error is not None:
            raise SlotTaken("Ya no hay nadie disponible para ese servicio a esa hora.") from busy_error
        raise NoAvailability("No hay nadie disponible para ese servicio a esa hora.") from last_error

    chosen_spot = None
    if spot_id is not None and not org.uses_spots(location_id):
        org.spot(spot_id)  # an unknown spot is an error, not silently ignored
        raise InvalidInput("Ese lugar no está activo en esta sucursal.")
    if org.uses_spots(location_id):
        spots = org.spots_for(location_id, service_id)
        if spot_id is not None:
            if spot_id not in spots:
                raise InvalidInput("Ese lugar no puede atender ese servicio.")
            spots = [spot_id]
        else:
            for preferred in (chosen.default_spot_id, preferred_spot):  # the last one moved wins
                if preferred in spots:
                    spots = [preferred] + [s for s in spots if s != preferred]
        for candidate_spot in spots:
            try:
                days.get(SpotDay, candidate_spot, day).occupy(appointment_id, start, end)
            except SlotTaken:
                if spot_id is not None:
                    raise
                continue
            chosen_spot = candidate_spot
            break
        if chosen_spot is None and spots:
            raise SlotTaken("No hay un lugar libre para ese servicio a esa hora.")
        if chosen_spot is not None:
            org.mark_spot_used(chosen_spot)
    return chosen, chosen_spot


# ---- handlers --------------------------------------------------------------------------

def book_appointment(app: CommandBase, cmd: BookAppointment) -> CommandResult:
    org = app._organization(cmd.organization_id)
    _authorize_on_appointment(app, cmd.actor, org, None, "book")
    appointment_id = cmd.appointment_id or uuid.uuid4()
    if cmd.appointment_id is not None and app._exists(appointment_id):
        # The same request again (a retried job or webhook): report what was booked.
        existing = _appointment(app, org.id, appointment_id)
        _authorize_on_appointment(app, cmd.actor, org, existing, "book")  # another customer's id: not found
        return CommandResult(existing.id, None, {"already_booked": True, "staff_id": existing.staff_id})

    customer, customer_is_new = _customer_for_booking(app, cmd, org, appointment_id)
    service = org.bookable_service(cmd.service_id)
    start = ensure_utc(cmd.start)
    end = start + timedelta(minutes=service.duration_minutes)
    now = app.now()
    if start < now - PAST_GRACE:
        raise InvalidInput("Esa hora ya pasó; elige un horario futuro.")
    location_id = cmd.location_id or org.primary_location_id
    walk_in = cmd.source == "walk_in" and cmd.actor.kind != "customer"
    if walk_in:
        # someone is already in the chair: opening hours don't apply, a suspended business still does
        org.location(location_id)
        org.check_taking_bookings()
    else:
        org.check_open(location_id, start, end)
    days = _Days(app, org.id)
    staff, spot_id = _place(app, 
        org=org,
        days=days,
        service_id=cmd.service_id,
        location_id=location_id,
        start=start,
        end=end,
        staff_id=cmd.staff_id,
        spot_id=cmd.spot_id,
        appointment_id=appointment_id,
        check_hours=not walk_in,
    )
    appointment = Appointment.book(
        appointment_id=appointment_id,
        organization_id=org.id,
        location_id=location_id,
        customer_id=customer.id,
        staff_id=staff.id,
        service_id=cmd.service_id,
        spot_id=spot_id,
        start=start,
        end=end,
        source=cmd.source,
        status="confirmed" if cmd.confirmed else "pending",
        notes=cmd.notes,
        price_cents=service.price_cents,
        booked_at=now,
    )
    org.mark_service_used(cmd.service_id)
    position = app._save(org, customer, *days.loaded.values(), appointment)
    return CommandResult(
        appointment.id,
        position,
        {"staff_id": staff.id, "spot_id": spot_id, "customer_id": customer.id, "customer_created": customer_is_new},
    )


def _customer_for_booking(
    app: CommandBase, cmd: BookAppointment, org: Organization, appointment_id: uuid.UUID
) -> tuple[Customer, bool]:
    verified_at = None
    if cmd.actor.kind == "customer":
        phone = normalize_phone(cmd.actor.id)
        verified_at = app.now()
    elif cmd.customer_id is not None:
        customer = app._owned(Customer, cmd.customer_id, org.id, "No encontré a ese cliente.")
        if cmd.customer_name:
            customer.learn_name(cmd.customer_name, verified_at=None)
        return customer, False
    elif cmd.customer_phone:
        phone = normalize_phone(cmd.customer_phone)
    elif cmd.source == "walk_in":
        # A walk-in without a phone: one anonymous customer per appointment, named after the
        # appointment's id (never after ``cause``, which a client chooses: X-Request-ID).
        phone = f"walk-in:{appointment_id}"
    else:
        raise InvalidInput("Indica el cliente: su id o su número de teléfono.")
    customer_id = Customer.create_id(org.id, phone)
    try:  # one read: load the returning customer, or learn that they are new
        customer = app._owned(Customer, customer_id, org.id, "No encontré a ese cliente.")
    except NotFound:
        customer = None
    if customer is not None:
        if cmd.customer_name:
            customer.learn_name(cmd.customer_name, verified_at=verified_at)
        return customer, False
    customer = Customer.register(
        organization_id=org.id,
        phone_number=phone,
        name=cmd.customer_name,
        name_verified_at=verified_at,
        email=None,
        notes=None,
    )
    return customer, True


def reschedule_appointment(app: CommandBase, cmd: RescheduleAppointment) -> CommandResult:
    org = app._organization(cmd.organization_id)
    appointment = _appointment(app, org.id, cmd.appointment_id)
    _authorize_on_appointment(app, cmd.actor, org, appointment, "book")
    if not appointment.is_live:
        raise InvalidTransition(f"Esta cita ya está {STATUS_ES[appointment.status]}; no se puede cambiar.")
    service_id = cmd.service_id or appointment.service_id
    service = org.bookable_service(service_id)
    start = ensure_utc(cmd.start) if cmd.start is not None else appointment.scheduled_start
    end = start + timedelta(minutes=service.duration_minutes)
    if start < app.now() - PAST_GRACE:
        raise InvalidInput("Esa hora ya pasó; elige un horario futuro.")
    staff_id, spot_id = cmd.staff_id, cmd.spot_id
    org.check_open(appointment.location_id, start, end)
    days = _Days(app, org.id)
    old_day = local_date(appointment.scheduled_start, org.timezone)
    new_day = local_date(start, org.timezone)
    target_staff = staff_id or appointment.staff_id
    if target_staff != appointment.staff_id or new_day != old_day:
        days.get(StaffDay, appointment.staff_id, old_day).release(appointment.id)
    if appointment.spot_id is not None:
        days.get(SpotDay, appointment.spot_id, old_day).release(appointment.id)
    staff, new_spot = _place(app, 
        org=org,
        days=days,
        service_id=service_id,
        location_id=appointment.location_id,
        start=start,
        end=end,
        staff_id=target_staff,
        spot_id=spot_id,
        appointment_id=appointment.id,
        check_hours=True,
        # keep the same chair when it is free, but a taken chair is no reason to refuse the move
        preferred_spot=appointment.spot_id,
    )
    appointment.reschedule(
        start=start,
        end=end,
        staff_id=staff.id,
        spot_id=new_spot,
        service_id=service_id,
        price_cents=service.price_cents,
    )
    if cmd.notes is not None:
        appointment.update_notes(cmd.notes)
    org.mark_service_used(service_id)
    position = app._save(org, *days.loaded.values(), appointment)
    return CommandResult(appointment.id, position, {"staff_id": staff.id, "spot_id": new_spot})


def _end_appointment(app: CommandBase, cmd, action: str, change) -> CommandResult:
    org = app._organization(cmd.organization_id)
    appointment = _appointment(app, org.id, cmd.appointment_id)
    _authorize_on_appointment(app, cmd.actor, org, appointment, action)
    change(appointment)
    touched = [appointment]
    if appointment.status == "cancelled":
        day = local_date(appointment.scheduled_start, org.timezone)
        days = _Days(app, org.id)
        days.get(StaffDay, appointment.staff_id, day).release(appointment.id)
        if appointment.spot_id is not None:
            days.get(SpotDay, appointment.spot_id, day).release(appointment.id)
        touched.extend(days.loaded.values())
    return CommandResult(appointment.id, app._save(*touched), {"status": appointment.status})


def cancel_appointment(app: CommandBase, cmd: CancelAppointment) -> CommandResult:
    return _end_appointment(app, 
        cmd, "cancel_appointment", lambda a: a.cancel(cmd.reason)
    )


def complete_appointment(app: CommandBase, cmd: CompleteAppointment) -> CommandResult:
    return _end_appointment(app, 
        cmd, "mark_attendance", lambda a: a.complete(cmd.notes, now=app.now())
    )


def mark_no_show(app: CommandBase, cmd: MarkNoShow) -> CommandResult:
    return _end_appointment(app, 
        cmd, "mark_attendance", lambda a: a.mark_no_show(cmd.notes, now=app.now())
    )


def confirm_appointment(app: CommandBase, cmd: ConfirmAppointment) -> CommandResult:
    return _end_appointment(app, cmd, "confirm", lambda a: a.confirm())


def update_appointment_notes(app: CommandBase, cmd: UpdateAppointmentNotes) -> CommandResult:
    return _end_appointment(app, 
        cmd, "book", lambda a: a.update_notes(cmd.notes)
    )


def record_reminder_sent(app: CommandBase, cmd: RecordReminderSent) -> CommandResult:
    if cmd.actor.kind != "system":
        raise PermissionDenied("Solo el sistema registra recordatorios.")
    appointment = _appointment(app, cmd.organization_id, cmd.appointment_id)
    appointment.record_reminder_sent(ensure_utc(cmd.at))
    return CommandResult(appointment.id, app._save(appointment))


HANDLERS = {
    BookAppointment: book_appointment,
    RescheduleAppointment: reschedule_appointment,
    CancelAppointment: cancel_appointment,
    CompleteAppointment: complete_appointment,
    MarkNoShow: mark_no_show,
    ConfirmAppointment: confirm_appointment,
    UpdateAppointmentNotes: update_appointment_notes,
    RecordReminderSent: record_reminder_sent,
}

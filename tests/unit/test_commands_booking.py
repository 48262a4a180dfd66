"""Booking, rescheduling and ending appointments through the command layer (in-memory store).

The demo business (infra/seed.py): Barbería Don Carlos, Mon–Fri 10–20, Sat 10–18, Sun closed,
America/Mexico_City; Carlos Mendoza (owner) and Miguel Sánchez (staff) perform every service.
The clock is frozen at Wednesday 14 January 2026, 12:00 local; 15 January is a Thursday.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest

from aggregates.appointment import Appointment
from aggregates.calendar import SpotDay, StaffDay
from aggregates.customer import Customer
from aggregates.errors import (
    BusinessClosed,
    DomainError,
    InactiveService,
    InactiveStaff,
    InvalidInput,
    InvalidTransition,
    NoAvailability,
    NotFound,
    OutsideBusinessHours,
    OutsideWorkingHours,
    PermissionDenied,
    ServiceNotOffered,
    SlotTaken,
)
from commands import Actor
from commands.definitions import (
    AddSpot,
    AddStaff,
    BlockTime,
    BookAppointment,
    CancelAppointment,
    CloseBusiness,
    CompleteAppointment,
    ConfirmAppointment,
    DeactivateStaff,
    MarkNoShow,
    RecordReminderSent,
    RescheduleAppointment,
    UpdateAppointmentNotes,
    UpdateService,
    UpdateStaff,
)
from unit_support import local


ANA = "+525599990001"
BETO = "+525599990002"
CUT = "Corte de cabello"
BEARD = "Arreglo de barba"
BOTH = "Corte y barba"
THURSDAY = date(2026, 1, 15)
SYSTEM = Actor.system("tests")


def carlos(demo):
    return demo.staff_ids["Carlos Mendoza"]


def miguel(demo):
    return demo.staff_ids["Miguel Sánchez"]


def book(app, demo, when, *, actor=None, service=CUT, **fields):
    """Book as a customer (Ana) unless another actor is given."""
    cmd = BookAppointment(
        actor=actor or Actor.customer(ANA),
        cause=fields.pop("cause", f"SM-{uuid.uuid4().hex[:8]}"),
        organization_id=fields.pop("organization_id", demo.organization_id),
        service_id=fields.pop("service_id", None) or demo.service_ids[service],
        start=when,
        **fields,
    )
    return app.execute(cmd)


def staff_day(app, staff_id, day=THURSDAY):
    return app.repository.get(StaffDay.create_id(staff_id, day))


def appointment(app, appointment_id) -> Appointment:
    return app.repository.get(appointment_id)


def owner(demo):
    return Actor.staff(carlos(demo))


# ---- a booking -----------------------------------------------------------------------------


def test_a_customer_books_a_haircut(memory_app, demo, clock):
    # when
    result = book(memory_app, demo, local(2026, 1, 15, 11), customer_name="Ana López", staff_id=miguel(demo))

    # then the appointment, the staff member's day, the customer and the organization were saved together
    booked = appointment(memory_app, result.id)
    assert booked.status == "confirmed"
    assert booked.staff_id == miguel(demo)
    assert booked.scheduled_start == local(2026, 1, 15, 11)
    assert booked.scheduled_end == local(2026, 1, 15, 11, 30)
    assert booked.price_cents == 15000
    assert booked.source == "whatsapp"
    assert result.position is not None
    assert result.data["customer_created"] is True
    day = staff_day(memory_app, miguel(demo))
    assert list(day.entries) == [str(result.id)]
    customer = memory_app.repository.get(Customer.create_id(demo.organization_id, ANA))
    assert customer.id == booked.customer_id
    assert customer.name == "Ana López"
    assert customer.name_verified_at == clock().astimezone(customer.name_verified_at.tzinfo)  # the customer said it
    org = memory_app._organization(demo.organization_id)
    assert org.service(demo.service_ids[CUT])["has_appointments"] is True


def test_a_phone_in_another_format_is_the_same_customer(memory_app, demo):
    first = book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.customer("whatsapp:+5215599990001"))
    second = book(memory_app, demo, local(2026, 1, 15, 12), actor=Actor.customer("55 9999 0001"))
    assert first.data["customer_id"] == second.data["customer_id"]
    assert second.data["customer_created"] is False


def test_the_service_duration_sets_the_end(memory_app, demo):
    result = book(memory_app, demo, local(2026, 1, 15, 11), service=BOTH)
    assert appointment(memory_app, result.id).scheduled_end == local(2026, 1, 15, 11, 45)


def test_staff_books_for_a_customer_by_phone_as_pending(memory_app, demo):
    result = book(
        memory_app, demo, local(2026, 1, 15, 16), actor=Actor.staff(miguel(demo)),
        customer_phone="5599990002", customer_name="Beto", source="manual", confirmed=False,
    )
    booked = appointment(memory_app, result.id)
    assert booked.status == "pending"
    customer = memory_app.repository.get(booked.customer_id)
    assert (customer.phone_number, customer.name, customer.name_verified_at) == (BETO, "Beto", None)


def test_staff_must_say_who_the_customer_is(memory_app, demo):
    with pytest.raises(InvalidInput):
        book(memory_app, demo, local(2026, 1, 15, 16), actor=owner(demo), source="manual")


# ---- when the business is open ---------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        local(2026, 1, 15, 9, 30),  # before opening
        local(2026, 1, 15, 19, 45),  # would end after closing (30 min)
        local(2026, 1, 15, 20),  # at closing
        local(2026, 1, 17, 18),  # Saturday closes at 18:00
        local(2026, 1, 15, 23),
    ],
)
def test_booking_outside_business_hours_is_refused(memory_app, demo, when):
    with pytest.raises(OutsideBusinessHours):
        book(memory_app, demo, when)


def test_booking_at_the_edges_of_business_hours_is_fine(memory_app, demo):
    # given: Thursday opens 10:00–20:00, Saturday 10:00–18:00 (30-minute haircuts)
    edges = [local(2026, 1, 15, 10), local(2026, 1, 15, 19, 30), local(2026, 1, 17, 17, 30)]

    # when: booked right at opening and ending right at closing
    results = [book(memory_app, demo, when, staff_id=miguel(demo)) for when in edges]

    # then: every one is a confirmed appointment at exactly that time, on Miguel's calendar
    for when, result in zip(edges, results):
        booked = appointment(memory_app, result.id)
        assert (booked.status, booked.staff_id) == ("confirmed", miguel(demo))
        assert (booked.scheduled_start, booked.scheduled_end) == (when, when + timedelta(minutes=30))
        day = staff_day(memory_app, miguel(demo), when.date())
        assert (day.entries[str(result.id)]["start"], day.entries[str(result.id)]["end"]) == (when, when + timedelta(minutes=30))


def test_booking_on_sunday_is_refused(memory_app, demo):
    # given: the demo business is closed on Sundays (18 Jan 2026)
    # when / then
    with pytest.raises(OutsideBusinessHours):
        book(memory_app, demo, local(2026, 1, 18, 12))


def test_booking_in_a_closure_is_refused(memory_app, demo):
    # given
    memory_app.execute(
        CloseBusiness(
            actor=owner(demo), cause="t", organization_id=demo.organization_id,
            start_date=date(2026, 1, 16), end_date=date(2026, 1, 17), reason="Día de la barbería",
        )
    )

    # when / then
    with pytest.raises(BusinessClosed):
        book(memory_app, demo, local(2026, 1, 16, 12))
    with pytest.raises(BusinessClosed):
        book(memory_app, demo, local(2026, 1, 17, 12))
    book(memory_app, demo, local(2026, 1, 15, 12))


def test_booking_in_the_past_is_refused(memory_app, demo):
    # given: it is Wednesday 12:00
    # when / then
    with pytest.raises(InvalidInput):
        book(memory_app, demo, local(2026, 1, 14, 11))
    with pytest.raises(InvalidInput):
        book(memory_app, demo, local(2026, 1, 13, 12))


def test_a_walk_in_now_is_allowed(memory_app, demo, clock):
    # given: someone just walked in at 12:00 (and the clock moved on a couple of minutes)
    clock.advance(minutes=2)

    # when: Miguel books them right now, without a phone
    result = book(
        memory_app, demo, local(2026, 1, 14, 12), actor=Actor.staff(miguel(demo)),
        source="walk_in", staff_id=miguel(demo), cause="walkin-1",
    )

    # then: an anonymous customer named after the appointment (not after the request's cause)
    booked = appointment(memory_app, result.id)
    assert booked.source == "walk_in"
    assert memory_app.repository.get(booked.customer_id).phone_number == f"walk-in:{result.id}"


def test_walk_ins_without_phone_never_share_a_customer_through_the_cause(memory_app, demo, clock):
    # given: a client sends the same X-Request-ID (the command's cause) for two different walk-ins
    first = book(memory_app, demo, clock(), actor=owner(demo), source="walk_in", staff_id=carlos(demo), cause="req-1")

    # when
    second = book(memory_app, demo, clock(), actor=owner(demo), source="walk_in", staff_id=miguel(demo), cause="req-1")

    # then: each appointment has its own anonymous customer, derived from its own id
    customers = [appointment(memory_app, r.id).customer_id for r in (first, second)]
    assert customers[0] != customers[1]
    assert first.data["customer_created"] is True and second.data["customer_created"] is True
    assert [memory_app.repository.get(c).phone_number for c in customers] == [f"walk-in:{first.id}", f"walk-in:{second.id}"]


def test_a_walk_in_skips_opening_hours_but_not_the_calendar(memory_app, demo, clock):
    # given: 19:50, ten minutes before closing
    clock.set(local(2026, 1, 14, 19, 50))
    first = book(memory_app, demo, clock(), actor=owner(demo), source="walk_in", staff_id=carlos(demo))

    # then: a 30-minute walk-in past closing is fine, a double booking is not
    assert appointment(memory_app, first.id).scheduled_end == local(2026, 1, 14, 20, 20)
    with pytest.raises(SlotTaken):
        book(memory_app, demo, clock(), actor=owner(demo), source="walk_in", staff_id=carlos(demo))


def test_a_customer_cannot_claim_to_be_a_walk_in(memory_app, demo):
    with pytest.raises(OutsideBusinessHours):
        book(memory_app, demo, local(2026, 1, 15, 21), source="walk_in")


def test_a_suspended_business_takes_no_bookings(memory_app, demo):
    from commands.definitions import ChangeOrganizationStatus

    memory_app.execute(ChangeOrganizationStatus(actor=Actor.admin(), cause="t", organization_id=demo.organization_id, status="suspended"))
    with pytest.raises(BusinessClosed):
        book(memory_app, demo, local(2026, 1, 15, 12))


# ---- who can do it -----------------------------------------------------------------------


def add_staff(app, demo, name, phone, level="staff", **fields):
    return app.execute(
        AddStaff(actor=SYSTEM, cause="t", organization_id=demo.organization_id, name=name, phone_number=phone, permission_level=level, **fields)
    ).id


def test_booking_outside_the_staff_members_working_hours_is_refused(memory_app, demo):
    # given: Miguel only works Thursday mornings
    memory_app.execute(
        UpdateStaff(actor=owner(demo), cause="t", organization_id=demo.organization_id, staff_id=miguel(demo), working_hours={"thu": [["10:00", "14:00"]]})
    )

    # then
    book(memory_app, demo, local(2026, 1, 15, 13, 30), staff_id=miguel(demo))
    with pytest.raises(OutsideWorkingHours):
        book(memory_app, demo, local(2026, 1, 15, 15), staff_id=miguel(demo))
    with pytest.raises(OutsideWorkingHours):
        book(memory_app, demo, local(2026, 1, 16, 11), staff_id=miguel(demo))


def test_booking_a_staff_member_who_does_not_perform_the_service_is_refused(memory_app, demo):
    # given: Miguel only cuts hair
    memory_app.execute(
        UpdateStaff(actor=owner(demo), cause="t", organization_id=demo.organization_id, staff_id=miguel(demo), service_ids=[demo.service_ids[CUT]])
    )

    # when / then
    with pytest.raises(ServiceNotOffered):
        book(memory_app, demo, local(2026, 1, 15, 11), service=BEARD, staff_id=miguel(demo))


def test_an_inactive_service_cannot_be_booked(memory_app, demo):
    # given
    memory_app.execute(
        UpdateService(actor=owner(demo), cause="t", organization_id=demo.organization_id, service_id=demo.service_ids[BEARD], changes={"is_active": False})
    )

    # when / then
    with pytest.raises(InactiveService):
        book(memory_app, demo, local(2026, 1, 15, 11), service=BEARD)


def test_an_inactive_staff_member_cannot_be_booked(memory_app, demo):
    # given
    memory_app.execute(DeactivateStaff(actor=owner(demo), cause="t", organization_id=demo.organization_id, staff_id=miguel(demo)))

    # when / then: named explicitly it is refused, chosen automatically it is skipped
    with pytest.raises(InactiveStaff):
        book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))
    result = book(memory_app, demo, local(2026, 1, 15, 11))
    assert result.data["staff_id"] == carlos(demo)


def test_a_viewer_cannot_book(memory_app, demo):
    # given
    viewer = add_staff(memory_app, demo, "Lupita", "+525533333333", "viewer")

    # when / then
    with pytest.raises(PermissionDenied):
        book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.staff(viewer), customer_phone=BETO)


def test_a_deactivated_staff_member_cannot_book(memory_app, demo):
    memory_app.execute(DeactivateStaff(actor=owner(demo), cause="t", organization_id=demo.organization_id, staff_id=miguel(demo)))
    with pytest.raises(PermissionDenied):
        book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.staff(miguel(demo)), customer_phone=BETO, staff_id=carlos(demo))


def test_an_unknown_actor_cannot_book(memory_app, demo):
    with pytest.raises(PermissionDenied):
        book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.staff("not-a-uuid"), customer_phone=BETO)
    with pytest.raises(NotFound):
        book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.staff(uuid.uuid4()), customer_phone=BETO)


# ---- overlaps --------------------------------------------------------------------------------


def test_overlapping_another_appointment_of_the_same_staff_member_is_slot_taken(memory_app, demo):
    # given
    book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))

    # when / then
    with pytest.raises(SlotTaken):
        book(memory_app, demo, local(2026, 1, 15, 11, 15), actor=Actor.customer(BETO), staff_id=miguel(demo))
    # another staff member is free at that time
    book(memory_app, demo, local(2026, 1, 15, 11, 15), actor=Actor.customer(BETO), staff_id=carlos(demo))


def test_auto_selection_picks_a_free_qualified_staff_member(memory_app, demo):
    # given: Carlos is busy at 11:00 and a third barber does not do beards
    book(memory_app, demo, local(2026, 1, 15, 11), staff_id=carlos(demo))
    add_staff(memory_app, demo, "Pedro", "+525544444444", service_ids=[demo.service_ids[CUT]])

    # when
    result = book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.customer(BETO), service=BEARD)

    # then
    assert result.data["staff_id"] == miguel(demo)
    with pytest.raises(SlotTaken):
        book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.customer("+525599990003"), service=BEARD)


def test_auto_selection_without_anyone_qualified_is_no_availability(memory_app, demo):
    for staff_id in (carlos(demo), miguel(demo)):
        memory_app.execute(
            UpdateStaff(actor=SYSTEM, cause="t", organization_id=demo.organization_id, staff_id=staff_id, service_ids=[demo.service_ids[CUT]])
        )
    with pytest.raises(NoAvailability):
        book(memory_app, demo, local(2026, 1, 15, 11), service=BEARD)


def add_chair(app, demo, name="Silla 1", services=(CUT, BEARD, BOTH), order=1):
    return app.execute(
        AddSpot(actor=owner(demo), cause="t", organization_id=demo.organization_id, name=name,
                service_ids=[demo.service_ids[s] for s in services], display_order=order)
    ).id


def test_the_same_spot_cannot_be_used_twice_at_once(memory_app, demo):
    # given: one chair, taken by Carlos at 11:00
    chair = add_chair(memory_app, demo)
    first = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=carlos(demo))
    assert first.data["spot_id"] == chair
    assert list(memory_app.repository.get(SpotDay.create_id(chair, THURSDAY)).entries) == [str(first.id)]

    # when / then: Miguel is free but there is no chair
    with pytest.raises(SlotTaken):
        book(memory_app, demo, local(2026, 1, 15, 11, 15), actor=Actor.customer(BETO), staff_id=miguel(demo))
    with pytest.raises(SlotTaken):
        book(memory_app, demo, local(2026, 1, 15, 11, 15), actor=Actor.customer(BETO), staff_id=miguel(demo), spot_id=chair)
    assert memory_app._organization(demo.organization_id).spot(chair)["has_appointments"] is True


def test_a_second_spot_is_chosen_when_the_first_is_taken(memory_app, demo):
    chair1 = add_chair(memory_app, demo, "Silla 1", order=1)
    chair2 = add_chair(memory_app, demo, "Silla 2", order=2)
    first = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=carlos(demo))
    second = book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.customer(BETO), staff_id=miguel(demo))
    assert (first.data["spot_id"], second.data["spot_id"]) == (chair1, chair2)


def test_a_spot_that_does_not_serve_the_service_is_refused(memory_app, demo):
    add_chair(memory_app, demo, "Silla 1", services=(CUT,))
    beard_chair = add_chair(memory_app, demo, "Silla barba", services=(BEARD,), order=2)
    with pytest.raises(InvalidInput):
        book(memory_app, demo, local(2026, 1, 15, 11), spot_id=beard_chair)


def test_a_block_and_an_appointment_cannot_overlap(memory_app, demo):
    # given: Miguel blocks 14:00–15:00 for lunch and has an 11:00 appointment
    memory_app.execute(
        BlockTime(actor=Actor.staff(miguel(demo)), cause="t", organization_id=demo.organization_id, staff_id=miguel(demo),
                  start=local(2026, 1, 15, 14), end=local(2026, 1, 15, 15), reason="comida")
    )
    book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))

    # then: no appointment in the block, no block over the appointment
    with pytest.raises(SlotTaken):
        book(memory_app, demo, local(2026, 1, 15, 14, 30), actor=Actor.customer(BETO), staff_id=miguel(demo))
    with pytest.raises(SlotTaken):
        memory_app.execute(
            BlockTime(actor=Actor.staff(miguel(demo)), cause="t", organization_id=demo.organization_id, staff_id=miguel(demo),
                      start=local(2026, 1, 15, 11, 15), end=local(2026, 1, 15, 12))
        )
    # and auto selection goes around the block
    assert book(memory_app, demo, local(2026, 1, 15, 14, 30), actor=Actor.customer(BETO)).data["staff_id"] == carlos(demo)


# ---- idempotency -------------------------------------------------------------------------------


def test_booking_twice_with_the_same_appointment_id_books_once(memory_app, demo):
    # given
    appointment_id = uuid.uuid5(uuid.NAMESPACE_URL, "SM-retried-webhook")

    # when
    first = book(memory_app, demo, local(2026, 1, 15, 11), appointment_id=appointment_id)
    again = book(memory_app, demo, local(2026, 1, 15, 11), appointment_id=appointment_id)

    # then
    assert first.id == again.id == appointment_id
    assert again.data["already_booked"] is True
    assert again.data["staff_id"] == first.data["staff_id"]
    assert list(staff_day(memory_app, first.data["staff_id"]).entries) == [str(appointment_id)]
    assert memory_app.repository.get(appointment_id).version == 1


# ---- rescheduling -----------------------------------------------------------------------------


def test_rescheduling_with_notes_is_one_change(memory_app, demo):
    # given: Ana at 11:00 with Miguel, and Miguel busy at 12:00
    booked = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo), notes="primera")
    book(memory_app, demo, local(2026, 1, 15, 12), staff_id=miguel(demo), actor=Actor.customer(BETO))
    before = appointment(memory_app, booked.id).version

    # when: moved into the taken slot, with new notes
    with pytest.raises(SlotTaken):
        memory_app.execute(RescheduleAppointment(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id,
                                                 start=local(2026, 1, 15, 12), notes="nueva nota"))

    # then: neither the time nor the notes changed
    stored = appointment(memory_app, booked.id)
    assert (stored.version, stored.scheduled_start, stored.notes) == (before, local(2026, 1, 15, 11), "primera")

    # when: moved to a free slot with new notes
    result = memory_app.execute(RescheduleAppointment(actor=owner(demo), cause="move-1", organization_id=demo.organization_id,
                                                      appointment_id=booked.id, start=local(2026, 1, 15, 13), notes="nueva nota"))

    # then: both, in the same save
    stored = appointment(memory_app, booked.id)
    assert (stored.scheduled_start, stored.notes) == (local(2026, 1, 15, 13), "nueva nota")
    assert result.position == memory_app.recorder.max_notification_id()


def test_rescheduling_across_days_releases_the_old_day(memory_app, demo):
    # given: Ana has Miguel on Thursday at 11:00
    booked = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))

    # when: she moves it to Friday at 12:00
    memory_app.execute(
        RescheduleAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id,
                              appointment_id=booked.id, start=local(2026, 1, 16, 12))
    )

    # then
    moved = appointment(memory_app, booked.id)
    assert (moved.scheduled_start, moved.staff_id, moved.reschedule_count) == (local(2026, 1, 16, 12), miguel(demo), 1)
    assert staff_day(memory_app, miguel(demo)).entries == {}
    assert list(staff_day(memory_app, miguel(demo), date(2026, 1, 16)).entries) == [str(booked.id)]
    book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.customer(BETO), staff_id=miguel(demo))


def test_rescheduling_within_the_day_may_overlap_itself(memory_app, demo):
    booked = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))
    memory_app.execute(
        RescheduleAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id,
                              appointment_id=booked.id, start=local(2026, 1, 15, 11, 15))
    )
    entry = staff_day(memory_app, miguel(demo)).entries[str(booked.id)]
    assert entry["start"] == local(2026, 1, 15, 11, 15)


def test_rescheduling_to_another_staff_member_releases_the_first(memory_app, demo):
    booked = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))
    result = memory_app.execute(
        RescheduleAppointment(actor=owner(demo), cause="t", organization_id=demo.organization_id,
                              appointment_id=booked.id, staff_id=carlos(demo), service_id=demo.service_ids[BOTH])
    )
    assert result.data["staff_id"] == carlos(demo)
    assert staff_day(memory_app, miguel(demo)).entries == {}
    moved = appointment(memory_app, booked.id)
    assert (moved.scheduled_end, moved.price_cents) == (local(2026, 1, 15, 11, 45), 22000)


@pytest.mark.parametrize(
    "when,error",
    [
        (local(2026, 1, 18, 12), OutsideBusinessHours),  # Sunday
        (local(2026, 1, 14, 10), InvalidInput),  # the past
        (local(2026, 1, 15, 12), SlotTaken),  # Beto's appointment
    ],
)

def test_rescheduling_checks_like_booking_and_changes_nothing_when_refused(memory_app, demo, when, error):
    # given
    booked = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))
    book(memory_app, demo, local(2026, 1, 15, 12), actor=Actor.customer(BETO), staff_id=miguel(demo))

    # when / then
    with pytest.raises(error):
        memory_app.execute(
            RescheduleAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id, appointment_id=booked.id, start=when)
        )
    assert appointment(memory_app, booked.id).version == 1
    assert str(booked.id) in staff_day(memory_app, miguel(demo)).entries


def test_a_cancelled_appointment_cannot_be_rescheduled(memory_app, demo):
    booked = book(memory_app, demo, local(2026, 1, 15, 11))
    memory_app.execute(CancelAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    with pytest.raises(InvalidTransition):
        memory_app.execute(
            RescheduleAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id, appointment_id=booked.id, start=local(2026, 1, 15, 12))
        )


# ---- customers only touch their own appointments ---------------------------------------------


def test_a_customer_cannot_cancel_or_reschedule_someone_elses_appointment(memory_app, demo):
    # given: Ana's appointment
    booked = book(memory_app, demo, local(2026, 1, 15, 11))
    beto = Actor.customer(BETO)
    org_id = demo.organization_id

    # when / then: for Beto it does not exist
    with pytest.raises(NotFound):
        memory_app.execute(CancelAppointment(actor=beto, cause="t", organization_id=org_id, appointment_id=booked.id))
    with pytest.raises(NotFound):
        memory_app.execute(RescheduleAppointment(actor=beto, cause="t", organization_id=org_id, appointment_id=booked.id, start=local(2026, 1, 15, 12)))
    with pytest.raises(NotFound):
        memory_app.execute(ConfirmAppointment(actor=beto, cause="t", organization_id=org_id, appointment_id=booked.id))
    assert appointment(memory_app, booked.id).version == 1


def test_a_customer_cancels_their_own_appointment_and_frees_the_time(memory_app, demo):
    # given
    booked = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))

    # when
    result = memory_app.execute(
        CancelAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id, appointment_id=booked.id, reason="no puedo")
    )

    # then
    assert result.data["status"] == "cancelled"
    assert appointment(memory_app, booked.id).cancellation_reason == "no puedo"
    assert staff_day(memory_app, miguel(demo)).entries == {}
    book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.customer(BETO), staff_id=miguel(demo))


def test_a_cancelled_appointment_frees_its_spot_too(memory_app, demo):
    chair = add_chair(memory_app, demo)
    booked = book(memory_app, demo, local(2026, 1, 15, 11))
    memory_app.execute(CancelAppointment(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    assert memory_app.repository.get(SpotDay.create_id(chair, THURSDAY)).entries == {}


@pytest.mark.parametrize("command", [CompleteAppointment, MarkNoShow])
def test_a_customer_cannot_mark_attendance(memory_app, demo, command):
    booked = book(memory_app, demo, local(2026, 1, 15, 11))
    with pytest.raises(PermissionDenied):
        memory_app.execute(command(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))


def test_a_customer_confirms_their_pending_appointment(memory_app, demo):
    booked = book(memory_app, demo, local(2026, 1, 15, 11), confirmed=False)
    memory_app.execute(ConfirmAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    assert appointment(memory_app, booked.id).status == "confirmed"


def test_staff_completes_and_a_completed_appointment_keeps_its_time(memory_app, demo, clock):
    booked = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))
    clock.set(local(2026, 1, 15, 11, 30))
    memory_app.execute(CompleteAppointment(actor=Actor.staff(miguel(demo)), cause="t", organization_id=demo.organization_id, appointment_id=booked.id, notes="ok"))
    assert appointment(memory_app, booked.id).status == "completed"
    assert str(booked.id) in staff_day(memory_app, miguel(demo)).entries
    with pytest.raises(InvalidTransition):
        memory_app.execute(CancelAppointment(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))


@pytest.mark.parametrize("command", [CompleteAppointment, MarkNoShow])
def test_attendance_cannot_be_marked_before_the_appointment_starts(memory_app, demo, clock, command):
    # given: Thursday 11:00, and it is still Wednesday noon
    booked = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))
    version = appointment(memory_app, booked.id).version

    # when / then: refused with a clear Spanish message, nothing saved
    with pytest.raises(InvalidTransition) as error:
        memory_app.execute(command(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    assert "todavía no empieza" in error.value.message
    assert appointment(memory_app, booked.id).version == version
    assert appointment(memory_app, booked.id).status == "confirmed"

    # when: one minute before it is still too early; at 11:00 it is allowed
    clock.set(local(2026, 1, 15, 10, 59))
    with pytest.raises(InvalidTransition):
        memory_app.execute(command(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    clock.set(local(2026, 1, 15, 11))
    result = memory_app.execute(command(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    assert result.data["status"] == ("completed" if command is CompleteAppointment else "no_show")


def test_a_cancelled_appointment_cannot_be_completed_or_marked_no_show(memory_app, demo):
    booked = book(memory_app, demo, local(2026, 1, 15, 11))
    memory_app.execute(CancelAppointment(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    for command in (CompleteAppointment, MarkNoShow):
        with pytest.raises(InvalidTransition):
            memory_app.execute(command(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    with pytest.raises(InvalidTransition):
        memory_app.execute(ConfirmAppointment(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))


def test_a_viewer_cannot_cancel_or_mark_attendance(memory_app, demo):
    viewer = Actor.staff(add_staff(memory_app, demo, "Lupita", "+525533333333", "viewer"))
    booked = book(memory_app, demo, local(2026, 1, 15, 11))
    for command in (CancelAppointment, CompleteAppointment, MarkNoShow):
        with pytest.raises(PermissionDenied):
            memory_app.execute(command(actor=viewer, cause="t", organization_id=demo.organization_id, appointment_id=booked.id))


def test_notes_and_reminders(memory_app, demo, clock):
    booked = book(memory_app, demo, local(2026, 1, 15, 11))
    memory_app.execute(UpdateAppointmentNotes(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id, notes="VIP"))
    with pytest.raises(PermissionDenied):
        memory_app.execute(RecordReminderSent(actor=owner(demo), cause="t", organization_id=demo.organization_id, appointment_id=booked.id, at=clock()))
    memory_app.execute(RecordReminderSent(actor=Actor.system("reminders"), cause="t", organization_id=demo.organization_id, appointment_id=booked.id, at=clock()))
    stored = appointment(memory_app, booked.id)
    assert (stored.notes, stored.reminder_sent_at) == ("VIP", clock())


# ---- organizations are isolated ---------------------------------------------------------------


@pytest.fixture
def other_business(memory_app, demo):
    from infra.seed import seed_demo

    return seed_demo(memory_app, whatsapp_number="+525587654321", name="Estética Lupita")


def test_ids_of_another_organization_are_not_found(memory_app, demo, other_business):
    # given: Beto booked at the other business
    theirs = book(memory_app, other_business, local(2026, 1, 15, 11), actor=Actor.customer(BETO))
    org_id = demo.organization_id
    other_staff = other_business.staff_ids["Miguel Sánchez"]

    # then: from Don Carlos none of the other business's ids exist
    with pytest.raises(NotFound):
        book(memory_app, demo, local(2026, 1, 15, 12), service_id=other_business.service_ids[CUT])
    with pytest.raises(NotFound):
        book(memory_app, demo, local(2026, 1, 15, 12), staff_id=other_staff)
    with pytest.raises(NotFound):
        book(memory_app, demo, local(2026, 1, 15, 12), actor=owner(demo), customer_id=theirs.data["customer_id"])
    for command in (CancelAppointment, ConfirmAppointment, CompleteAppointment):
        with pytest.raises(NotFound):
            memory_app.execute(command(actor=owner(demo), cause="t", organization_id=org_id, appointment_id=theirs.id))
    with pytest.raises(NotFound):
        memory_app.execute(RescheduleAppointment(actor=owner(demo), cause="t", organization_id=org_id, appointment_id=theirs.id, start=local(2026, 1, 15, 12)))
    with pytest.raises(NotFound):
        memory_app.execute(DeactivateStaff(actor=owner(demo), cause="t", organization_id=org_id, staff_id=other_staff))
    with pytest.raises(NotFound):
        memory_app.execute(
            BlockTime(actor=owner(demo), cause="t", organization_id=org_id, staff_id=other_staff, start=local(2026, 1, 15, 14), end=local(2026, 1, 15, 15))
        )
    # a staff member of the other business is nobody here
    with pytest.raises((NotFound, PermissionDenied)):
        book(memory_app, demo, local(2026, 1, 15, 12), actor=Actor.staff(other_staff), customer_phone=ANA)
    # an unknown organization
    with pytest.raises(NotFound):
        book(memory_app, demo, local(2026, 1, 15, 12), organization_id=uuid.uuid4())
    # an appointment id that is some other aggregate
    with pytest.raises(NotFound):
        memory_app.execute(CancelAppointment(actor=owner(demo), cause="t", organization_id=org_id, appointment_id=carlos(demo)))
    assert appointment(memory_app, theirs.id).status == "confirmed"


def test_the_same_phone_is_a_different_customer_in_each_business(memory_app, demo, other_business):
    mine = book(memory_app, demo, local(2026, 1, 15, 11))
    theirs = book(memory_app, other_business, local(2026, 1, 15, 11))
    assert mine.data["customer_id"] != theirs.data["customer_id"]
    with pytest.raises(NotFound):
        memory_app.execute(CancelAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id, appointment_id=theirs.id))


def test_domain_errors_carry_codes_and_spanish_messages(memory_app, demo):
    with pytest.raises(DomainError) as error:
        book(memory_app, demo, local(2026, 1, 18, 12))
    assert error.value.code == "outside_business_hours"
    assert error.value.http_status == 409
    assert "horario" in error.value.message


def test_a_move_keeps_the_chair_when_free_and_takes_another_when_not(memory_app, demo):
    # given: two chairs; Ana has Miguel in chair 1 at 11:00, Beto has Carlos in chair 1 at 12:00
    chair1 = add_chair(memory_app, demo, "Silla 1", order=1)
    chair2 = add_chair(memory_app, demo, "Silla 2", order=2)
    ana = book(memory_app, demo, local(2026, 1, 15, 11), staff_id=miguel(demo))
    beto = book(memory_app, demo, local(2026, 1, 15, 12), actor=Actor.customer(BETO), staff_id=carlos(demo))
    assert ana.data["spot_id"] == beto.data["spot_id"] == chair1

    # when: Ana moves to 11:30, then to 12:00
    move = lambda when: memory_app.execute(  # noqa: E731
        RescheduleAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id, appointment_id=ana.id, start=when)
    )
    assert move(local(2026, 1, 15, 11, 30)).data["spot_id"] == chair1  # still free: the same chair
    assert move(local(2026, 1, 15, 12)).data["spot_id"] == chair2  # chair 1 is Beto's now

    # then
    assert set(memory_app.repository.get(SpotDay.create_id(chair1, THURSDAY)).entries) == {str(beto.id)}
    assert set(memory_app.repository.get(SpotDay.create_id(chair2, THURSDAY)).entries) == {str(ana.id)}


def test_a_suspended_business_takes_no_walk_ins_either(memory_app, demo):
    from commands.definitions import ChangeOrganizationStatus

    memory_app.execute(ChangeOrganizationStatus(actor=Actor.admin(), cause="t", organization_id=demo.organization_id, status="suspended"))
    with pytest.raises(BusinessClosed):
        book(memory_app, demo, local(2026, 1, 14, 12), actor=owner(demo), source="walk_in", staff_id=carlos(demo))


def test_another_customer_reusing_an_appointment_id_learns_nothing(memory_app, demo):
    appointment_id = uuid.uuid5(uuid.NAMESPACE_URL, "SM-ana")
    book(memory_app, demo, local(2026, 1, 15, 11), appointment_id=appointment_id)
    with pytest.raises(NotFound):
        book(memory_app, demo, local(2026, 1, 15, 11), actor=Actor.customer(BETO), appointment_id=appointment_id)

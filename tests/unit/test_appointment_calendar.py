"""Appointment lifecycle and the StaffDay / SpotDay calendars (aggregates only, no application)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from aggregates.appointment import LIVE, TRANSITIONS, Appointment
from aggregates.calendar import SpotDay, StaffDay
from aggregates.errors import InvalidInput, InvalidTransition, NotFound, SlotTaken
from unit_support import local, acting_as


WHO = "staff:test"
WHY = "test"


acting = acting_as(WHO, WHY)
ORG = uuid.UUID("00000000-0000-0000-0000-0000000000a1")
STAFF = uuid.UUID("00000000-0000-0000-0000-0000000000b1")
SPOT = uuid.UUID("00000000-0000-0000-0000-0000000000d1")
START = local(2026, 1, 15, 11).astimezone(timezone.utc)
END = START + timedelta(minutes=30)
DURING = START + timedelta(minutes=10)  # "now" once the appointment has started
STATUSES = ("pending", "confirmed", "completed", "cancelled", "no_show")


def booked(status: str = "confirmed", **overrides) -> Appointment:
    fields = dict(
        appointment_id=uuid.uuid4(),
        organization_id=ORG,
        location_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        staff_id=STAFF,
        service_id=uuid.uuid4(),
        spot_id=None,
        start=START,
        end=END,
        source="whatsapp",
        status=status,
        notes=" llega tarde ",
        price_cents=15000,
    )
    fields.update(overrides)
    return Appointment.book(**fields)


def in_status(status: str) -> Appointment:
    """An appointment brought to ``status`` through its lifecycle."""
    appointment = booked("pending" if status == "pending" else "confirmed")
    if status == "completed":
        appointment.complete("", now=DURING)
    elif status == "cancelled":
        appointment.cancel("")
    elif status == "no_show":
        appointment.mark_no_show("", now=DURING)
    assert appointment.status == status
    return appointment


def apply(appointment: Appointment, target: str) -> None:
    if target == "confirmed":
        appointment.confirm()
    elif target == "cancelled":
        appointment.cancel("cambio de planes")
    elif target == "completed":
        appointment.complete("todo bien", now=DURING)
    elif target == "no_show":
        appointment.mark_no_show("no llegó", now=DURING)


# ---- Appointment ---------------------------------------------------------------------------


def test_book_records_the_appointment():
    a = booked("pending")
    assert a.status == "pending" and a.is_live
    assert (a.scheduled_start, a.scheduled_end) == (START, END)
    assert a.notes == "llega tarde"
    assert a.reschedule_count == 0 and a.cancellation_reason is None and a.reminder_sent_at is None
    assert [type(e).__name__ for e in a.collect_events()] == ["Booked"]


@pytest.mark.parametrize(
    "overrides",
    [{"end": START}, {"end": START - timedelta(minutes=1)}, {"source": "telegram"}, {"status": "completed"}, {"status": "cancelled"}],
)
def test_book_validates(overrides):
    with pytest.raises(InvalidInput):
        booked(**overrides)


# Every (from, to) pair: valid ones per the lifecycle, the rest must raise InvalidTransition.
VALID = {
    ("pending", "confirmed"),
    ("pending", "cancelled"),
    ("pending", "completed"),
    ("pending", "no_show"),
    ("confirmed", "cancelled"),
    ("confirmed", "completed"),
    ("confirmed", "no_show"),
}


def test_the_transition_table_is_the_documented_lifecycle():
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == VALID
    assert set(LIVE) == {"pending", "confirmed"}


@pytest.mark.parametrize("target", ["confirmed", "cancelled", "completed", "no_show"])
@pytest.mark.parametrize("origin", STATUSES)
def test_every_transition(origin, target):
    # given
    appointment = in_status(origin)
    appointment.collect_events()

    # when / then
    if (origin, target) in VALID:
        apply(appointment, target)
        assert appointment.status == target
        assert len(appointment.collect_events()) == 1
    elif origin == target == "confirmed":
        apply(appointment, target)  # confirming twice is harmless and records nothing
        assert appointment.collect_events() == []
    else:
        with pytest.raises(InvalidTransition):
            apply(appointment, target)
        assert appointment.status == origin
        assert appointment.collect_events() == []


def test_a_cancelled_appointment_cannot_be_completed():
    # given
    appointment = booked()
    appointment.cancel("Se enfermó")

    # when / then
    with pytest.raises(InvalidTransition) as error:
        appointment.complete("", now=DURING)
    assert "cancelada" in error.value.message
    assert appointment.cancellation_reason == "Se enfermó"


def test_complete_and_no_show_keep_notes_unless_given():
    done = booked()
    done.complete("", now=DURING)
    assert done.notes == "llega tarde"
    missed = booked()
    missed.mark_no_show("no contestó", now=DURING)
    assert missed.notes == "no contestó"


@pytest.mark.parametrize("target", ["completed", "no_show"])
def test_attendance_cannot_be_marked_before_the_appointment_starts(target):
    # given: a confirmed appointment at 11:00
    appointment = booked()
    appointment.collect_events()

    # when: it is marked a minute before it starts
    with pytest.raises(InvalidTransition) as error:
        if target == "completed":
            appointment.complete("", now=START - timedelta(minutes=1))
        else:
            appointment.mark_no_show("", now=START - timedelta(minutes=1))

    # then: refused in Spanish, nothing recorded; at its start time it is fine
    assert "todavía no empieza" in error.value.message
    assert appointment.status == "confirmed" and appointment.collect_events() == []
    if target == "completed":
        appointment.complete("", now=START)
    else:
        appointment.mark_no_show("", now=START)
    assert appointment.status == target


def test_reschedule_records_the_previous_time():
    # given
    appointment = booked()
    appointment.collect_events()
    new_start, other_staff = START + timedelta(days=1), uuid.uuid4()

    # when
    appointment.reschedule(
        start=new_start, end=new_start + timedelta(minutes=45), staff_id=other_staff, spot_id=None,
        service_id=appointment.service_id, price_cents=22000,
    )

    # then
    (event,) = appointment.collect_events()
    assert (event.previous_start, event.previous_end, event.previous_staff_id) == (START, END, STAFF)
    assert (appointment.scheduled_start, appointment.staff_id, appointment.price_cents) == (new_start, other_staff, 22000)
    assert appointment.reschedule_count == 1


@pytest.mark.parametrize("status", ["completed", "cancelled", "no_show"])
def test_an_ended_appointment_cannot_be_rescheduled(status):
    appointment = in_status(status)
    with pytest.raises(InvalidTransition):
        appointment.reschedule(start=START, end=END, staff_id=STAFF, spot_id=None, service_id=uuid.uuid4(), price_cents=1)


def test_reschedule_validates_times():
    with pytest.raises(InvalidInput):
        booked().reschedule(start=END, end=START, staff_id=STAFF, spot_id=None, service_id=uuid.uuid4(), price_cents=1)


def test_reminder_is_recorded_once_and_only_for_live_appointments():
    at = datetime(2026, 1, 14, 17, tzinfo=timezone.utc)
    live = booked()
    live.record_reminder_sent(at)
    live.record_reminder_sent(at + timedelta(hours=1))
    assert live.reminder_sent_at == at
    cancelled = in_status("cancelled")
    cancelled.record_reminder_sent(at)
    assert cancelled.reminder_sent_at is None


def test_notes_update_only_when_different():
    a = booked()
    a.collect_events()
    a.update_notes("llega tarde")
    a.update_notes("trae a su hijo")
    assert a.notes == "trae a su hijo"
    assert [type(e).__name__ for e in a.collect_events()] == ["NotesUpdated"]


# ---- StaffDay / SpotDay -----------------------------------------------------------------


DAY = date(2026, 1, 15)


def at(hour: int, minute: int = 0) -> datetime:
    return local(2026, 1, 15, hour, minute).astimezone(timezone.utc)


@pytest.fixture(params=[StaffDay, SpotDay], ids=["StaffDay", "SpotDay"])
def calendar(request):
    owner = STAFF if request.param is StaffDay else SPOT
    return request.param.open(owner, ORG, DAY)


def test_day_ids_are_per_owner_per_date_and_per_kind():
    assert StaffDay.create_id(STAFF, DAY) == StaffDay.open(STAFF, ORG, DAY).id
    assert StaffDay.create_id(STAFF, DAY) != StaffDay.create_id(STAFF, DAY + timedelta(days=1))
    assert StaffDay.create_id(STAFF, DAY) != SpotDay.create_id(STAFF, DAY)


def test_opening_a_day_records_who_and_why(calendar):
    (opened,) = calendar.collect_events()
    assert (opened.actor, opened.cause, opened.day) == (WHO, WHY, "2026-01-15")


@pytest.mark.parametrize(
    "start,end",
    [
        ((11, 0), (11, 30)),  # same interval
        ((10, 45), (11, 15)),  # overlaps the start
        ((11, 15), (11, 45)),  # overlaps the end
        ((11, 10), (11, 20)),  # inside
        ((10, 0), (12, 0)),  # around
    ],
)

def test_overlapping_appointments_are_refused(calendar, start, end):
    # given
    calendar.occupy(uuid.uuid4(), at(11), at(11, 30))

    # when / then
    with pytest.raises(SlotTaken) as taken:
        calendar.occupy(uuid.uuid4(), at(*start), at(*end))
    assert "otra cita" in taken.value.message
    assert len(calendar.entries) == 1


def test_back_to_back_appointments_fit(calendar):
    calendar.occupy(uuid.uuid4(), at(11), at(11, 30))
    calendar.occupy(uuid.uuid4(), at(11, 30), at(12))
    calendar.occupy(uuid.uuid4(), at(10, 30), at(11))
    assert len(calendar.entries) == 3


def test_occupying_again_moves_the_same_appointment(calendar):
    # given
    appointment = uuid.uuid4()
    calendar.occupy(appointment, at(11), at(11, 30))
    calendar.collect_events()

    # when: the same interval again is a no-op; an overlapping new interval for itself is fine
    calendar.occupy(appointment, at(11), at(11, 30))
    assert calendar.collect_events() == []
    calendar.occupy(appointment, at(11, 15), at(11, 45))

    # then
    assert calendar.entries[str(appointment)]["start"] == at(11, 15)


def test_release_frees_the_time(calendar):
    first = uuid.uuid4()
    calendar.occupy(first, at(11), at(11, 30))
    calendar.release(first)
    calendar.release(first)  # releasing twice is harmless
    calendar.occupy(uuid.uuid4(), at(11), at(11, 30))
    assert len(calendar.entries) == 1


def test_a_block_refuses_appointments_and_appointments_refuse_blocks(calendar):
    # given
    block = uuid.uuid4()
    calendar.block(block, at(14), at(15), "comida")
    calendar.occupy(uuid.uuid4(), at(11), at(11, 30))

    # then
    with pytest.raises(SlotTaken) as taken:
        calendar.occupy(uuid.uuid4(), at(14, 30), at(15))
    assert "bloqueo" in taken.value.message
    with pytest.raises(SlotTaken):
        calendar.block(uuid.uuid4(), at(11, 15), at(12), "")
    with pytest.raises(SlotTaken):
        calendar.block(uuid.uuid4(), at(14, 30), at(16), "")


def test_blocking_again_with_the_same_id_is_a_no_op_and_unblock_frees(calendar):
    # given
    block = uuid.uuid4()
    calendar.block(block, at(14), at(15), " comida ")
    calendar.collect_events()

    # when
    calendar.block(block, at(14), at(15), "comida")
    assert calendar.collect_events() == []
    calendar.unblock(block)

    # then
    calendar.occupy(uuid.uuid4(), at(14), at(15))
    with pytest.raises(NotFound):
        calendar.unblock(block)


def test_an_appointment_cannot_be_unblocked(calendar):
    appointment = uuid.uuid4()
    calendar.occupy(appointment, at(11), at(11, 30))
    with pytest.raises(NotFound):
        calendar.unblock(appointment)


def test_empty_intervals_are_invalid(calendar):
    with pytest.raises(InvalidInput):
        calendar.occupy(uuid.uuid4(), at(11), at(11))
    with pytest.raises(InvalidInput):
        calendar.block(uuid.uuid4(), at(12), at(11), "")


def test_conflicts_lists_what_is_in_the_way(calendar):
    a, b = uuid.uuid4(), uuid.uuid4()
    calendar.occupy(a, at(11), at(11, 30))
    calendar.block(b, at(11, 30), at(12), "")
    assert {c["key"] for c in calendar.conflicts(at(11, 15), at(11, 45))} == {str(a), str(b)}
    assert calendar.conflicts(at(11, 15), at(11, 45), ignore=str(a))[0]["kind"] == "block"

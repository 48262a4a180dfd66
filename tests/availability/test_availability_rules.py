"""AvailabilityService over read-model rows (SQLite file), one rule per test.

Demo business: Mon–Fri 10:00–20:00, Sat 10:00–18:00, Sun closed, America/Mexico_City.
``NOW`` is Wed 14 Jan 2026 12:00 local; 15 Jan 2026 is a Thursday.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from avail_support import FRI, MX, NOW, SAT, SUN, THU, on, times
from readmodels.availability import AvailabilityError, AvailabilityNotFound, Slot

UTC = timezone.utc
FULL_THURSDAY = [f"{h:02d}:{m:02d}" for h in range(10, 20) for m in (0, 30)]


def test_business_hours_thursday(world):
    world.org()
    service = world.service(30)
    staff = world.staff(service)
    slots = world.find(service, THU)
    assert times(slots) == FULL_THURSDAY
    first = slots[0]
    assert isinstance(first, Slot)
    assert first.start == datetime(2026, 1, 15, 16, 0, tzinfo=UTC)  # 10:00 CST = UTC-6
    assert first.start.tzinfo is not None and first.start.utcoffset() == timedelta(0)
    assert first.end == first.start + timedelta(minutes=30)
    assert first.local_start == datetime(2026, 1, 15, 10, 0, tzinfo=MX)
    assert str(first.local_start.tzinfo) == "America/Mexico_City"
    assert first.staff_ids == [staff]
    assert [s.start for s in slots] == sorted(s.start for s in slots)


def test_slot_is_frozen(world):
    world.org()
    service = world.service(30)
    world.staff(service)
    slot = world.find(service, THU)[0]
    with pytest.raises(Exception):
        slot.start = slot.end  # type: ignore[misc]


def test_last_start_fits_the_service_before_closing(world):
    world.org()
    long_service = world.service(45)
    world.staff(long_service)
    slots = world.find(long_service, SAT)  # Saturday 10–18
    assert times(slots)[0] == "10:00"
    assert times(slots)[-1] == "17:00"  # 17:30 + 45 min would end after 18:00
    assert all(s.end <= datetime(2026, 1, 17, 18, 0, tzinfo=MX) for s in slots)


def test_sunday_is_closed_and_range_spans_days(world):
    world.org()
    service = world.service(30)
    world.staff(service)
    slots = world.find(service, THU, SUN)
    assert on(slots, SUN) == []
    assert len(on(slots, THU)) == 20 and len(on(slots, FRI)) == 20 and len(on(slots, SAT)) == 16
    assert len(slots) == 56
    assert len({s.start for s in slots}) == len(slots)


def test_closure_removes_whole_days(world):
    world.org()
    service = world.service(30)
    world.staff(service)
    world.closure(FRI, SAT)
    slots = world.find(service, THU, date(2026, 1, 19))
    assert {s.local_start.date() for s in slots} == {THU, date(2026, 1, 19)}


def test_closure_outside_the_range_changes_nothing(world):
    world.org()
    service = world.service(30)
    world.staff(service)
    world.closure(date(2026, 2, 1), date(2026, 2, 3))
    assert times(world.find(service, THU)) == FULL_THURSDAY


def test_block_takes_one_staff_member_out(world):
    world.org()
    service = world.service(30)
    ana, beto = world.staff(service), world.staff(service)
    world.block(ana, THU, "12:00", "13:00")
    slots = {times([s])[0]: s for s in world.find(service, THU)}
    assert slots["11:30"].staff_ids == [ana, beto]
    assert slots["12:00"].staff_ids == [beto]
    assert slots["12:30"].staff_ids == [beto]
    assert slots["13:00"].staff_ids == [ana, beto]


def test_block_of_the_only_staff_member_removes_slots(world):
    world.org()
    service = world.service(45)
    staff = world.staff(service)
    world.block(staff, THU, "12:00", "13:00")
    got = times(world.find(service, THU))
    # a 45-minute service may not start at 11:30 (ends 12:15) nor 12:00/12:30
    assert "11:00" in got and "11:30" not in got and "12:00" not in got and "12:30" not in got and "13:00" in got


@pytest.mark.parametrize(
    ("status", "occupies"),
    [("pending", True), ("confirmed", True), ("completed", True), ("no_show", True), ("cancelled", False)],
)
def test_appointment_statuses(world, status, occupies):
    world.org()
    service = world.service(30)
    staff = world.staff(service)
    world.appointment(staff, THU, "11:00", 60, status=status)
    got = times(world.find(service, THU))
    assert ("11:00" not in got and "11:30" not in got) is occupies
    assert "10:30" in got and "12:00" in got


def test_appointment_of_one_staff_member_leaves_the_other(world):
    world.org()
    service = world.service(30)
    ana, beto = world.staff(service), world.staff(service)
    world.appointment(ana, THU, "11:00", 30)
    world.appointment(beto, THU, "11:00", 30)
    world.appointment(ana, THU, "15:00", 30)
    slots = {times([s])[0]: s for s in world.find(service, THU)}
    assert "11:00" not in slots
    assert slots["15:00"].staff_ids == [beto]
    assert slots["10:30"].staff_ids == [ana, beto]


def test_overlap_with_longer_service(world):
    world.org()
    service = world.service(60)
    staff = world.staff(service)
    world.appointment(staff, THU, "12:00", 30)
    got = times(world.find(service, THU))
    assert "11:00" in got and "11:30" not in got and "12:00" not in got and "12:30" in got


def test_buffer_after_each_appointment(world):
    world.org(buffer_minutes=15)
    service = world.service(30)
    staff = world.staff(service)
    world.appointment(staff, THU, "11:00", 30)
    got = times(world.find(service, THU))
    assert "10:00" in got  # ends 10:30, +15 = 10:45 before 11:00
    assert "10:30" not in got  # ends 11:00, its buffer runs into the 11:00 appointment
    assert "11:00" not in got
    assert "11:30" not in got  # inside the 11:30–11:45 buffer of the appointment
    assert "12:00" in got
    assert got[-1] == "19:30"  # the buffer of the last appointment of the day may pass closing time


def test_buffer_does_not_apply_to_blocks(world):
    world.org(buffer_minutes=15)
    service = world.service(30)
    staff = world.staff(service)
    world.block(staff, THU, "11:00", "11:30")
    got = times(world.find(service, THU))
    assert "10:30" in got and "11:00" not in got and "11:30" in got


def test_minimum_notice(world):
    world.org(min_notice_minutes=60)
    service = world.service(30)
    world.staff(service)
    now = datetime(2026, 1, 15, 10, 20, tzinfo=MX)
    got = times(world.find(service, THU, now=now))
    assert got[0] == "11:30"  # 10:20 + 60 min = 11:20; the next step of the grid is 11:30
    exactly = datetime(2026, 1, 15, 10, 30, tzinfo=MX)
    assert times(world.find(service, THU, now=exactly))[0] == "11:30"


def test_minimum_notice_zero_and_past_days(world):
    world.org(min_notice_minutes=0)
    service = world.service(30)
    world.staff(service)
    now = datetime(2026, 1, 15, 10, 0, tzinfo=MX)
    assert times(world.find(service, THU, now=now))[0] == "10:00"
    assert world.find(service, date(2026, 1, 12), date(2026, 1, 14), now=now) == []


def test_minimum_notice_from_now_in_another_zone(world):
    world.org(min_notice_minutes=120)
    service = world.service(30)
    world.staff(service)
    now = datetime(2026, 1, 15, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City
    assert times(world.find(service, THU, now=now))[0] == "12:00"


def test_horizon(world):
    world.org(max_horizon_days=7)
    service = world.service(30)
    world.staff(service)
    slots = world.find(service, date(2026, 1, 14), date(2026, 2, 13))
    days = sorted({s.local_start.date() for s in slots})
    assert days[0] == date(2026, 1, 14)
    assert days[-1] == date(2026, 1, 21)  # today + 7 days, the whole day
    assert world.find(service, date(2026, 1, 22), date(2026, 1, 31)) == []


def test_default_horizon_of_30_days(world):
    world.org()
    service = world.service(30)
    world.staff(service)
    slots = world.find(service, date(2026, 2, 1), date(2026, 2, 28))
    assert max(s.local_start.date() for s in slots) == date(2026, 2, 13)  # 14 Jan + 30 days


def test_staff_working_hours_narrower_than_business_hours(world):
    world.org()
    service = world.service(30)
    part_time = world.staff(service, working_hours={"thu": [["12:00", "15:00"]], "fri": [["16:00", "22:00"]]})
    full_time = world.staff(service)
    slots = {times([s])[0]: s for s in world.find(service, THU)}
    assert slots["10:00"].staff_ids == [full_time]
    assert slots["12:00"].staff_ids == [part_time, full_time]
    assert slots["14:30"].staff_ids == [part_time, full_time]
    assert slots["15:00"].staff_ids == [full_time]

    only_part_time = world.find(service, THU, FRI, staff_id=part_time)
    assert times(on(only_part_time, THU)) == ["12:00", "12:30", "13:00", "13:30", "14:00", "14:30"]
    # Friday: staff hours 16–22, business hours 10–20: the business hours still bound them
    assert times(on(only_part_time, FRI))[0] == "16:00" and times(on(only_part_time, FRI))[-1] == "19:30"
    assert on(world.find(service, SAT, staff_id=part_time), SAT) == []  # works no Saturday


def test_staff_filter(world):
    world.org()
    service = world.service(30)
    ana, beto = world.staff(service), world.staff(service)
    world.appointment(beto, THU, "10:00", 30)
    slots = world.find(service, THU, staff_id=beto)
    assert "10:00" not in times(slots)
    assert all(s.staff_ids == [beto] for s in slots)
    assert world.find(service, THU, staff_id=uuid.uuid4()) == []
    assert times(world.find(service, THU, staff_id=ana))[0] == "10:00"


def test_unqualified_staff_are_ignored(world):
    world.org()
    service, other = world.service(30), world.service(30)
    world.staff(other)  # does not offer the service
    world.staff(service, active=False)
    other_location = world.location({"thu": [["08:00", "09:00"]]})
    world.staff(service, location_id=other_location)
    assert world.find(service, THU) == []
    qualified = world.staff(service, location_id=world.location_id)
    assert {tuple(s.staff_ids) for s in world.find(service, THU)} == {(qualified,)}


def test_second_location(world):
    world.org()
    service = world.service(30)
    evening = world.location({"thu": [["18:00", "21:00"]]})
    here = world.staff(service, location_id=evening)
    floating = world.staff(service)  # no particular location: works at any
    world.staff(service, location_id=world.location_id)
    slots = world.find(service, THU, location_id=evening)
    assert times(slots) == ["18:00", "18:30", "19:00", "19:30", "20:00", "20:30"]
    assert slots[0].staff_ids == [here, floating]
    with pytest.raises(AvailabilityNotFound):
        world.find(service, THU, location_id=uuid.uuid4())


def test_spot_shortage(world):
    world.org()
    service, nails = world.service(30), world.service(30)
    ana, beto = world.staff(service), world.staff(service)
    chair = world.spot(service)
    world.spot(nails)  # serves another service: no help
    world.spot(service, active=False)  # inactive: no help
    world.appointment(ana, THU, "11:00", 30, spot_id=chair)
    slots = {times([s])[0]: s for s in world.find(service, THU)}
    assert "11:00" not in slots  # Beto is free, but the only chair is taken
    assert slots["11:30"].staff_ids == [ana, beto]

    second_chair = world.spot(service, order=1)
    slots = {times([s])[0]: s for s in world.find(service, THU)}
    assert slots["11:00"].staff_ids == [beto]
    world.appointment(beto, THU, "14:00", 30, spot_id=second_chair)
    world.appointment(ana, THU, "14:00", 30, spot_id=chair, status="cancelled")
    assert times(world.find(service, THU)).count("14:00") == 1  # Ana is free and the first chair too


def test_spot_busy_with_another_services_appointment(world):
    world.org()
    service, other = world.service(30), world.service(30)
    ana = world.staff(service)
    someone_else = world.staff(other)
    chair = world.spot(service, other)
    world.appointment(someone_else, THU, "12:00", 60, spot_id=chair, service_id=other)
    got = times(world.find(service, THU))
    assert "12:00" not in got and "12:30" not in got and "13:00" in got
    assert ana


def test_spots_that_do_not_serve_the_service_do_not_gate_it(world):
    # Same rule as the booking command: a location with spots, none serving this service, books
    # it without a spot.
    world.org()
    service, nails = world.service(30), world.service(30)
    world.staff(service)
    world.spot(nails)
    assert times(world.find(service, THU)) == FULL_THURSDAY


def test_split_shift_and_interval_alignment(world):
    world.org(slot_interval_minutes=45, hours={"thu": [["10:15", "13:00"], ["16:00", "18:00"]]})
    service = world.service(30)
    world.staff(service)
    assert times(world.find(service, THU)) == ["10:15", "11:00", "11:45", "12:30", "16:00", "16:45", "17:30"]


def test_inactive_service_suspended_business_and_unknowns(world):
    world.org()
    inactive = world.service(30, active=False)
    world.staff(inactive)
    assert world.find(inactive, THU) == []
    with pytest.raises(AvailabilityNotFound) as missing:
        world.find(uuid.uuid4(), THU)
    assert "servicio" in missing.value.message
    world.org(status="suspended")
    service = world.service(30)
    world.staff(service)
    assert world.find(service, THU) == []
    with pytest.raises(AvailabilityNotFound):
        world.availability.find_slots(uuid.uuid4(), service, THU, THU, now=NOW)


def test_onboarding_business_takes_bookings(world):
    world.org(status="onboarding")
    service = world.service(30)
    world.staff(service)
    assert len(world.find(service, THU)) == 20


def test_range_limits(world):
    world.org()
    service = world.service(30)
    world.staff(service)
    assert world.find(service, date(2026, 1, 14), date(2026, 2, 13))  # 30 days apart: fine
    with pytest.raises(AvailabilityError) as too_long:
        world.find(service, date(2026, 1, 14), date(2026, 2, 14))
    assert isinstance(too_long.value, ValueError)
    assert "30 días" in str(too_long.value)
    with pytest.raises(ValueError, match="fecha final"):
        world.find(service, FRI, THU)
    with pytest.raises(ValueError, match="zona horaria"):
        world.find(service, THU, now=datetime(2026, 1, 14, 12, 0))


def test_no_staff_no_slots(world):
    world.org()
    service = world.service(30)
    assert world.find(service, THU) == []


def test_few_queries(world, engine):
    from sqlalchemy import event

    world.org()
    service = world.service(30)
    staff = [world.staff(service) for _ in range(5)]
    for i, member in enumerate(staff):
        for day in range(15, 31):
            world.appointment(member, date(2026, 1, day), f"{10 + i}:00", 30)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    slots = world.find(service, date(2026, 1, 14), date(2026, 2, 13))
    assert slots
    assert len(statements) <= 8, statements  # one query per table, whatever the range


def test_spread_and_part_of_day(world):
    world.org()
    service = world.service(30)
    world.staff(service)
    a = world.availability
    morning = a.find_slots_spread(world.org_id, service, THU, THU, now=NOW, part_of_day="mañana")
    assert times(morning) == ["10:00", "10:30", "11:00", "11:30"]
    afternoon = a.find_slots_spread(world.org_id, service, THU, THU, now=NOW, part_of_day="afternoon")
    assert times(afternoon)[0] == "12:00" and times(afternoon)[-1] == "18:30"
    evening = a.find_slots_spread(world.org_id, service, THU, THU, now=NOW, part_of_day="noche")
    assert times(evening) == ["19:00", "19:30"]
    spread = a.find_slots_spread(world.org_id, service, THU, THU, now=NOW, limit=4)
    assert times(spread) == ["10:00", "13:00", "16:30", "19:30"]
    assert len(a.find_slots_spread(world.org_id, service, THU, SAT, now=NOW, limit=5)) == 5
    with pytest.raises(ValueError):
        a.find_slots_spread(world.org_id, service, THU, THU, now=NOW, part_of_day="madrugada")


def test_next_available(world):
    world.org()
    service = world.service(30)
    staff = world.staff(service)
    for hhmm in FULL_THURSDAY:
        world.appointment(staff, THU, hhmm, 30)
    a = world.availability
    first = a.next_available(world.org_id, service, now=NOW, from_date=THU, limit=3)
    assert [s.local_start for s in first] == [datetime(2026, 1, 16, h, m, tzinfo=MX) for h, m in ((10, 0), (10, 30), (11, 0))]
    evening = a.next_available(world.org_id, service, now=NOW, from_date=SAT, limit=2, part_of_day="evening")
    assert [s.local_start.date() for s in evening] == [date(2026, 1, 19), date(2026, 1, 19)]
    today = a.next_available(world.org_id, service, now=NOW, limit=1)
    assert today[0].local_start == datetime(2026, 1, 14, 13, 0, tzinfo=MX)  # noon + 60 min notice
    world.closure(date(2026, 1, 14), date(2026, 3, 31))
    assert a.next_available(world.org_id, service, now=NOW, limit=3) == []


def test_dst_zone_through_the_loader(world):
    # America/Tijuana, open Sunday nights: 8 Mar 2026 loses 02:00–03:00, 1 Nov 2026 repeats 01:00–02:00.
    world.org(tz="America/Tijuana", hours={"sun": [["00:00", "04:00"]], "sat": [["10:00", "12:00"]]})
    service = world.service(60)
    staff = world.staff(service)
    spring_now = datetime(2026, 3, 1, tzinfo=UTC)
    slots = world.find(service, date(2026, 3, 7), date(2026, 3, 8), now=spring_now)
    assert times(slots) == ["10:00", "10:30", "11:00", "00:00", "00:30", "01:00", "01:30", "03:00"]
    assert slots[0].start == datetime(2026, 3, 7, 18, 0, tzinfo=UTC)  # 10:00 PST
    assert slots[-1].start == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 03:00 PDT
    assert str(slots[-1].local_start.tzinfo) == "America/Tijuana"

    world.appointment(staff, date(2026, 11, 1), "00:30", 60)  # 00:30–01:30 PDT (07:30–08:30 UTC)
    fall_now = datetime(2026, 10, 25, tzinfo=UTC)
    slots = world.find(service, date(2026, 11, 1), now=fall_now)
    starts = [s.start for s in slots]
    assert len(set(starts)) == len(starts)
    # 4 wall-clock hours are 5 real hours; 01:30 PDT .. 03:00 PST are free, on the 30-minute grid
    assert [s.start.strftime("%H:%M") for s in slots] == ["08:30", "09:00", "09:30", "10:00", "10:30", "11:00"]
    assert times(slots) == ["01:30", "01:00", "01:30", "02:00", "02:30", "03:00"]


def test_ids_as_text(world):
    world.org()
    service = world.service(30)
    staff = world.staff(service)
    slots = world.availability.find_slots(str(world.org_id), str(service), THU, THU, staff_id=str(staff), now=NOW)
    assert len(slots) == 20 and slots[0].staff_ids == [staff]
    with pytest.raises(AvailabilityNotFound):
        world.availability.find_slots(world.org_id, "no-es-un-id", THU, THU, now=NOW)

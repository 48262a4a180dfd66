"""The pure core ``compute_slots``: plain data in, slots out, no database.

Includes the DST cases: America/Tijuana skips 02:00–03:00 on Sun 8 Mar 2026 and repeats
01:00–02:00 on Sun 1 Nov 2026. America/Mexico_City has had no DST since 2022.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from avail_support import DEMO_HOURS, MX, NOW, THU, times
from readmodels.availability import (
    AvailabilityError,
    SpotCalendar,
    StaffCalendar,
    _forbidden_starts,
    _sweep,
    compute_slots,
    day_intervals,
    part_of_day,
    qualified_staff,
    serving_spots,
    spread,
)

UTC = timezone.utc
TJ = ZoneInfo("America/Tijuana")
ANA, BETO = uuid.UUID(int=1), uuid.UUID(int=2)
SPRING = date(2026, 3, 8)  # Sunday: 02:00 -> 03:00
FALL = date(2026, 11, 1)  # Sunday: 02:00 -> 01:00
NIGHT_SUNDAY = {"sun": [["00:00", "06:00"]]}


def slots_for(hours, day_from, day_to=None, *, tz="America/Tijuana", now=None, staff=None, **kwargs):
    return compute_slots(
        timezone_name=tz,
        business_hours=hours,
        duration_minutes=kwargs.pop("duration_minutes", 30),
        staff=staff if staff is not None else [StaffCalendar(ANA)],
        date_from=day_from,
        date_to=day_to or day_from,
        now=now or datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
        **kwargs,
    )


def exists_locally(moment: datetime) -> bool:
    """A local time exists when reading its wall clock back in the zone gives the same instant."""
    wall = moment.replace(tzinfo=None)
    zone = moment.tzinfo
    return any(
        wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall for fold in (0, 1)
    )


def assert_well_formed(slots):
    starts = [s.start for s in slots]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts), "a start appears twice"
    for slot in slots:
        assert slot.start.utcoffset() == timedelta(0)
        # the same instant (compare in UTC: Python's == between zones is False for ambiguous times, PEP 495)
        assert slot.local_start.astimezone(UTC) == slot.start
        assert exists_locally(slot.local_start), f"{slot.local_start} does not exist"


# ---- DST ------------------------------------------------------------------------------------


def test_spring_forward_skips_the_missing_hour():
    slots = slots_for(NIGHT_SUNDAY, SPRING)
    assert_well_formed(slots)
    assert times(slots) == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00", "04:30", "05:00", "05:30"]
    # steps are 30 real minutes apart: 00:00 PST = 08:00 UTC ... 05:30 PDT = 12:30 UTC
    assert slots[0].start == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    assert slots[-1].start == datetime(2026, 3, 8, 12, 30, tzinfo=UTC)
    assert all(b.start - a.start == timedelta(minutes=30) for a, b in zip(slots, slots[1:]))
    assert slots[3].local_start.utcoffset() == timedelta(hours=-8)
    assert slots[4].local_start.utcoffset() == timedelta(hours=-7)


def test_spring_forward_opening_at_a_missing_time():
    # "02:30" does not exist on 8 Mar; like the write side it is read with fold=0 (PST): 10:30 UTC = 03:30 PDT
    slots = slots_for({"sun": [["02:30", "05:00"]]}, SPRING)
    assert_well_formed(slots)
    assert times(slots) == ["03:30", "04:00", "04:30"]


def test_a_service_across_the_missing_hour_lasts_real_minutes():
    slots = slots_for({"sun": [["01:00", "04:00"]]}, SPRING, duration_minutes=60)
    assert_well_formed(slots)
    # 01:00 PST -> 03:00 PDT is one real hour; 04:00 PDT closes two real hours after opening
    assert times(slots) == ["01:00", "01:30", "03:00"]
    assert [s.local_end.strftime("%H:%M") for s in slots] == ["03:00", "03:30", "04:00"]


def test_fall_back_offers_both_repeated_hours_once_each():
    slots = slots_for(NIGHT_SUNDAY, FALL, now=datetime(2026, 10, 25, tzinfo=UTC))
    assert_well_formed(slots)
    assert times(slots) == [
        "00:00", "00:30", "01:00", "01:30", "01:00", "01:30", "02:00", "02:30",
        "03:00", "03:30", "04:00", "04:30", "05:00", "05:30",
    ]
    first_130, second_130 = slots[3], slots[5]
    assert first_130.local_start.utcoffset() == timedelta(hours=-7) and first_130.local_start.fold == 0
    assert second_130.local_start.utcoffset() == timedelta(hours=-8) and second_130.local_start.fold == 1
    assert second_130.start - first_130.start == timedelta(hours=1)


def test_fall_back_appointment_blocks_only_its_own_instant():
    second_0130 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)  # 01:30 PST, the second one
    staff = [StaffCalendar(ANA, appointments=[(second_0130, second_0130 + timedelta(minutes=30))])]
    slots = slots_for(NIGHT_SUNDAY, FALL, now=datetime(2026, 10, 25, tzinfo=UTC), staff=staff)
    assert_well_formed(slots)
    assert datetime(2026, 11, 1, 8, 30, tzinfo=UTC) in {s.start for s in slots}  # 01:30 PDT still free
    assert second_0130 not in {s.start for s in slots}
    assert len(slots) == 13


def test_business_hours_shift_in_utc_across_the_spring_change():
    hours = {**DEMO_HOURS, "sun": [["10:00", "14:00"]]}
    slots = slots_for(hours, date(2026, 3, 7), date(2026, 3, 9))
    assert_well_formed(slots)
    by_day = {}
    for slot in slots:
        by_day.setdefault(slot.local_start.date(), []).append(slot)
    assert [len(by_day[d]) for d in sorted(by_day)] == [16, 8, 20]  # Sat 10–18, Sun 10–14, Mon 10–20
    assert by_day[date(2026, 3, 7)][0].start == datetime(2026, 3, 7, 18, 0, tzinfo=UTC)  # 10:00 PST
    assert by_day[date(2026, 3, 8)][0].start == datetime(2026, 3, 8, 17, 0, tzinfo=UTC)  # 10:00 PDT
    assert by_day[date(2026, 3, 9)][0].start == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert all(s.local_start.minute in (0, 30) for s in slots)


def test_business_hours_shift_in_utc_across_the_fall_change():
    hours = {**DEMO_HOURS, "sun": [["10:00", "14:00"]]}
    slots = slots_for(hours, date(2026, 10, 31), date(2026, 11, 2), now=datetime(2026, 10, 25, tzinfo=UTC))
    assert_well_formed(slots)
    firsts = {}
    for slot in slots:
        firsts.setdefault(slot.local_start.date(), slot)
    assert firsts[date(2026, 10, 31)].start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)  # 10:00 PDT
    assert firsts[date(2026, 11, 1)].start == datetime(2026, 11, 1, 18, 0, tzinfo=UTC)  # 10:00 PST
    assert firsts[date(2026, 11, 2)].start == datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
    assert len(slots) == 16 + 8 + 20


def test_a_whole_month_across_both_changes_is_well_formed():
    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    for start, now in ((date(2026, 2, 20), datetime(2026, 2, 20, tzinfo=UTC)), (date(2026, 10, 15), datetime(2026, 10, 15, tzinfo=UTC))):
        slots = slots_for(always, start, start + timedelta(days=30), now=now, min_notice_minutes=0, max_horizon_days=60)
        assert_well_formed(slots)
        # every real half hour of the period, none missing, none twice
        assert all(b.start - a.start == timedelta(minutes=30) for a, b in zip(slots, slots[1:]))


def test_staff_hours_in_a_dst_zone():
    staff = [StaffCalendar(ANA, working_hours={"sun": [["03:00", "04:00"]]}), StaffCalendar(BETO)]
    slots = slots_for(NIGHT_SUNDAY, SPRING, staff=staff)
    assert [(s.local_start.strftime("%H:%M"), s.staff_ids) for s in slots if ANA in s.staff_ids] == [
        ("03:00", [ANA, BETO]),
        ("03:30", [ANA, BETO]),
    ]


def test_mexico_city_has_no_dst_any_more():
    hours = {"sun": [["10:00", "11:00"]]}
    for day in (date(2026, 1, 4), date(2026, 4, 5), date(2026, 10, 25)):
        slots = slots_for(hours, day, tz="America/Mexico_City", now=datetime(day.year, day.month, 1, tzinfo=UTC))
        assert slots[0].start == datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC)


def test_midnight_close():
    slots = slots_for({"sat": [["20:00", "24:00"]]}, date(2026, 3, 7))
    assert times(slots)[-1] == "23:30"
    assert slots[-1].end == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)  # next local midnight (PST)


# ---- other core behaviour ---------------------------------------------------------------------


def test_no_staff_or_no_free_spot_means_no_slots():
    assert slots_for(DEMO_HOURS, THU, tz="America/Mexico_City", now=NOW, staff=[]) == []
    assert slots_for(DEMO_HOURS, THU, tz="America/Mexico_City", now=NOW, spots=[]) == []
    taken = [(datetime(2026, 1, 15, 16, 0, tzinfo=UTC), datetime(2026, 1, 16, 2, 0, tzinfo=UTC))]  # 10:00–20:00
    assert slots_for(DEMO_HOURS, THU, tz="America/Mexico_City", now=NOW, spots=[SpotCalendar(uuid.uuid4(), taken)]) == []
    free = slots_for(DEMO_HOURS, THU, tz="America/Mexico_City", now=NOW, spots=[SpotCalendar(uuid.uuid4(), taken), SpotCalendar(uuid.uuid4())])
    assert len(free) == 20


def test_naive_datetimes_from_sqlite_are_utc():
    naive = [(datetime(2026, 1, 15, 16, 0), datetime(2026, 1, 15, 17, 0))]  # 10:00–11:00 local
    slots = slots_for(DEMO_HOURS, THU, tz="America/Mexico_City", now=NOW, staff=[StaffCalendar(ANA, appointments=naive)])
    assert times(slots)[0] == "11:00"


def test_closures_by_date():
    slots = slots_for(DEMO_HOURS, THU, date(2026, 1, 17), tz="America/Mexico_City", now=NOW, closures=[(date(2026, 1, 16), date(2026, 1, 16))])
    assert sorted({s.local_start.date() for s in slots}) == [THU, date(2026, 1, 17)]


def test_invalid_arguments():
    with pytest.raises(AvailabilityError, match="30 días"):
        slots_for(DEMO_HOURS, date(2026, 1, 1), date(2026, 2, 1), tz="America/Mexico_City", now=NOW)
    with pytest.raises(AvailabilityError, match="zona horaria"):
        slots_for(DEMO_HOURS, THU, tz="Mars/Olympus", now=NOW)
    with pytest.raises(AvailabilityError):
        slots_for(DEMO_HOURS, THU, tz="America/Mexico_City", now=datetime(2026, 1, 14, 12))


def test_forbidden_starts_merge_and_sweep():
    # appointments [100, 130) and [120, 140), [160, 190) and [190, 195); a 10-second service, buffer 5
    forbidden = _forbidden_starts([(100, 130), (120, 140), (160, 190), (190, 195)], reach=15, buffer=5)
    # a start s clashes with [a, b + 5) when a - 15 < s < b + 5
    assert forbidden == ([85, 145], [145, 200])  # touching open intervals stay apart: 145 itself is free
    starts = [80, 85, 86, 144, 145, 146, 199, 200, 300]
    assert list(_sweep(starts, forbidden)) == [True, True, False, False, True, False, False, True, True]
    # blocks have no buffer: a 10-second service clashes with block [100, 110) when 90 < s < 110
    assert _forbidden_starts([], reach=15, buffer=5, blocks=[(100, 110)], block_reach=10) == ([90], [110])
    assert list(_sweep([1, 2], ([], []))) == [True, True]


def test_forbidden_starts_accept_datetimes():
    t0 = datetime(2026, 1, 15, 16, 0, tzinfo=UTC)
    lows, highs = _forbidden_starts([(t0, t0 + timedelta(minutes=30))], reach=1800, buffer=0)
    assert (lows, highs) == ([int(t0.timestamp()) - 1800], [int(t0.timestamp()) + 1800])


def test_day_intervals_match_the_write_side():
    from aggregates.timeslots import day_intervals as write_side

    hours = {**DEMO_HOURS, "sun": [["00:00", "06:00"], ["20:00", "24:00"]]}
    for tz in ("America/Tijuana", "America/Mexico_City", "America/Ciudad_Juarez"):
        for offset in range(-3, 300):
            day = date(2026, 3, 1) + timedelta(days=offset)
            assert day_intervals(hours, day, ZoneInfo(tz)) == write_side(hours, day, tz), (tz, day)


def test_qualification_helpers():
    service, location = uuid.uuid4(), uuid.uuid4()
    rows = [
        {"id": ANA, "is_active": True, "service_ids": [str(service)], "location_id": None},
        {"id": BETO, "is_active": False, "service_ids": [str(service)], "location_id": None},
        {"id": uuid.UUID(int=3), "is_active": True, "service_ids": [], "location_id": None},
        {"id": uuid.UUID(int=4), "is_active": True, "service_ids": [str(service)], "location_id": uuid.uuid4()},
        {"id": uuid.UUID(int=5), "is_active": True, "service_ids": [str(service)], "location_id": location},
    ]
    assert [r["id"] for r in qualified_staff(rows, service, location)] == [ANA, uuid.UUID(int=5)]
    assert [r["id"] for r in qualified_staff(rows, service, location, staff_id=BETO)] == []
    spots = [
        {"id": uuid.UUID(int=10), "is_active": True, "location_id": location, "service_ids": [str(service)], "display_order": 2},
        {"id": uuid.UUID(int=11), "is_active": True, "location_id": location, "service_ids": [str(service)], "display_order": 1},
        {"id": uuid.UUID(int=12), "is_active": False, "location_id": location, "service_ids": [str(service)], "display_order": 0},
    ]
    assert [r["id"] for r in serving_spots(spots, service, location)] == [uuid.UUID(int=11), uuid.UUID(int=10)]
    assert serving_spots(spots, uuid.uuid4(), location) is None
    assert serving_spots([], service, location) is None


def test_spread_and_parts_of_day():
    slots = slots_for(DEMO_HOURS, THU, tz="America/Mexico_City", now=NOW)
    assert spread(slots, None) == slots
    assert spread(slots, 100) == slots
    assert spread(slots, 0) == []
    assert times(spread(slots, 1)) == ["10:00"]
    assert times(spread(slots, 3)) == ["10:00", "15:00", "19:30"]
    assert [part_of_day(datetime(2026, 1, 15, h, 0, tzinfo=MX)) for h in (11, 12, 18, 19)] == ["morning", "afternoon", "afternoon", "evening"]

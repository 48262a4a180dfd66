"""The shared vocabulary: one rule per fact, stdlib only below the phones module (issue #9)."""

from __future__ import annotations

import ast
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

import vocabulary
from aggregates import timeslots
from aggregates.appointment import TRANSITIONS
from aggregates.errors import InvalidInput
from readmodels import availability
from readmodels.types import UTCDateTime
from vocabulary.hours import as_utc, day_intervals, epoch, overlaps, parse_hhmm, spread, wall_time, within_hours
from vocabulary.spanish import format_ranges, format_weekly_hours
from vocabulary.statuses import (
    APPOINTMENT_STATUSES,
    APPOINTMENT_TRANSITIONS,
    LIVE_APPOINTMENT_STATUSES,
    OCCUPYING_APPOINTMENT_STATUSES,
    ORGANIZATION_STATUSES,
    ORGANIZATION_TRANSITIONS,
)
from vocabulary.weekdays import WEEKDAYS, weekday_key, weekday_name

PACKAGE = Path(vocabulary.__file__).parent
MEXICO = "America/Mexico_City"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_each_module_imports_only_the_standard_library_and_itself(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__", "vocabulary"}
    if path.name == "phones.py":
        allowed.add("phonenumbers")  # the one outside dependency, kept out of every other module
    assert _imports(path) - allowed == set()


def test_the_package_itself_imports_nothing() -> None:
    # importing vocabulary.hours must not pull phonenumbers in through __init__
    assert _imports(PACKAGE / "__init__.py") == set()


def test_write_side_and_read_side_share_one_interval_rule() -> None:
    hours = {"mon": [["16:00", "20:00"], ["10:00", "14:00"]], "tue": [["22:00", "24:00"]]}
    monday, tuesday = date(2026, 1, 12), date(2026, 1, 13)
    for day in (monday, tuesday, date(2026, 1, 14)):
        expected = day_intervals(hours, day, MEXICO)
        assert timeslots.day_intervals(hours, day, MEXICO) == expected
        assert availability.day_intervals(hours, day, availability.zone_for(MEXICO)) == expected
    # sorted, and "24:00" is the next local midnight (06:00 UTC in Mexico City)
    assert [a.hour for a, _ in day_intervals(hours, monday, MEXICO)] == [16, 22]
    assert day_intervals(hours, tuesday, MEXICO)[0][1] == datetime(2026, 1, 14, 6, tzinfo=timezone.utc)


def test_each_layer_wraps_a_bad_time_in_its_own_error() -> None:
    with pytest.raises(InvalidInput):
        timeslots.parse_hhmm("25:00")
    with pytest.raises(availability.AvailabilityError):
        availability.parse_hhmm("9:5")
    assert parse_hhmm("24:00") == time.max
    assert wall_time("24:00") == time(0)


def test_within_hours_and_overlaps() -> None:
    hours = {"mon": [["10:00", "14:00"]]}
    start = datetime(2026, 1, 12, 16, tzinfo=timezone.utc)  # 10:00 in Mexico City
    assert within_hours(hours, start, start.replace(hour=20), MEXICO)
    assert not within_hours(hours, start, start.replace(hour=20, minute=30), MEXICO)
    assert overlaps(start, start.replace(hour=17), start.replace(minute=59), start.replace(hour=18))
    assert not overlaps(start, start.replace(hour=17), start.replace(hour=17), start.replace(hour=18))


def test_naive_means_utc() -> None:
    naive = datetime(2026, 1, 12, 16, 0)
    assert as_utc(naive) == datetime(2026, 1, 12, 16, tzinfo=timezone.utc)
    assert as_utc(naive).tzinfo is timezone.utc
    assert epoch(naive) == epoch(as_utc(naive)) == int(as_utc(naive).timestamp())
    assert epoch(123) == 123


@pytest.mark.parametrize(
    ("size", "limit", "expected"),
    [(10, 3, [0, 4, 9]), (10, 1, [0]), (10, 0, []), (3, 5, [0, 1, 2]), (10, None, list(range(10))), (7, 4, [0, 2, 4, 6])],
)
def test_spread_keeps_the_first_and_the_last(size: int, limit: int | None, expected: list[int]) -> None:
    assert spread(list(range(size)), limit) == expected
    assert availability.spread(list(range(size)), limit) == expected


def test_statuses_and_transitions_are_one_table() -> None:
    assert TRANSITIONS is APPOINTMENT_TRANSITIONS
    assert set(APPOINTMENT_TRANSITIONS) == set(APPOINTMENT_STATUSES)
    assert set(ORGANIZATION_TRANSITIONS) == set(ORGANIZATION_STATUSES)
    assert set(LIVE_APPOINTMENT_STATUSES) <= set(OCCUPYING_APPOINTMENT_STATUSES)
    assert "cancelled" not in OCCUPYING_APPOINTMENT_STATUSES
    assert availability.OCCUPYING_STATUSES == OCCUPYING_APPOINTMENT_STATUSES


def test_weekdays() -> None:
    assert weekday_key(date(2026, 1, 18)) == "sun" == WEEKDAYS[-1]
    assert weekday_name("wed") == "miércoles" == weekday_name(date(2026, 1, 14))


def test_business_hours_listing() -> None:
    hours = {"mon": [["10:00", "14:00"], ["16:00", "20:00"]], "sat": [["09:00", "24:00"]]}
    assert format_ranges(hours["mon"]) == "10:00 AM a 2:00 PM, 4:00 PM a 8:00 PM"
    lines = format_weekly_hours(hours).splitlines()
    assert lines[0] == "  - Lunes: 10:00 AM a 2:00 PM, 4:00 PM a 8:00 PM"
    assert lines[1] == "  - Martes: cerrado"
    assert lines[5] == "  - Sábado: 9:00 AM a 12:00 AM"
    assert len(lines) == 7


def test_utc_datetime_column_stores_and_returns_aware_utc() -> None:
    # given SQLite, which keeps no offset, and a column of the read models' type
    metadata = MetaData()
    table = Table("t", metadata, Column("id", Integer, primary_key=True), Column("at", UTCDateTime()))
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    mexico_noon = datetime.fromisoformat("2026-01-12T12:00:00-06:00")
    with engine.begin() as conn:
        # when an aware non-UTC time and a naive (UTC) time are stored
        conn.execute(insert(table), [{"id": 1, "at": mexico_noon}, {"id": 2, "at": datetime(2026, 1, 12, 18)}, {"id": 3, "at": None}])
        rows = dict(conn.execute(select(table.c.id, table.c.at)).all())
        # then both read back as the same aware UTC instant, and comparisons bind through the type
        found = conn.execute(select(table.c.id).where(table.c.at == datetime(2026, 1, 12, 18, tzinfo=timezone.utc))).scalars().all()
    assert rows[1] == rows[2] == datetime(2026, 1, 12, 18, tzinfo=timezone.utc)
    assert rows[1].tzinfo is timezone.utc
    assert rows[3] is None
    assert sorted(found) == [1, 2]


@pytest.mark.parametrize(("hour", "part"), [(0, "morning"), (11, "morning"), (12, "afternoon"), (18, "afternoon"), (19, "evening"), (23, "evening")])
def test_part_of_day_is_one_rule_for_availability_and_the_agent(hour: int, part: str) -> None:
    from agent.tools import PART_HOURS
    from vocabulary.hours import part_of_day

    moment = datetime(2026, 1, 12, hour, 30)
    assert part_of_day(moment) == availability.part_of_day(moment) == part
    low, high = PART_HOURS[part]
    assert low <= hour < high


def test_the_api_accepts_exactly_the_vocabularys_statuses() -> None:
    # The OpenAPI enums are Literal types (checked by type checkers); they must name the same statuses.
    from typing import get_args

    from gateway.api import admin, appointments

    assert set(get_args(appointments.Status)) == set(APPOINTMENT_STATUSES)
    assert set(get_args(admin.OrgStatus)) == set(ORGANIZATION_STATUSES)

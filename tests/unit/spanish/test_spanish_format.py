"""Exact strings customers see. Reference day: Wednesday 14 January 2026."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from agent.spanish import (
    format_at_time,
    format_date,
    format_date_capitalized,
    format_day_phrase,
    format_duration,
    format_phone,
    format_price,
    format_time,
    relative_day_label,
)

TODAY = date(2026, 1, 14)  # Wednesday


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 1, 15), "jueves 15 de enero"),
        (date(2026, 1, 14), "miércoles 14 de enero"),
        (date(2026, 1, 17), "sábado 17 de enero"),
        (date(2026, 2, 1), "domingo 1 de febrero"),
        (date(2026, 9, 7), "lunes 7 de septiembre"),
        (date(2026, 12, 25), "viernes 25 de diciembre"),
        (date(2021, 1, 15), "viernes 15 de enero"),
        (datetime(2026, 3, 3, 18, 0), "martes 3 de marzo"),
    ],
)
def test_format_date(d: date, expected: str) -> None:
    assert format_date(d) == expected


def test_format_date_capitalized() -> None:
    assert format_date_capitalized(date(2026, 1, 15)) == "Jueves 15 de enero"
    assert format_date_capitalized(date(2026, 1, 14)) == "Miércoles 14 de enero"


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (time(15, 0), "3:00 PM"),
        (time(11, 30), "11:30 AM"),
        (time(12, 0), "12:00 PM"),
        (time(0, 0), "12:00 AM"),
        (time(0, 5), "12:05 AM"),
        (time(9, 5), "9:05 AM"),
        (time(23, 59), "11:59 PM"),
        (time(13, 15, 59), "1:15 PM"),
        (datetime(2026, 1, 15, 16, 30), "4:30 PM"),
        (datetime(2026, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=-6))), "10:00 AM"),
    ],
)
def test_format_time(t: time, expected: str) -> None:
    assert format_time(t) == expected


def test_format_time_has_no_babel_spaces() -> None:
    assert "\u202f" not in format_time(time(15)) and "p.m." not in format_time(time(15))


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (time(16), "a las 4:00 PM"),
        (time(13, 30), "a la 1:30 PM"),
        (time(1), "a la 1:00 AM"),
        (time(12), "a las 12:00 PM"),
        (time(10), "a las 10:00 AM"),
    ],
)
def test_format_at_time(t: time, expected: str) -> None:
    assert format_at_time(t) == expected


@pytest.mark.parametrize(
    ("cents", "expected"),
    [
        (15000, "$150"),
        (15050, "$150.50"),
        (15005, "$150.05"),
        (120000, "$1,200"),
        (123456789, "$1,234,567.89"),
        (0, "$0"),
        (99, "$0.99"),
        (-5000, "-$50"),
    ],
)
def test_format_price(cents: int, expected: str) -> None:
    assert format_price(cents) == expected


@pytest.mark.parametrize("bad", [150.5, "150", True])
def test_format_price_rejects_non_integers(bad: object) -> None:
    with pytest.raises(TypeError):
        format_price(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+525512345678", "+52 55 1234 5678"),
        ("+5215512345678", "+52 55 1234 5678"),
        ("whatsapp:+5215512345678", "+52 55 1234 5678"),
        ("+52 55 1234 5678", "+52 55 1234 5678"),
        ("+523312345678", "+52 33 1234 5678"),
        ("+528112345678", "+52 81 1234 5678"),
        ("+522221234567", "+52 222 123 4567"),
        ("+529981234567", "+52 998 123 4567"),
        ("+14155550100", "+14155550100"),
        ("+52123", "+52123"),
        ("5512345678", "5512345678"),
        ("", ""),
    ],
)
def test_format_phone(phone: str, expected: str) -> None:
    assert format_phone(phone) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, "0 min"),
        (15, "15 min"),
        (30, "30 min"),
        (45, "45 min"),
        (60, "1 hr"),
        (90, "1 hr 30 min"),
        (120, "2 hr"),
        (150, "2 hr 30 min"),
    ],
)
def test_format_duration(minutes: int, expected: str) -> None:
    assert format_duration(minutes) == expected


def test_format_duration_rejects_negative() -> None:
    with pytest.raises(ValueError):
        format_duration(-5)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(0, "hoy"), (1, "mañana"), (2, "pasado mañana"), (3, None), (-1, None), (7, None)],
)
def test_relative_day_label(offset: int, expected: str | None) -> None:
    assert relative_day_label(TODAY + timedelta(days=offset), TODAY) == expected


def test_relative_day_label_accepts_datetimes() -> None:
    assert relative_day_label(datetime(2026, 1, 15, 9), datetime(2026, 1, 14, 22)) == "mañana"


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 1, 14), "hoy miércoles 14 de enero"),
        (date(2026, 1, 15), "mañana jueves 15 de enero"),
        (date(2026, 1, 16), "pasado mañana viernes 16 de enero"),
        (date(2026, 1, 17), "el sábado 17 de enero"),
        (date(2026, 2, 3), "el martes 3 de febrero"),
        (date(2026, 1, 13), "el martes 13 de enero"),
    ],
)
def test_format_day_phrase(d: date, expected: str) -> None:
    assert format_day_phrase(d, TODAY) == expected


def test_no_english_in_any_month_or_weekday() -> None:
    english = {"monday", "january", "am", "pm", "sunday", "december"}
    for offset in range(366):
        words = set(format_date(TODAY + timedelta(days=offset)).split())
        assert not words & english

"""Conversational dates and times. Reference day: Wednesday 14 January 2026."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from agent.spanish import When, invalid_date, parse_choice_number, parse_time, parse_when

TODAY = date(2026, 1, 14)  # Wednesday
WED, THU, FRI, SAT, SUN = (date(2026, 1, d) for d in (14, 15, 16, 17, 18))
MON_NEXT, TUE_NEXT, WED_NEXT = date(2026, 1, 19), date(2026, 1, 20), date(2026, 1, 21)


def test_calendar_facts() -> None:
    assert TODAY.weekday() == 2  # Wednesday
    assert date(2026, 1, 15).weekday() == 3  # Thursday


def day(d: date, **kw: object) -> When:
    return When(date_from=d, date_to=d, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoy", day(WED)),
        ("Hoy mismo", day(WED)),
        ("mañana", day(THU)),
        ("manana", day(THU)),
        ("MAÑANA!!!", day(THU)),
        ("mñn", day(THU)),
        ("pasado mañana", day(FRI)),
        ("pasado manana", day(FRI)),
        ("mañana o pasado", When(THU, FRI)),
        # Weekdays: next occurrence; a bare weekday equal to today means next week.
        ("el lunes", day(MON_NEXT)),
        ("el sabado", day(SAT)),
        ("el sábado", day(SAT)),
        ("sabado", day(SAT)),
        ("los sábados", day(SAT)),
        ("el domingo", day(SUN)),
        ("este viernes", day(FRI)),
        ("el jueves", day(THU)),
        ("el miercoles", day(WED_NEXT)),
        ("el miércoles", day(WED_NEXT)),
        ("este miércoles", day(WED)),
        ("hoy miércoles", day(WED)),
        ("el próximo martes", day(TUE_NEXT)),
        ("el proximo martes", day(TUE_NEXT)),
        ("el martes que viene", day(TUE_NEXT)),
        ("el próximo jueves", day(THU)),
        ("el martes de la próxima semana", day(TUE_NEXT)),
        ("el jueves de la semana que viene", day(date(2026, 1, 22))),
        # Typos in weekday names.
        ("el mircoles", day(WED_NEXT)),
        ("el vienes", day(FRI)),
        ("el sab", day(SAT)),
        # Days of the month roll forward.
        ("el 15", day(THU)),
        ("el 14", day(WED)),
        ("el 13", day(date(2026, 2, 13))),
        ("el dia 20", day(date(2026, 1, 20))),
        ("para el 31", day(date(2026, 1, 31))),
        ("el viernes 16", day(FRI)),
        ("15 de enero", day(THU)),
        ("el 3 de febrero", day(date(2026, 2, 3))),
        ("el 3 de febreo", day(date(2026, 2, 3))),
        ("13 de enero", day(date(2027, 1, 13))),
        ("el 15 de enero de 2027", day(date(2027, 1, 15))),
        ("15 de ene", day(THU)),
        ("el lunes 19 de enero", day(MON_NEXT)),
        ("mañana jueves 15 de enero", day(THU)),
        ("15/01", day(THU)),
        ("15/1", day(THU)),
        ("13/01", day(date(2027, 1, 13))),
        ("15/01/27", day(date(2027, 1, 15))),
        ("31 de febrero", When()),
        # Ranges.
        ("la próxima semana", When(MON_NEXT, date(2026, 1, 25))),
        ("la semana que viene", When(MON_NEXT, date(2026, 1, 25))),
        ("la otra semana", When(MON_NEXT, date(2026, 1, 25))),
        ("esta semana", When(WED, SUN)),
        ("el fin de semana", When(SAT, SUN)),
        ("este finde", When(SAT, SUN)),
        ("el mes que viene", When(date(2026, 2, 1), date(2026, 2, 28))),
        ("lunes o martes", When(MON_NEXT, TUE_NEXT)),
        ("del 28 al 3", When(date(2026, 1, 28), date(2026, 2, 3))),
        ("en 3 dias", day(date(2026, 1, 17))),
        ("en ocho días", day(WED_NEXT)),
    ],
)
def test_dates(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("en la mañana", When(part_of_day="morning")),
        ("temprano", When(part_of_day="morning")),
        ("mañana en la mañana", day(THU, part_of_day="morning")),
        ("mañana temprano", day(THU, part_of_day="morning")),
        ("mañana por la mañanita", day(THU, part_of_day="morning")),
        ("pasado mañana en la mañana", day(FRI, part_of_day="morning")),
        ("en la tarde", When(part_of_day="afternoon")),
        ("despues de comer", When(part_of_day="afternoon")),
        ("después del mediodía", When(part_of_day="afternoon")),
        ("el viernes en la tarde", day(FRI, part_of_day="afternoon")),
        ("mñn x la tarde", day(THU, part_of_day="afternoon")),
        ("en la noche", When(part_of_day="evening")),
        ("hoy en la noche", day(WED, part_of_day="evening")),
    ],
)
def test_parts_of_day(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a las 4", time(16)),
        ("A las 4", time(16)),
        ("a las 7", time(19)),
        ("a las 8", time(8)),
        ("a las 11", time(11)),
        ("a las 12", time(12)),
        ("a la 1", time(13)),
        ("a la una", time(13)),
        ("a las cuatro", time(16)),
        ("las dos y media", time(14, 30)),
        ("a las 4 de la mañana", time(4)),
        ("a las 10 de la mañana", time(10)),
        ("4:30", time(16, 30)),
        ("a las 11:30", time(11, 30)),
        ("las 11:30", time(11, 30)),
        ("a las 4.30", time(16, 30)),
        ("16:00", time(16)),
        ("a las 16", time(16)),
        ("16 hrs", time(16)),
        ("a las 08:00", time(8)),
        ("4pm", time(16)),
        ("4 pm", time(16)),
        ("4 p.m.", time(16)),
        ("4:30 pm", time(16, 30)),
        ("a las 10 am", time(10)),
        ("a las 12 am", time(0)),
        ("12:00 pm", time(12)),
        ("4 de la tarde", time(16)),
        ("a las 7 de la noche", time(19)),
        ("a las 12 de la noche", time(0)),
        ("al mediodía", time(12)),
        ("mediodia", time(12)),
        ("a las 4 y media", time(16, 30)),
        ("a las 4 y cuarto", time(16, 15)),
        ("a las 5 menos cuarto", time(16, 45)),
        ("a las 4 y 15", time(16, 15)),
        ("tipo 5", time(17)),
        ("como a eso de las 6 de la tarde", time(18)),
        ("la de las 5", time(17)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_when(text, TODAY) == When(time=expected)
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mañana a las 4", day(THU, time=time(16))),
        ("hoy a las 11:30", day(WED, time=time(11, 30))),
        ("el viernes en la tarde", day(FRI, part_of_day="afternoon")),
        (
            "mañana en la tarde como a las 5",
            day(THU, part_of_day="afternoon", time=time(17)),
        ),
        ("mañana a las 10 de la mañana", day(THU, time=time(10))),
        ("en la mañana a las 7", When(part_of_day="morning", time=time(7))),
        ("en la noche a las 8", When(part_of_day="evening", time=time(20))),
        ("el 15 a las 4", day(THU, time=time(16))),
        ("el sábado a las 11", day(SAT, time=time(11))),
        ("Quiero cita para mañana a la 1:30", day(THU, time=time(13, 30))),
        (
            "Cita para el 15 de enero a las 4 y media de la tarde",
            day(THU, time=time(16, 30)),
        ),
        ("mñn a las 4 porfa", day(THU, time=time(16))),
        ("el jueves a las 4 pm", day(THU, time=time(16))),
    ],
)
def test_combined(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ahorita", day(WED, is_now=True)),
        ("ahora", day(WED, is_now=True)),
        ("ya", day(WED, is_now=True)),
        ("Ya!", day(WED, is_now=True)),
        ("en este momento", day(WED, is_now=True)),
        # "ahorita en la tarde" is later today, not now.
        ("ahorita en la tarde", day(WED, part_of_day="afternoon")),
        ("ahora a las 5", day(WED, time=time(17))),
        # "ya" inside a sentence is not "now".
        ("ya no puedo", When()),
    ],
)
def test_now(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoy no, mejor mañana", day(THU)),
        ("mañana no puedo", When()),
        ("no puedo hoy", When()),
        ("hoy no puedo el viernes", day(FRI)),
        ("no, mejor el sabado", day(SAT)),
        ("el viernes tampoco", When()),
        ("ni hoy ni mañana", When()),
        ("a las 4 no, a las 5", When(time=time(17))),
        ("en la tarde no, en la mañana", When(part_of_day="morning")),
        ("no hay problema, mañana a las 4", day(THU, time=time(16))),
        ("¿no tienen lugar mañana?", day(THU)),
        ("no sé si el viernes", day(FRI)),
    ],
)
def test_negation(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["", "hola", "quiero un corte", "la 2", "opcion 3", "4", "$150", "cuánto cuesta?"],
)
def test_nothing_to_parse(text: str) -> None:
    result = parse_when(text, TODAY)
    assert result == When()
    assert result.is_empty


def test_when_helpers() -> None:
    assert parse_when("mañana", TODAY).is_single_day
    assert not parse_when("la próxima semana", TODAY).is_single_day
    assert not parse_when("a las 4", TODAY).is_empty


def test_accepts_a_datetime_as_today() -> None:
    assert parse_when("mañana", datetime(2026, 1, 14, 23, 59)) == day(THU)


def test_weekends_from_the_weekend() -> None:
    saturday, sunday = SAT, SUN
    assert parse_when("el fin de semana", saturday) == When(SAT, SUN)
    assert parse_when("este fin de semana", sunday) == day(SUN)
    assert parse_when("el próximo fin de semana", sunday) == When(
        date(2026, 1, 24), date(2026, 1, 25)
    )


def test_year_and_month_rollover() -> None:
    dec_30 = date(2026, 12, 30)
    assert parse_when("el 2", dec_30) == day(date(2027, 1, 2))
    assert parse_when("pasado mañana", dec_30) == day(date(2027, 1, 1))
    assert parse_when("el lunes", dec_30) == day(date(2027, 1, 4))
    assert parse_when("el 30 de febrero", dec_30) == When()
    assert parse_when("el 31", date(2026, 2, 10)) == day(date(2026, 3, 31))


@pytest.mark.parametrize("text", ["4", "12", "la 2", "la 1", "opcion 3", "el 15", "hola", ""])
def test_parse_time_rejects_non_times(text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("la 2", 2),
        ("La 2", 2),
        ("el 3", 3),
        ("1", 1),
        ("2 porfa", 2),
        ("opcion 3", 3),
        ("opción #3", 3),
        ("la opcion dos", 2),
        ("el segundo", 2),
        ("la primera", 1),
        ("primera", 1),
        ("la 3ra", 3),
        ("3ra opcion", 3),
        ("quiero la segunda porfa", 2),
        ("me quedo con la 1", 1),
        ("el ultimo", 5),
        ("la última", 5),
        ("la penúltima", 4),
        # Times and other non-choices.
        ("a las 4", None),
        ("las 2", None),
        ("4pm", None),
        ("4:30", None),
        ("la una", None),
        ("a las 4 y cuarto", None),
        ("la 2 o la 3", None),
        ("primero quiero saber el precio", None),
        ("opcion 6", None),
        ("0", None),
        ("ninguna", None),
        ("", None),
    ],
)
def test_parse_choice_number(text: str, expected: int | None) -> None:
    assert parse_choice_number(text, 5) == expected


def test_parse_choice_number_last_of_three() -> None:
    assert parse_choice_number("la ultima", 3) == 3
    assert parse_choice_number("4", 3) is None
    assert parse_choice_number("1", 0) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quiero un corte el 31 de febrero", "31 de febrero"),
        ("el 30 de febrero a las 5", "30 de febrero"),
        ("para el 32 de enero", "32 de enero"),
        ("el 31/04", "31 de abril"),
        ("el 15/13", "15/13"),
        ("el 31 de febrero de 2027", "31 de febrero de 2027"),
        # Real dates, or an invalid one refused in favour of a real one: nothing to report.
        ("el 15 de enero", None),
        ("el 29 de febrero", None),  # the next leap year's
        ("no el 31 de febrero, mejor el 28", None),
        ("mañana a las 5", None),
        ("hola", None),
    ],
)
def test_invalid_date(text: str, expected: str | None) -> None:
    assert invalid_date(text, TODAY) == expected
    if expected is not None:
        assert parse_when(text, TODAY).date_from is None  # parse_when ignores it


@pytest.mark.parametrize(
    ("text", "part"),
    [("para la tarde", "afternoon"), ("para la mañana", "morning"), ("para la noche", "evening")],
)
def test_para_la_part_of_day(text: str, part: str) -> None:
    assert parse_when(text, TODAY) == When(part_of_day=part)  # type: ignore[arg-type]
    assert parse_when("para mañana", TODAY) == day(THU)

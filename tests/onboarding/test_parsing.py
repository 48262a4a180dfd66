"""Reading onboarding answers (pure, no I/O)."""

from __future__ import annotations

import pytest

from agent.onboarding.engine import next_question, read_message
from agent.onboarding.parsing import business_type_of, parse_hours, service_mentions, team_mentions
from agent.onboarding.texts import hours_lines

OWNER = "+525577776666"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("corte $150 media hora, barba $100 20 min", [("Corte", 15000, 30), ("Barba", 10000, 20)]),
        ("corte $150 30 min y barba $100 20 min", [("Corte", 15000, 30), ("Barba", 10000, 20)]),
        ("Corte y barba $220 45 minutos", [("Corte y barba", 22000, 45)]),
        ("Tinte de 1 hora y media a $800", [("Tinte", 80000, 90)]),
        ("Uñas de gel $350 90 min", [("Uñas de gel", 35000, 90)]),
        ("Masaje relajante 600 pesos 1 hora", [("Masaje relajante", 60000, 60)]),
        ("el corte cuesta 180", [("Corte", 18000, None)]),
        ("$1,200 tinte completo 2 horas", [("Tinte completo", 120000, 120)]),
    ],
)
def test_service_mentions(text: str, expected: list) -> None:
    assert [(m.name, m.price_cents, m.duration_minutes) for m in service_mentions(text)] == expected


def test_hours_with_days_ranges_and_closed_days() -> None:
    hours = parse_hours("de lunes a sábado de 10 a 8, domingo cerrado")
    assert hours == {**{d: [["10:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}, "sun": []}
    assert hours_lines(hours) == ["• Lunes a sábado: 10:00 AM a 8:00 PM", "• Domingo: cerrado"]
    split = parse_hours("lunes a viernes 9:00 a 19:00 y sábado de 9 a 2")
    assert split["fri"] == [["09:00", "19:00"]] and split["sat"] == [["09:00", "14:00"]] and split["sun"] == []
    assert parse_hours("todos los días de 11am a 9pm")["sun"] == [["11:00", "21:00"]]
    assert parse_hours("Barbería El Güero") is None


def test_business_types_and_team() -> None:
    assert business_type_of("Barbería El Güero") == "barbershop"
    assert business_type_of("un salón de uñas") == "nail_salon"
    assert business_type_of("Spa Zen") == "spa"
    assert business_type_of("Estética Lupita") == "beauty_salon"
    assert team_mentions("Miguel 55 2222 3333, Ana +52 55 3333 4444") == [("Miguel", "55 2222 3333"), ("Ana", "+52 55 3333 4444")]


def test_a_correction_changes_only_what_was_said() -> None:
    data = {"business_name": "X", "business_type": "barbershop",
            "services": [{"name": "Corte", "price_cents": 15000, "duration_minutes": 30},
                         {"name": "Corte y barba", "price_cents": 22000, "duration_minutes": 45}]}  # fmt: skip
    reading = read_message("no, el corte cuesta 180", data, {"expecting": "hours"}, OWNER)
    assert reading.changes == {"services": [{"name": "Corte", "price_cents": 18000, "duration_minutes": 30}, data["services"][1]]}
    reading = read_message("quita el corte y barba", data, {"expecting": "hours"}, OWNER)
    assert [s["name"] for s in reading.changes["services"]] == ["Corte"]


def test_next_question_walks_the_flow_and_ends_in_the_summary() -> None:
    data: dict = {}
    assert next_question(data, {})[1] == "business_name"
    data |= {"business_name": "Uñas Ana", "business_type": "nail_salon"}
    assert next_question(data, {})[1] == "services"
    data["services"] = [{"name": "Manicure", "price_cents": 20000, "duration_minutes": None}]
    assert next_question(data, {})[1] == "service_duration"
    data["services"][0]["duration_minutes"] = 45
    assert next_question(data, {})[1] == "more_services"
    assert next_question(data, {"asked_more_services": True})[1] == "hours"
    data |= {"hours": {"mon": [["10:00", "19:00"]]}, "owner_name": "Ana", "team_asked": True, "address_asked": True}
    step, expecting, text = next_question(data, {})
    assert (step, expecting) == ("confirming_summary", "confirm") and "Manicure: $200, 45 min" in text

"""The off-script recognisers (agent.spanish.offscript): pure functions, no I/O."""

from __future__ import annotations

from datetime import date

import pytest

from agent.spanish.offscript import (
    asks_availability,
    is_acknowledgement,
    is_exit,
    is_greeting_like,
    is_later_today,
    month_range,
    superlative,
    topics,
    unknown_staff_name,
    wants_all,
)

TODAY = date(2026, 1, 14)


@pytest.mark.parametrize("text", ["olvídalo", "déjalo así", "mejor no", "no", "nel", "ya no, gracias", "así déjalo", "ahorita no"])
def test_ways_out(text):
    assert is_exit(text)


@pytest.mark.parametrize("text", ["no, mejor el sábado", "el viernes", "sí", "quiero un corte", "nomás corte"])
def test_not_ways_out(text):
    assert not is_exit(text)


@pytest.mark.parametrize("text", ["ok", "jajaja ok", "👍", "va", "jajaja", "ajá", "okey", "xD"])
def test_acknowledgements(text):
    assert is_acknowledgement(text)


@pytest.mark.parametrize("text", ["ok a las 5", "sí, el viernes", "gracias", "no", ""])
def test_not_acknowledgements(text):
    assert not is_acknowledgement(text)


@pytest.mark.parametrize("text", ["holaa", "buenaaas", "buenas tardess", "wenas", "holiss!!", "hla", "buen diaa"])
def test_elongated_or_misspelled_greetings(text):
    assert is_greeting_like(text)


@pytest.mark.parametrize("text", ["hola quiero un corte", "que", "bueno"])
def test_not_only_greetings(text):
    assert not is_greeting_like(text)


@pytest.mark.parametrize(
    "text,expected",
    [("lo más temprano que tengas", "first"), ("lo antes posible", "first"), ("cuanto antes", "first"),
     ("lo más tarde posible", "last"), ("el último horario", "last"), ("la 2", None), ("en la tarde", None)],
)  # fmt: skip
def test_superlatives(text, expected):
    assert superlative(text) == expected


def test_months_are_the_coming_whole_month():
    assert month_range("y para febrero?", TODAY) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month_range("en enero", TODAY) == (TODAY, date(2026, 1, 31))  # never before today
    assert month_range("en diciembre", date(2026, 12, 20)) == (date(2026, 12, 20), date(2026, 12, 31))
    assert month_range("el 15 de febrero", TODAY) is None  # a day was given: the date parser's


@pytest.mark.parametrize("text", ["al rato", "en un ratito", "¿me atiendes al ratito?"])
def test_later_today(text):
    assert is_later_today(text)


def test_topics():
    assert topics("aceptan tarjeta?") == {"payment"}
    assert topics("hay estacionamiento?") == {"parking"}
    assert topics("no me llegó el recordatorio") == {"reminder"}
    assert topics("quiero un corte") == set()


@pytest.mark.parametrize("text", ["¿qué horarios tienes el jueves?", "horarios disponibles mañana", "tienes espacio el viernes?"])
def test_availability_questions(text):
    assert asks_availability(text)


def test_opening_hours_are_not_availability():
    assert not asks_availability("a qué hora abren?")


def test_all_and_unknown_staff():
    assert wants_all("cancela todo") and wants_all("las dos") and not wants_all("la primera")
    assert unknown_staff_name("corte con Pedro mañana", ["Carlos Mendoza", "Miguel Sánchez"]) == "Pedro"
    assert unknown_staff_name("corte con Miguel", ["Carlos Mendoza", "Miguel Sánchez"]) is None
    assert unknown_staff_name("corte con barba", ["Carlos Mendoza"]) is None

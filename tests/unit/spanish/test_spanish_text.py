"""Normalisation rules that every other Spanish module relies on."""

from __future__ import annotations

import pytest

from agent.spanish import clauses, contains_any, normalize, strip_accents, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hola", "hola"),
        ("  MAÑANA   en la  tarde ", "manana en la tarde"),
        ("¿Cuánto cuesta?", "cuanto cuesta"),
        ("¡Sííí, perfecto! 🙏👍", "si perfecto"),
        ("q onda", "que onda"),
        ("k tal", "que tal"),
        ("xq no?", "porque no"),
        ("pq ya no puedo", "porque ya no puedo"),
        ("yo tmb", "yo tambien"),
        ("porfa", "por favor"),
        ("xfa", "por favor"),
        ("mñn", "manana"),
        ("mñna a las 4", "manana a las 4"),
        ("16 hrs", "16 horas"),
        ("16hrs", "16 horas"),
        ("a las 4:30", "a las 4:30"),
        ("4:30 p.m.", "4:30 pm"),
        ("4 p. m.", "4 pm"),
        ("4pm", "4 pm"),
        ("el 15/01", "el 15/01"),
        ("$1,200.50", "1 200.50"),
        ("mani + pedi", "mani pedi"),
        ("holaaaa", "hola"),
        ("carro lleno", "carro lleno"),
        ("okey", "ok"),
        ("mañana x la tarde", "manana por la tarde"),
        ("3:00\u202fp.m.", "3:00 pm"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_k_is_only_expanded_as_a_whole_word() -> None:
    assert normalize("kilo k") == "kilo que"


def test_strip_accents_keeps_letters() -> None:
    assert strip_accents("Ñandú pingüino ÁÉÍÓÚ") == "Nandu pinguino AEIOU"


def test_tokens() -> None:
    assert tokens("¡Hola, mñn!") == ["hola", "manana"]


def test_clauses_split_on_punctuation_but_not_inside_numbers() -> None:
    assert clauses("Hoy no, mejor mañana a las 4.30 p.m. ¿Sí?") == [
        "hoy no",
        "mejor manana a las 4.30 pm",
        "si",
    ]


@pytest.mark.parametrize(
    ("text", "phrases", "expected"),
    [
        ("Quiero cancelar mi cita", ["cancelar"], True),
        ("¿Cuánto cuesta?", ["cuanto cuesta"], True),
        ("cuanto cuesta", ["cuánto cuesta"], True),
        ("una nueva cita", ["va"], False),
        ("en la noche", ["no"], False),
        ("porfa", ["por favor"], True),
        ("", ["hola"], False),
        ("hola", [], False),
    ],
)
def test_contains_any(text: str, phrases: list[str], expected: bool) -> None:
    assert contains_any(text, phrases) is expected

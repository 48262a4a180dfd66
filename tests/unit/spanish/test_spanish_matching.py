"""Loose service and option matching."""

from __future__ import annotations

import pytest

from agent.spanish import match_option, match_service

SERVICES = [
    ("cut", "Corte de cabello"),
    ("cut_beard", "Corte y barba"),
    ("beard", "Arreglo de barba"),
    ("mani_pedi", "Mani + Pedi"),
    ("mani", "Manicure"),
    ("pedi", "Pedicure"),
    ("dye", "Tinte"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("un corte", "cut"),
        ("Quiero un corte porfa", "cut"),
        ("corte de pelo", "cut"),
        ("me quiero cortar el pelo", "cut"),
        ("Corte de cabello", "cut"),
        ("cortr", "cut"),
        ("un cortee", "cut"),
        ("corte y barba", "cut_beard"),
        ("la barba y el corte", "cut_beard"),
        ("barba", "beard"),
        ("la barba", "beard"),
        ("arreglarme la barba", "beard"),
        ("barva", "beard"),
        ("mani pedi", "mani_pedi"),
        ("mani y pedi", "mani_pedi"),
        ("manipedi", "mani_pedi"),
        ("mani-pedi", "mani_pedi"),
        ("manicure y pedicure", "mani_pedi"),
        ("manicura y pedicura", "mani_pedi"),
        ("uñas", "mani"),
        ("unas", "mani"),
        ("quiero unas uñas", "mani"),
        ("manicure", "mani"),
        ("manicur", "mani"),
        ("pedicure", "pedi"),
        ("tinte", "dye"),
        ("pintarme el cabello", "dye"),
        ("corte el viernes a las 4", "cut"),
    ],
)
def test_match_service(text: str, expected: str) -> None:
    assert match_service(text, SERVICES) == expected


@pytest.mark.parametrize(
    "text",
    ["hola", "", "quiero una cita", "cabello", "quiero unas mechas", "cuánto cuesta?"],
)
def test_match_service_none(text: str) -> None:
    assert match_service(text, SERVICES) is None


def test_equal_matches_are_ambiguous() -> None:
    services = [("f", "Corte dama"), ("m", "Corte caballero"), ("k", "Corte niño")]
    assert match_service("corte", services) == ["f", "m", "k"]
    assert match_service("corte para dama", services) == "f"
    assert match_service("corte de niño", services) == "k"


def test_exact_name_beats_longer_name() -> None:
    services = [("a", "Corte"), ("b", "Corte niño")]
    assert match_service("un corte", services) == "a"
    assert match_service("un corte para mi niño", services) == "b"


def test_several_services_requested() -> None:
    assert match_service("corte y tinte", SERVICES) == ["dye", "cut"]
    separate = [("m", "Manicure"), ("p", "Pedicure")]
    assert match_service("mani y pedi", separate) == ["m", "p"]


def test_empty_catalogue() -> None:
    assert match_service("corte", []) is None


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("el de tinte", ["Corte de cabello", "Tinte"], 1),
        ("corte", ["Corte de cabello", "Tinte"], 0),
        ("la de las 4", ["11:00 AM", "4:00 PM"], 1),
        ("a las 11", ["11:00 AM", "4:00 PM"], 0),
        ("el viernes", ["jueves 15 de enero", "viernes 16 de enero"], 1),
        ("el del 16", ["jueves 15 de enero", "viernes 16 de enero"], 1),
        ("con Ana", ["Carlos", "Ana", "Luis"], 1),
        ("corte", ["Corte dama", "Corte caballero"], None),
        ("algo mas", ["Corte de cabello", "Tinte"], None),
        ("a las 5", ["11:00 AM", "4:00 PM"], None),
    ],
)
def test_match_option(text: str, options: list[str], expected: int | None) -> None:
    assert match_option(text, options) == expected

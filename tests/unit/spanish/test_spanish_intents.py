"""Keyword intents and names."""

from __future__ import annotations

import pytest

from agent.spanish import INTENTS, detect_intents, extract_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola", {"greeting"}),
        ("Buenas tardes", {"greeting"}),
        ("ola", {"greeting"}),
        ("hola que tal", {"greeting"}),
        ("Hola, quiero agendar una cita", {"greeting", "book"}),
        ("quiero una cita para mañana", {"book"}),
        ("tienen lugar el sábado?", {"book"}),
        ("quiero cambiar mi cita", {"reschedule"}),
        ("la puedo mover?", {"reschedule"}),
        ("quiero reagendar", {"reschedule"}),
        ("mejor otro día", {"reschedule"}),
        ("quiero cancelar mi cita", {"cancel"}),
        ("cancela porfa", {"cancel"}),
        ("ya no voy a poder ir", {"cancel"}),
        ("no voy a poder ir, ¿la podemos cambiar para otro día?", {"reschedule"}),
        ("¿qué citas tengo?", {"my_appointments"}),
        ("mi cita", {"my_appointments"}),
        ("cuando es mi cita", {"my_appointments"}),
        ("¿Cuánto cuesta el corte?", {"prices"}),
        ("precio", {"prices"}),
        ("cuánto sale?", {"prices"}),
        ("cuanto sale un tinte", {"prices"}),
        ("horario?", {"hours"}),
        ("a qué hora abren", {"hours"}),
        ("abren el domingo?", {"hours"}),
        ("¿Qué servicios tienen?", {"services"}),
        ("que hacen?", {"services"}),
        ("quiero hablar con alguien", {"human"}),
        ("con una persona porfa", {"human"}),
        ("con el dueño", {"human"}),
        ("humano", {"human"}),
        ("gracias!", {"thanks"}),
        ("muchas grax", {"thanks"}),
        ("adiós", {"bye"}),
        ("que tengas buen día", {"bye"}),
        ("cita para una persona", {"book"}),
        ("dónde están?", {"location"}),
        ("dirección", {"location"}),
        ("me pasas la ubicación porfa", {"location"}),
        ("dnd estan ubicados?", {"location"}),
        ("como llego?", {"location"}),
    ],
)
def test_detect_intents(text: str, expected: set[str]) -> None:
    assert detect_intents(text) == expected


@pytest.mark.parametrize(
    "text",
    ["si", "sí", "Siii", "claro", "va", "sale", "ok", "okey", "oki", "perfecto", "dale",
     "esta bien", "está bien", "correcto", "confirmo", "de acuerdo", "simón", "creo que sí",
     "sale pues", "Sí, ¿a qué hora?", "Va, a las 4", "no hay problema", "sí quiero", "porfa si"],
)  # fmt: skip
def test_affirm(text: str) -> None:
    intents = detect_intents(text)
    assert "affirm" in intents
    assert "deny" not in intents


@pytest.mark.parametrize(
    "text",
    ["no", "No.", "nel", "nop", "mejor no", "no gracias", "claro que no", "no está bien",
     "no, está bien", "ninguna me queda", "no puedo a esa hora", "noo"],
)  # fmt: skip
def test_deny(text: str) -> None:
    intents = detect_intents(text)
    assert "deny" in intents
    assert "affirm" not in intents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, mejor el sabado", {"deny"}),
        ("si perfecto gracias", {"affirm", "thanks"}),
        ("Sí, perfecto, muchas gracias 🙏", {"affirm", "thanks"}),
        ("no gracias", {"deny", "thanks"}),
        ("ok gracias", {"affirm", "thanks"}),
        ("bye gracias", {"bye", "thanks"}),
        ("si, quiero cambiar mi cita", {"affirm", "reschedule"}),
        ("tengo cita mañana pero quiero cancelarla", {"cancel"}),
        # Slippery words that are not answers.
        ("si hay lugar el sabado?", {"book"}),
        ("¿no tienen lugar el sábado?", {"book"}),
        ("como va?", set()),
        ("va a estar abierto el domingo?", {"hours"}),
        ("qué tal el sábado?", set()),
        ("no sé", set()),
        ("", set()),
        ("👍", set()),
    ],
)
def test_overlaps_and_negation(text: str, expected: set[str]) -> None:
    assert detect_intents(text) == expected


def test_all_detected_intents_are_declared() -> None:
    samples = ["hola quiero agendar", "cancelar", "cuanto cuesta", "horario", "gracias adios",
               "si", "no", "hablar con alguien", "que servicios", "mi cita", "cambiar"]  # fmt: skip
    for sample in samples:
        assert detect_intents(sample) <= INTENTS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Juan Pérez", "Juan Pérez"),
        ("juan pérez", "Juan Pérez"),
        ("ANA LOPEZ", "Ana Lopez"),
        ("me llamo Ana", "Ana"),
        ("Me llamo ana", "Ana"),
        ("soy Luis Ramírez", "Luis Ramírez"),
        ("a nombre de Pedro", "Pedro"),
        ("Mi nombre es Ana Sofía", "Ana Sofía"),
        ("María de la Luz Hernández", "María de la Luz Hernández"),
        ("hola, soy ana lópez, quiero una cita", "Ana López"),
        ("me llamo josé y quiero un corte", "José"),
        ("Hola, Ana López", "Ana López"),
        ("Ana López, gracias", "Ana López"),
        ("Ana porfa", "Ana"),
        ("Pedro 😊", "Pedro"),
        ("Jean-Luc", "Jean-Luc"),
        ("McArthur Smith", "McArthur Smith"),
    ],
)
def test_extract_name(text: str, expected: str) -> None:
    assert extract_name(text) == expected


@pytest.mark.parametrize(
    "text",
    ["si", "Sí", "gracias", "ok", "mañana", "el viernes", "quiero una cita", "Juan 123",
     "5512345678", "uno dos tres cuatro cinco seis", "soy nuevo", "soy yo", "", "🙂",
     "a las 4", "corte de cabello", "ana quiero cita"],
)  # fmt: skip
def test_extract_name_rejects(text: str) -> None:
    assert extract_name(text) is None

"""Business facts the offline engine answers from the organization's settings when they are set
(payment methods, parking, what the business calls tarde/noche), and never invents otherwise.

The settings aggregate does not take these keys yet, so the organization read model is shown to
the agent with them added (the read side is what the engine reads; nothing here is our code
patched): ``WithSettings`` wraps the real ReadStore and overlays ``settings``.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from agent.service import CustomerAgent
from dialogue_harness import NEW


class WithSettings:
    def __init__(self, reads, **settings) -> None:
        self._reads = reads
        self._settings = settings

    def get_organization(self, organization_id):
        row = self._reads.get_organization(organization_id)
        return None if row is None else {**row, "settings": {**(row.get("settings") or {}), **self._settings}}

    def __getattr__(self, name):
        return getattr(self._reads, name)


def chat_with(world, **settings):
    agent = CustomerAgent(
        app=world.app, reads=WithSettings(world.reads, **settings), availability=world.availability,
        wait_for=world.wait_for, clock=world.clock,
    )
    return world.chat(NEW, agent=agent)


def bullets(reply: str) -> list[str]:
    return [line[2:] for line in reply.splitlines() if line.startswith("• ")]


def test_payment_methods_come_from_the_settings(world):
    chat = chat_with(world, payment_methods=["efectivo", "tarjeta", "transferencia"])
    reply = chat.say("aceptan tarjeta?")
    assert "Aceptamos efectivo, tarjeta y transferencia." in reply
    assert "le pregunto" not in reply and chat.state["offline"].get("offer_handoff") is None


def test_parking_comes_from_the_settings(world):
    reply = chat_with(world, parking="hay estacionamiento gratis frente al local").say("tienen estacionamiento?")
    assert "hay estacionamiento gratis frente al local" in reply


def test_without_the_fact_the_owner_is_asked_not_invented(world):
    chat = world.chat(NEW)
    reply = chat.say("tienen estacionamiento?")
    assert "le pregunto a Carlos" in reply and "¿Quieres que le pase tu pregunta?" in reply
    assert chat.last.handoff_reason is None
    chat.say("sí")
    assert chat.last.handoff_reason and "estacionamiento" in chat.last.handoff_reason


def test_payment_question_inside_a_booking_keeps_the_booking(world):
    chat = chat_with(world, payment_methods="solo efectivo")
    chat.say("quiero un corte")
    reply = chat.say("se puede pagar con tarjeta?")
    assert "Formas de pago: solo efectivo." in reply and "¿Para qué día" in reply
    assert chat.state["offline"]["flow"] == "booking"


@pytest.mark.parametrize(
    "text,lo,hi",
    [("corte mañana en la tarde", 13 * 60, 17 * 60), ("corte mañana en la noche", 17 * 60, 20 * 60)],
)
def test_tarde_and_noche_follow_what_the_business_calls_them(world, text, lo, hi):
    chat = chat_with(world, day_parts={"afternoon": ["13:00", "17:00"], "evening": ["17:00", "20:00"]})
    offered = bullets(chat.say(text))
    assert offered
    for label in offered:
        moment = datetime.strptime(label, "%I:%M %p")
        assert lo <= moment.hour * 60 + moment.minute < hi, offered


def test_noche_by_default_is_within_opening_hours(world):
    offered = bullets(world.chat(NEW).say("corte mañana en la noche"))
    assert offered and all(label.startswith("7:") and label.endswith("PM") for label in offered)

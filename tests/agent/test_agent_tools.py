"""CustomerTools: scoped by construction, real slots only, idempotent per inbound message."""

from __future__ import annotations

import inspect
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agent.service import AgentTurn
from agent.tools import CustomerTools, ToolError, spread
from commands import Actor
from commands.definitions import AddCustomer

MX = ZoneInfo("America/Mexico_City")
JUAN = "+525599990001"


def test_no_tool_takes_a_customer_id_or_phone():
    for name in ("list_services", "check_availability", "book", "list_my_appointments", "cancel", "reschedule", "handoff"):
        params = set(inspect.signature(getattr(CustomerTools, name)).parameters)
        assert not {p for p in params if "phone" in p or p in ("customer", "customer_id")}, name


def tools_for(world, phone: str = JUAN, message_id: str = "SM1") -> CustomerTools:
    turn = AgentTurn(world.org_id, phone, "", message_id, None, {}, [], world.clock())
    return world.agent.tools_for(turn)


def test_commands_are_issued_as_the_customer_with_the_message_as_cause(world):
    tools = tools_for(world, message_id="SMcause123")
    info = tools.book(world.service_id("Corte de cabello"), datetime(2026, 1, 15, 16, 0, tzinfo=MX), customer_name="juan pérez")
    history = world.reads.get_appointment_history(world.org_id, info["appointment_id"])
    assert history and all(h["actor"] == f"customer:{JUAN}" and h["cause"] == "SMcause123" for h in history)
    assert world.customer(JUAN)["name"] == "Juan Pérez"


def test_the_same_message_processed_twice_books_once(world):
    start = datetime(2026, 1, 15, 16, 0, tzinfo=MX)
    first = tools_for(world, message_id="SMretry").book(world.service_id("Corte de cabello"), start)
    again = tools_for(world, message_id="SMretry").book(world.service_id("Corte de cabello"), start)
    assert first["appointment_id"] == again["appointment_id"]
    assert len(world.appointments(JUAN)) == 1


def test_a_start_that_is_not_a_real_slot_is_refused(world):
    tools = tools_for(world)
    with pytest.raises(ToolError, match="no está disponible"):
        tools.book(world.service_id("Corte de cabello"), datetime(2026, 1, 15, 16, 10, tzinfo=MX))
    with pytest.raises(ToolError, match="no está disponible"):
        tools.book(world.service_id("Corte de cabello"), datetime(2026, 1, 18, 12, 0, tzinfo=MX))  # Sunday
    assert world.appointments() == []


def test_check_availability_returns_real_spread_slots(world):
    result = tools_for(world).check_availability(world.service_id("Corte de cabello"), date(2026, 1, 15), limit=5)
    assert result["service"]["price"] == "$150"
    assert len(result["slots"]) == 5 and result["total_free_slots"] > 5
    assert result["slots"][0]["time"] == "10:00 AM" and result["slots"][0]["day"] == "jueves 15 de enero"


def test_spread_keeps_ends():
    assert spread(list(range(10)), 3) == [0, 4, 9] or spread(list(range(10)), 3) == [0, 5, 9]
    assert spread([1, 2], 5) == [1, 2]


def test_unverified_name_is_confirmed_not_asked(world):
    # The owner registered the customer with a name the customer never confirmed.
    world.app.execute(AddCustomer(actor=Actor.admin(), cause="t", organization_id=world.org_id, phone_number=JUAN, name="Juanito"))
    world.catch_up()
    chat = world.chat(JUAN)
    ask = chat.say("corte mañana a las 10")
    assert "¿La cita queda a nombre de Juanito?" in ask
    done = chat.say("sí")
    assert done.startswith("¡Perfecto, Juanito!")
    assert world.customer(JUAN)["name_verified_at"] is not None


def test_profile_name_is_used_when_the_customer_says_yes(world):
    chat = world.chat(JUAN, profile_name="Pepe Toño")
    chat.say("corte mañana a las 10")
    done = chat.say("sí")
    assert done.startswith("¡Perfecto, Pepe!")


def test_greeting_and_request_in_one_message(world):
    reply = world.chat(JUAN).say("Hola! quiero un corte")
    assert reply.startswith("¡Hola! Claro. ¿Para qué día")


def test_asking_about_free_hours_is_not_a_service_question(world):
    chat = world.chat(JUAN)
    reply = chat.say("tienen unas horas libres mañana?")
    assert chat.last.handoff_reason is None
    assert "servicio" in reply.lower()


def test_a_service_only_a_viewer_has_is_not_offered_by_anyone(world):
    # given a new service assigned only to a read-only (viewer) member of the team
    from commands.definitions import AddService, AddStaff

    owner = Actor.admin("test")
    service = world.app.execute(
        AddService(actor=owner, cause="t", organization_id=world.org_id, name="Tinte", duration_minutes=90, price_cents=45000)
    ).id
    added = world.app.execute(
        AddStaff(actor=owner, cause="t", organization_id=world.org_id, name="Tere", phone_number="+525577770000",
                 permission_level="viewer", service_ids=[service])
    )
    world.wait_for(added.position)
    # when the customer's tools ask who performs it, then nobody does (viewers never take appointments)
    assert tools_for(world).service_offered_by_anyone(service) is False
    assert tools_for(world).service_offered_by_anyone(world.service_id("Corte de cabello")) is True

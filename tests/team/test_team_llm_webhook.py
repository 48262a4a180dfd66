"""Team mode on the LLM path end to end: the signed webhook, real Postgres and projections, the real
twilio library against the fake Twilio, and the REAL openai client against the scripted server.

The container's own wiring is used: ``container.team_agent`` is built from ``container.llm`` (the
customer agent's engine, here pointed at the fake OpenAI server)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from fakes.fake_openai import FakeOpenAI, last_tool_result, system_prompt
from infra.llm_client import build_llm_engine
from infra.settings import Settings
from test_team_webhook import ANA, MARIA, NAIL_NUMBER, OWNER, ROBERTO, STAFF, _nail_salon, at, book, move_clock, onboarded, say


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
def llm_stack(team_stack, fake):
    settings = Settings(_env_file=None, PARLO_ENV="test", OPENAI_API_KEY="test-key", OPENAI_BASE_URL=fake.base_url,
                        PARLO_LLM_MODEL="fake-model", PARLO_LLM_TIMEOUT_SECONDS=5.0)
    team_stack.container.__dict__["llm"] = build_llm_engine(settings)  # the composition root's LLM, aimed at the fake server
    return team_stack


def confirm(request: dict) -> dict:
    """The model's confirm_change call for the one change waiting in its prompt."""
    line = next(l for l in system_prompt(request).splitlines() if l.strip().startswith("- id p-"))
    return {"proposal_id": line.split("id ")[1].split(" ")[0]}


def test_example_4_on_the_llm_path_through_the_webhook(llm_stack, fake) -> None:
    stack, demo = llm_stack, llm_stack.demo
    org, miguel = demo.organization_id, demo.staff_ids["Miguel Sánchez"]
    reads = stack.container.reads
    move_clock(stack, 8)
    onboarded(stack, org, miguel)
    book(stack, org, demo.service_ids["Corte de cabello"], miguel, 15, 0, "+525500000004", "Roberto García")
    stack.settle()
    move_clock(stack, 13, 10)

    fake.tool_calls(("get_my_schedule", {}))
    fake.reply(lambda r: "Hola Miguel, hoy tienes:\n⏰ 3:00 PM - Corte de cabello - Roberto García\n⏰ 4:00 PM - Disponible"
               if "Roberto García" in str(last_tool_result(r)) else "sin datos")
    assert "Roberto García" in say(stack, "Qué tengo hoy?", STAFF)
    assert "Miguel Sánchez, que es empleado" in system_prompt(fake.requests[0])

    fake.tool_calls(("block_time", {"start": "2026-01-16T16:00:00", "end": "2026-01-16T17:00:00", "reason": "salir temprano"}))
    fake.reply("¿Bloqueo tu agenda hoy de 4:00 PM a 5:00 PM?")
    assert "4:00 PM" in say(stack, "Bloquea las 4, tengo que salir temprano", STAFF)
    assert reads.list_blocks(org, staff_id=miguel) == []  # nothing before the «sí»

    fake.tool_calls(("confirm_change", confirm))
    fake.reply("Listo, bloqueé las 4:00 PM ✓")
    assert say(stack, "Si", STAFF) == "Listo, bloqueé las 4:00 PM ✓"
    stack.settle()
    blocks = reads.list_blocks(org, staff_id=miguel)
    assert [(b["start"], b["end"], b["reason"]) for b in blocks] == [(at(16), at(17), "salir temprano")]
    assert fake.unexpected == 0 and fake.errors == []


def test_example_5_walk_in_on_the_llm_path(llm_stack, fake) -> None:
    stack = llm_stack
    move_clock(stack, 11, 31)
    org, services, maria = _nail_salon(stack)
    reads = stack.container.reads
    fake.tool_calls(("list_services", {}))
    fake.reply("¿Qué servicio quiere? Tenemos:\n• Manicure - $200 (45 min)\n• Pedicure - $250 (1 hr)\n• Mani + Pedi - $400 (1.5 hr)")
    assert "Mani + Pedi" in say(stack, "Acaba de llegar alguien para uñas", MARIA, to=NAIL_NUMBER)
    assert "Uñas Bonitas" in system_prompt(fake.requests[-1])  # scoped to the business she wrote to
    fake.reply("Perfecto. ¿Tienes el teléfono de la clienta para registrarla?")
    say(stack, "Mani pedi", MARIA, to=NAIL_NUMBER)
    fake.reply("Registrado. ¿Nombre?")
    say(stack, "55 9876 5432", MARIA, to=NAIL_NUMBER)
    fake.tool_calls(("book_walk_in", {"service_id": str(services["Mani + Pedi"]), "customer_phone": "55 9876 5432", "customer_name": "Ana"}))
    fake.reply(lambda r: last_tool_result(r)["summary"] + " ¿Lo hago?")
    shown = say(stack, "Ana", MARIA, to=NAIL_NUMBER)
    assert shown == "Registro a Ana (55 9876 5432) para Mani + Pedi ahora a las 11:30 AM contigo. ¿Lo hago?"
    assert reads.list_appointments(org) == []
    fake.tool_calls(("confirm_change", confirm))
    fake.reply("Listo ✓ Registré a Ana (55 9876 5432) para Mani + Pedi ahora a las 11:30 AM contigo.")
    say(stack, "👍", MARIA, to=NAIL_NUMBER)
    stack.settle()
    (appointment,) = reads.list_appointments(org)
    assert appointment["source"] == "walk_in" and appointment["staff_id"] == maria and appointment["scheduled_start"] == at(11, 30)
    assert reads.get_customer_by_phone(org, ANA)["name"] == "Ana"
    assert len(stack.replies_to(ANA)) == 1  # her WhatsApp confirmation


def test_example_6_no_show_and_message_on_the_llm_path(llm_stack, fake) -> None:
    stack, demo = llm_stack, llm_stack.demo
    org, carlos = demo.organization_id, demo.staff_ids["Carlos Mendoza"]
    move_clock(stack, 9)
    appointment_id = book(stack, org, demo.service_ids["Corte de cabello"], carlos, 15, 0, ROBERTO, "Roberto García")
    stack.settle()
    move_clock(stack, 15, 25)
    reads = stack.container.reads
    fake.tool_calls(("get_my_schedule", {}))
    fake.tool_calls(("mark_appointment_status", {"appointment_id": str(appointment_id), "status": "no_show"}))
    fake.reply("¿Te refieres a la cita de Roberto García a las 3:00 PM (Corte de cabello)?")
    say(stack, "El de las 3 no llegó", OWNER)
    assert reads.get_appointment(org, appointment_id)["status"] == "confirmed"
    fake.tool_calls(("confirm_change", confirm))
    fake.reply("Marqué la cita como no-show ✓ ¿Quieres que le envíe un mensaje a Roberto?")
    say(stack, "Si", OWNER)
    assert reads.get_appointment(org, appointment_id)["status"] == "no_show"
    assert reads.get_appointment_history(org, appointment_id)[-1]["actor"] == f"owner:{carlos}"
    text = "Hola Roberto, notamos que no pudiste llegar a tu cita de hoy. Esperamos que esté bien; avísanos para reagendar."
    fake.tool_calls(("send_message_to_customer", {"customer_phone": ROBERTO, "message": text}))
    fake.reply(lambda r: last_tool_result(r)["summary"] + " ¿Se lo envío?")
    say(stack, "Si, dile que esperamos que esté bien y que nos avise para reagendar", OWNER)
    assert stack.container.conversation_reads.list_outbound_to(org, ROBERTO) == []
    fake.tool_calls(("confirm_change", confirm))
    fake.reply("Enviado ✓")
    assert say(stack, "sí", OWNER) == "Enviado ✓"
    stack.settle()
    outbound = [m["content"] for m in stack.container.conversation_reads.list_outbound_to(org, ROBERTO)]
    assert outbound == [f"{text} - Barbería Don Carlos"] and len(stack.replies_to(ROBERTO)) == 1


def test_example_7_owner_adds_staff_on_the_llm_path(llm_stack, fake) -> None:
    stack, demo = llm_stack, llm_stack.demo
    org = demo.organization_id
    reads = stack.container.reads
    new = "+525511112222"
    fake.reply("¡Claro! Necesito algunos datos:\n1. ¿Cómo se llama?")
    say(stack, "Quiero agregar un nuevo empleado", OWNER)
    fake.reply("2. ¿Cuál es su número de WhatsApp?")
    say(stack, "Pedro Hernández", OWNER)
    fake.reply("3. ¿Qué servicios va a ofrecer Pedro?\n• Corte de cabello\n• Arreglo de barba\n• Corte y barba")
    say(stack, "55 1111 2222", OWNER)
    fake.tool_calls(("add_staff", {"name": "Pedro Hernández", "phone_number": "55 1111 2222"}))
    fake.reply(lambda r: last_tool_result(r)["summary"] + " ¿Lo hago?")
    assert "Agrego a Pedro Hernández (55 1111 2222) como empleado, con todos los servicios." in say(stack, "Todos", OWNER)
    assert reads.get_staff_by_phone(org, new) is None
    fake.tool_calls(("confirm_change", confirm))
    fake.tool_calls(("send_welcome", lambda r: {"staff_id": json.loads(r["messages"][-1]["content"])["staff_id"]}))
    fake.reply("Perfecto. Agregué a Pedro Hernández (55 1111 2222) como empleado ✓ ¿Quieres que le mande un mensaje de bienvenida?")
    say(stack, "Si", OWNER)
    stack.settle()
    row = reads.get_staff_by_phone(org, new)
    assert row is not None and row["permission_level"] == "staff" and len(row["service_ids"]) == 3
    fake.tool_calls(("confirm_change", confirm))
    fake.reply("Enviado ✓")
    assert say(stack, "Si", OWNER) == "Enviado ✓"
    stack.settle()
    welcome = [m["content"] for m in stack.container.conversation_reads.list_outbound_to(org, new)]
    assert len(welcome) == 1 and welcome[0].startswith("¡Hola, Pedro! 👋 Soy Parlo, la asistente de Barbería Don Carlos.")
    assert fake.unexpected == 0 and fake.errors == []

"""Team mode on the LLM path: the REAL openai client against the scripted server on 127.0.0.1.

Example conversations 4-7 of the spec, with the read models checked after each change; every
change is proposed in one turn (summary shown) and done only by confirm_change in a later turn,
after the person's yes. Refusals (a viewer, a staff member's owner-only request) come back as
Spanish tool results and change nothing. API failures fall back to the offline team engine.

Clock: Wed 14 Jan 2026 12:00 Mexico City (tests/conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from agent.llm.team_engine import CONFIRM_TOOL, TeamLLMEngine, team_openai_tools
from agent.team.service import TeamAgent
from agent.team.specs import TOOLS
from fakes.fake_openai import FakeOpenAI, last_tool_result, system_prompt, tool_results
from infra.llm_client import build_llm_engine
from infra.settings import Settings
from team_support import TeamWorld

ROBERTO, RAUL = "+525500000004", "+525500000009"
NEW_PHONE = "+525598765432"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
def lworld(tmp_path, clock, fake) -> Iterator[TeamWorld]:
    settings = Settings(_env_file=None, PARLO_ENV="test", OPENAI_API_KEY="test-key", OPENAI_BASE_URL=fake.base_url,
                        PARLO_LLM_MODEL="fake-model", PARLO_LLM_TIMEOUT_SECONDS=5.0)
    w = TeamWorld(tmp_path, clock)
    # The container's wiring: the customer agent's engine (its real openai client) is reused.
    w.agent = TeamAgent(app=w.app, reads=w.reads, wait_for=w.wait_for, clock=clock, llm=build_llm_engine(settings))
    yield w
    w.close()


def proposal_from(request: dict) -> str:
    """The proposal_id a change tool returned earlier in the same request."""
    return next(r["proposal_id"] for r in reversed(tool_results(request)) if r.get("ok") and "proposal_id" in r)


def pending_id(request: dict) -> str:
    prompt = system_prompt(request)
    ids = [line.split("id ")[1].split(" ")[0] for line in prompt.splitlines() if line.strip().startswith("- id p-")]
    assert len(ids) == 1, prompt
    return ids[0]


def test_the_tools_are_generated_from_the_team_argument_models(lworld, fake):
    fake.reply("¡Hola, Miguel! ¿En qué te ayudo?")
    lworld.chat("staff").say("hola")
    sent = fake.requests[0]["tools"]
    assert sent == team_openai_tools()
    names = [t["function"]["name"] for t in sent]
    assert names == [*TOOLS, CONFIRM_TOOL]
    for tool in sent[:-1]:
        assert tool["function"]["parameters"] == TOOLS[tool["function"]["name"]].args.model_json_schema()
    prompt = system_prompt(fake.requests[0])
    assert "Estás hablando con Miguel Sánchez, que es empleado" in prompt and "NO puede" in prompt and "ver estadísticas" in prompt


def test_example_4_schedule_then_block_proposed_refused_same_turn_and_confirmed_next(lworld, fake, clock):
    w = lworld
    for hour, name, phone in ((15, "Roberto García", ROBERTO), (17, "Raúl Soto", RAUL)):
        w.book(staff="Miguel", service="Corte de cabello", day=0, hour=hour, phone=phone, name=name)
    chat = w.chat("staff")

    fake.tool_calls(("get_my_schedule", {}))
    fake.reply(lambda r: "Hola Miguel, aquí está tu agenda para hoy miércoles:\n⏰ 3:00 PM - Corte - Roberto García\n⏰ 4:00 PM - Disponible\n"
               "⏰ 5:00 PM - Corte - Raúl Soto" if "Roberto García" in json.dumps(last_tool_result(r), ensure_ascii=False) else "sin datos")
    assert "Roberto García" in chat.say("Qué tengo hoy?")

    before = w.snapshot()
    fake.tool_calls(("block_time", {"start": "2026-01-14T16:00:00", "end": "2026-01-14T17:00:00", "reason": "salir temprano"}))
    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": proposal_from(r)}))  # the model tries to do it right away
    fake.reply("¿Bloqueo tu agenda hoy de 4:00 PM a 5:00 PM? ¿Lo hago?")
    reply = chat.say("Bloquea las 4, tengo que salir temprano")
    refused = last_tool_result(fake.requests[-1])
    assert refused["ok"] is False and "primero muéstraselo" in refused["error"]
    assert "4:00 PM" in reply and w.snapshot() == before  # nothing blocked yet

    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": pending_id(r)}))
    fake.reply("Listo, bloqueé las 4:00 PM ✓ ¿Quieres que también bloquee de 5 en adelante?")
    assert "bloqueé" in chat.say("sí")
    assert last_tool_result(fake.requests[-1])["ok"] is True
    blocks = [b for b in w.blocks("Miguel")]
    assert [(b["start"], b["end"], b["reason"]) for b in blocks] == [(w.local(0, 16), w.local(0, 17), "salir temprano")]

    after_block = w.snapshot()
    fake.reply("Perfecto, solo las 4:00 PM bloqueadas. ¿Algo más?")
    assert "solo las 4:00 PM" in chat.say("No solo las 4")
    assert w.snapshot() == after_block and fake.unexpected == 0


def test_example_5_walk_in_registered_after_the_yes(lworld, fake):
    w = lworld
    chat = w.chat("staff")
    combo = str(w.service("Corte y barba"))
    fake.tool_calls(("list_services", {}))
    fake.reply("¿Qué servicio quiere? Tenemos:\n• Corte de cabello - $150\n• Arreglo de barba - $100\n• Corte y barba - $220")
    chat.say("Acaba de llegar alguien para corte")
    fake.reply("Perfecto. ¿Tienes el teléfono del cliente para registrarlo?")
    chat.say("corte y barba")
    fake.reply("Registrado. ¿Nombre?")
    chat.say("55 9876 5432")
    before = w.snapshot()
    fake.tool_calls(("book_walk_in", {"service_id": combo, "customer_phone": "55 9876 5432", "customer_name": "Ana"}))
    fake.reply(lambda r: last_tool_result(r)["summary"] + " ¿Lo hago?")
    summary = chat.say("Ana")
    assert "Registro a Ana (55 9876 5432) para Corte y barba ahora a las 12:00 PM contigo." in summary
    assert w.snapshot() == before
    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": pending_id(r)}))
    fake.reply("Listo ✓ Registré a Ana (55 9876 5432) para Corte y barba ahora a las 12:00 PM contigo.")
    chat.say("👍")
    new = [a for a in w.appointments() if a["customer_phone"] == NEW_PHONE]
    assert len(new) == 1 and new[0]["source"] == "walk_in" and new[0]["customer_name"] == "Ana"
    assert new[0]["service_name"] == "Corte y barba" and str(new[0]["staff_id"]) == str(w.sid("Miguel"))
    assert new[0]["scheduled_start"] == w.local(0, 12)


def test_example_6_no_show_then_message_each_confirmed(lworld, fake, clock):
    w = lworld
    appointment = w.book(staff="Carlos", service="Corte de cabello", day=0, hour=15, phone=ROBERTO, name="Roberto García")
    clock.set(w.local(0, 15, 40))
    chat = w.chat("owner")
    fake.tool_calls(("get_my_schedule", {}))
    fake.tool_calls(("mark_appointment_status", {"appointment_id": str(appointment), "status": "no_show"}))
    fake.reply("¿Te refieres a la cita de Roberto García a las 3:00 PM (Corte de cabello)? La marco como no-show.")
    chat.say("El de las 3 no llegó")
    assert w.appointments()[0]["status"] == "confirmed"
    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": pending_id(r)}))
    fake.reply("Marqué la cita como no-show ✓ ¿Quieres que le envíe un mensaje a Roberto?")
    chat.say("Si")
    assert w.appointments()[0]["status"] == "no_show"
    text = "Hola Roberto, notamos que no pudiste llegar a tu cita de hoy. Esperamos que todo esté bien. Cuando gustes, escríbenos para reagendar."
    fake.tool_calls(("send_message_to_customer", {"customer_phone": ROBERTO, "message": text}))
    fake.reply(lambda r: last_tool_result(r)["summary"] + " ¿Se lo envío?")
    shown = chat.say("Si, dile que esperamos que esté bien y que nos avise para reagendar")
    assert f"«{text} - Barbería Don Carlos»" in shown
    assert all("notamos" not in m["text"] for m in w.outbound(ROBERTO))  # shown, not sent
    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": pending_id(r)}))
    fake.reply("Enviado ✓")
    assert chat.say("sí") == "Enviado ✓"
    sent = [m["text"] for m in w.outbound(ROBERTO) if "notamos" in m["text"]]
    assert sent == [f"{text} - Barbería Don Carlos"]


def test_example_7_owner_adds_staff_and_sends_the_welcome(lworld, fake):
    w = lworld
    chat = w.chat("owner")
    fake.reply("¡Claro! Necesito algunos datos:\n1. ¿Cómo se llama?")
    chat.say("Quiero agregar un nuevo empleado")
    fake.reply("2. ¿Cuál es su número de WhatsApp?")
    chat.say("Pedro Hernández")
    fake.tool_calls(("list_services", {}))
    fake.reply("3. ¿Qué servicios va a ofrecer Pedro?\n• Corte de cabello\n• Arreglo de barba\n• Corte y barba")
    chat.say("55 1111 2222")
    fake.tool_calls(("add_staff", {"name": "Pedro Hernández", "phone_number": "55 1111 2222"}))
    fake.reply(lambda r: last_tool_result(r)["summary"])
    assert "Agrego a Pedro Hernández (55 1111 2222) como empleado, con todos los servicios." in chat.say("Todos")
    assert w.reads.get_staff_by_phone(w.org_id, "+525511112222") is None

    def welcome(request: dict) -> dict:
        return {"staff_id": json.loads(request["messages"][-1]["content"])["staff_id"]}

    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": pending_id(r)}))
    fake.tool_calls(("send_welcome", welcome))
    fake.reply("Perfecto. Agregué a Pedro Hernández (55 1111 2222) como empleado ✓ ¿Quieres que le mande un mensaje de bienvenida?")
    chat.say("Si")
    row = w.reads.get_staff_by_phone(w.org_id, "+525511112222")
    assert row is not None and row["permission_level"] == "staff" and len(row["service_ids"]) == 3
    assert w.outbound("+525511112222") == []
    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": pending_id(r)}))
    fake.reply("Enviado ✓")
    chat.say("Si")
    welcome_sent = w.outbound("+525511112222")
    assert len(welcome_sent) == 1 and "¡Hola, Pedro!" in welcome_sent[0]["text"]


def test_a_viewer_is_refused_in_spanish_and_nothing_changes(lworld, fake):
    w = lworld
    before = w.snapshot()
    chat = w.chat("viewer")
    fake.tool_calls(("block_time", {"start": "2026-01-15T14:00:00", "end": "2026-01-15T16:00:00"}))
    fake.reply(lambda r: last_tool_result(r)["error"])
    reply = chat.say("bloquea mañana de 2 a 4")
    assert "solo consulta" in reply
    assert (w.agent.llm and chat.state["team_llm"]["proposals"]["items"] == [])
    fake.tool_calls((CONFIRM_TOOL, {"proposal_id": "p-00000000"}))
    fake.reply("No tengo ningún cambio pendiente.")
    chat.say("sí")
    assert last_tool_result(fake.requests[-1])["ok"] is False
    assert w.snapshot() == before


def test_staff_asking_an_owner_only_change_gets_the_matrix_refusal(lworld, fake):
    w = lworld
    before = w.snapshot()
    fake.tool_calls(("change_permissions", {"staff_id": str(w.sid("Vero")), "permission_level": "admin"}))
    fake.reply(lambda r: last_tool_result(r)["error"])
    assert w.chat("staff").say("haz admin a Vero") == "Eso solo lo puede cambiar Carlos, el dueño."
    assert w.snapshot() == before


def test_a_yes_that_changes_the_request_does_not_confirm(lworld, fake):
    w = lworld
    chat = w.chat("staff")
    fake.tool_calls(("block_time", {"start": "2026-01-15T14:00:00", "end": "2026-01-15T16:00:00"}))
    fake.reply("¿Bloqueo tu agenda mañana jueves de 2:00 PM a 4:00 PM?")
    chat.say("bloquea mañana de 2 a 4")
    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": pending_id(r)}))
    fake.reply("Va, ¿de qué hora a qué hora entonces?")
    chat.say("sí pero mejor de 3 a 5")
    assert last_tool_result(fake.requests[-1])["ok"] is False
    assert w.blocks("Miguel") == []


def test_owner_removes_staff_cancelling_their_appointments_on_the_llm_path(lworld, fake):
    w = lworld
    appointment = w.book(staff="Miguel", service="Corte de cabello", day=1, hour=11, phone=RAUL, name="Raúl Soto")
    chat = w.chat("owner")
    miguel = str(w.sid("Miguel"))
    fake.tool_calls(("remove_staff", {"staff_id": miguel}))  # without deciding about the appointments: told to ask
    fake.reply("Miguel tiene 1 cita próxima: jueves 15 de enero, 11:00 AM - Raúl Soto. ¿Se queda o la cancelo avisándole?")
    chat.say("da de baja a Miguel")
    assert "Raúl Soto" in last_tool_result(fake.requests[-1])["error"]
    fake.tool_calls(("remove_staff", {"staff_id": miguel, "future_appointments": "cancel"}))
    fake.reply(lambda r: last_tool_result(r)["summary"] + " ¿Lo hago?")
    assert "Doy de baja a Miguel Sánchez: ya no podrá escribirme ni recibir citas nuevas. Cancelo su cita próxima y le aviso al cliente." in chat.say("cancélala y avísale")
    assert w.reads.get_staff(w.org_id, w.sid("Miguel"))["is_active"]
    fake.tool_calls((CONFIRM_TOOL, lambda r: {"proposal_id": pending_id(r)}))
    fake.reply("Listo ✓ Di de baja a Miguel Sánchez y le avisé a Raúl.")
    chat.say("sí")
    assert not w.reads.get_staff(w.org_id, w.sid("Miguel"))["is_active"]
    assert next(a for a in w.appointments() if a["id"] == appointment)["status"] == "cancelled"
    notices = [m["text"] for m in w.outbound(RAUL)]
    assert len(notices) == 1 and "tu cita de Corte de cabello del jueves 15 de enero" in notices[0] and "quedó cancelada" in notices[0]


def test_api_failure_falls_back_to_the_offline_team_engine(lworld, fake):
    w = lworld
    w.book(staff="Miguel", service="Corte de cabello", day=0, hour=15, phone=ROBERTO, name="Roberto García")
    fake.error(500).error(500)
    chat = w.chat("staff")
    outcome = w.agent.handle(organization_id=w.org_id, staff_id=chat.staff_id, text="qué tengo hoy", message_id="SM" + "f" * 32, state={})
    assert outcome.engine == "offline"
    assert "Roberto García" in "\n".join(outcome.replies)
    # While the API is down, the next turn goes straight to the offline engine (no request made).
    sent = len(fake.requests)
    outcome = w.agent.handle(organization_id=w.org_id, staff_id=chat.staff_id, text="bloquea mañana de 2 a 4", message_id="SM" + "e" * 32,
                             state=outcome.state)
    assert outcome.engine == "offline" and len(fake.requests) == sent and "¿" in outcome.replies[-1]


def test_without_a_key_the_team_agent_is_offline(tmp_path, clock):
    from infra.container import Container

    settings = Settings(_env_file=None, PARLO_DATABASE_URL=f"sqlite:///{tmp_path / 'nokey.db'}", PARLO_ENV="test")
    container = Container(settings, clock=clock)
    try:
        assert container.team_agent.llm is None
    finally:
        container.close()


def test_the_team_engine_reuses_the_customer_client():
    engine = build_llm_engine(Settings(_env_file=None, PARLO_ENV="test", OPENAI_API_KEY="k", OPENAI_BASE_URL="http://127.0.0.1:9/v1"))
    agent = TeamAgent(app=None, reads=None, wait_for=None, llm=engine)
    assert isinstance(agent.llm, TeamLLMEngine) and agent.llm.client is engine.client and agent.llm.model == engine.model

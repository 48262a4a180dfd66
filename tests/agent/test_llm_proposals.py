"""The LLM tool loop (REAL openai client, scripted server on 127.0.0.1) under the "no wrong booking" rule:
tools are generated from their pydantic models, and booking / moving / cancelling happen only
through a proposal shown in one turn and accepted in the next, exactly as proposed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agent.toolbox import TOOLS, openai_tools
from agent.toolbox.args import parameters_schema
from agent_support import AgentWorld
from fakes.fake_openai import FakeOpenAI, last_tool_result, system_prompt, tool_results
from infra.llm_client import build_llm_engine
from infra.settings import Settings

MX = ZoneInfo("America/Mexico_City")
JUAN = "+525599990001"
ANA = "+525599990003"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
def lworld(tmp_path, clock, fake) -> Iterator[AgentWorld]:
    settings = Settings(
        _env_file=None, PARLO_ENV="test", OPENAI_API_KEY="test-key", OPENAI_BASE_URL=fake.base_url,
        PARLO_LLM_MODEL="fake-model", PARLO_LLM_TIMEOUT_SECONDS=5.0,
    )
    w = AgentWorld(tmp_path, clock, llm=build_llm_engine(settings))
    yield w
    w.close()


def corte(world: AgentWorld) -> str:
    return str(world.service_id("Corte de cabello"))


def staff(world: AgentWorld, name: str) -> str:
    return str(world.demo.staff_ids[name])


def pending(request: dict, what: str = "agendar") -> str:
    ids = re.findall(rf"id (p-[0-9a-f]{{8}}) \({what}\)", system_prompt(request))
    assert len(ids) == 1, system_prompt(request)
    return ids[0]


def proposal_id(request: dict) -> str:
    """The id a propose_* call returned earlier in the same request."""
    return next(r["result"]["proposal_id"] for r in reversed(tool_results(request)) if r.get("ok") and "proposal_id" in r["result"])


# ---- (a) the schemas sent are the pydantic models' ------------------------------------------


def test_the_tools_payload_is_generated_from_the_argument_models(lworld, fake):
    fake.reply("¡Hola! ¿En qué te ayudo?")
    lworld.chat(JUAN).say("hola")
    sent = fake.requests[0]["tools"]
    assert sent == openai_tools()
    assert [t["function"]["name"] for t in sent] == [spec.name for spec in TOOLS]
    for tool, spec in zip(sent, TOOLS):
        params = tool["function"]["parameters"]
        assert params == parameters_schema(spec.args)
        fields = spec.args.model_fields
        assert list(params["properties"]) == list(fields)
        assert params["required"] == [name for name, f in fields.items() if f.is_required()]
        assert params["additionalProperties"] is False and params["type"] == "object"
        for name, f in fields.items():
            assert params["properties"][name]["description"] == f.description
            assert params["properties"][name]["type"] == "string"
        assert "strict" not in tool["function"]  # plain JSON Schema: any OpenAI-compatible server takes it
    booking = next(t for t in sent if t["function"]["name"] == "propose_booking")["function"]["parameters"]
    assert booking["properties"]["start"]["pattern"] == r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"
    assert booking["properties"]["service_id"]["format"] == "uuid"
    with pytest.raises(ImportError):
        __import__("agent.llm.schemas")  # the hand-written schemas are gone


# ---- (b) no booking in the turn the slot is first mentioned ---------------------------------


def test_a_model_cannot_book_in_the_turn_it_proposes(lworld, fake):
    fake.tool_calls(
        ("propose_booking", {"service_id": corte(lworld), "start": "2026-01-15T16:00", "customer_name": "Juan Pérez"}),
    )
    fake.tool_calls(
        ("confirm_proposal", lambda r: {"proposal_id": proposal_id(r)}),  # the id it just got
        ("confirm_proposal", {"proposal_id": "p-00000000"}),  # an invented id
        ("book", {"service_id": corte(lworld), "start": "2026-01-15T16:00"}),  # the old direct tool
    )
    fake.reply("¡Listo, ya quedó tu cita!")  # the model claims success anyway
    chat = lworld.chat(JUAN)
    reply = chat.say("agéndame un corte mañana a las 4, soy Juan Pérez")
    same_turn, invented, old = tool_results(fake.requests[-1])[1:]
    assert same_turn["ok"] is False and "acabas de hacer" in same_turn["error"]
    assert invented["ok"] is False and "No encontré esa propuesta" in invented["error"]
    assert old["ok"] is False and "propose_booking" in old["error"]
    assert lworld.appointments() == []
    # The customer is shown exactly what a "sí" would book.
    assert "Te propongo esta cita:\n📅 Jueves 15 de enero\n⏰ 4:00 PM\n💇 Corte de cabello - $150" in reply
    assert reply.endswith("¿Te la agendo a nombre de Juan Pérez?")
    (stored,) = chat.last.state["llm_proposals"]["items"]
    assert stored["kind"] == "book" and stored["start"] == "2026-01-15T22:00:00+00:00" and stored["staff_id"] is None


def test_a_proposal_lives_one_turn_and_needs_a_yes(lworld, fake):
    fake.tool_calls(("propose_booking", {"service_id": corte(lworld), "start": "2026-01-15T16:00", "customer_name": "Juan Pérez"}))
    fake.reply(lambda r: last_tool_result(r)["result"]["summary"])
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": pending(r)}))
    fake.reply("¿A qué hora te acomoda mejor?")
    fake.reply("Claro, dime.")
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": "p-" + "0" * 8}))
    fake.reply("Primero dime qué horario quieres.")
    chat = lworld.chat(JUAN)
    chat.say("corte mañana a las 4, soy Juan Pérez")
    chat.say("no, mejor a las 5")
    refused = last_tool_result(fake.requests[-1])
    assert refused["ok"] is False and "no aceptó" in refused["error"]
    # The turn after, the old proposal is gone: neither the prompt nor a late "sí" can use it.
    chat.say("espera")
    assert "Propuesta pendiente (se la mostraste al cliente en tu mensaje anterior)\n  - Ninguna" in system_prompt(fake.requests[-1])
    chat.say("sí")
    assert last_tool_result(fake.requests[-1])["ok"] is False
    assert lworld.appointments() == []


# ---- (c) proposal -> "sí" -> booked exactly as proposed -------------------------------------


def test_proposal_then_yes_books_exactly_the_proposed_service_time_and_staff(lworld, fake):
    miguel = staff(lworld, "Miguel Sánchez")
    fake.tool_calls(("check_availability", {"service_id": corte(lworld), "date_from": "2026-01-16"}))
    fake.reply(lambda r: "Con Miguel el viernes tengo: " + ", ".join(s["time"] for s in last_tool_result(r)["result"]["slots"][:3]))
    fake.tool_calls(("propose_booking", {"service_id": corte(lworld), "start": "2026-01-16T11:00", "customer_name": "Juan Pérez"}))
    fake.reply("¿Te agendo el corte de cabello el viernes a las 11:00 AM con Miguel, a nombre de Juan Pérez?")
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": pending(r)}))
    fake.reply(lambda r: last_tool_result(r)["result"]["confirmation"])
    chat = lworld.chat(JUAN)
    chat.say("quiero un corte el viernes con Miguel")
    note = last_tool_result(fake.requests[1])["result"]["note"]
    assert note == "Son los horarios de Miguel Sánchez, a quien pidió el cliente."  # his slots, though the model gave no staff_id
    offer = chat.say("a las 11")
    assert offer == "¿Te agendo el corte de cabello el viernes a las 11:00 AM con Miguel, a nombre de Juan Pérez?"  # shown: nothing appended
    proposed = chat.last.state["llm_proposals"]["items"][0]
    assert proposed["staff_id"] == miguel  # the customer's choice, filled in by the tool
    assert lworld.appointments() == []
    done = chat.say("Sí, perfecto")
    assert done.startswith("¡Perfecto, Juan! Tu cita está confirmada:\n📅 Viernes 16 de enero\n⏰ 11:00 AM\n💇 Corte de cabello - $150")
    assert "👤 Con Miguel Sánchez" in done
    (row,) = lworld.appointments(JUAN)
    assert str(row["service_type_id"] if "service_type_id" in row else row["service_id"]) == corte(lworld)
    assert row["scheduled_start"].astimezone(MX) == datetime(2026, 1, 16, 11, 0, tzinfo=MX)
    assert str(row["staff_id"]) == miguel
    assert chat.last.state["llm_proposals"] == {"items": []}  # used up


def test_someone_other_than_the_named_staff_only_when_the_proposal_says_so(lworld, fake):
    carlos, miguel = staff(lworld, "Carlos Mendoza"), staff(lworld, "Miguel Sánchez")
    fake.tool_calls(("propose_booking", {"service_id": corte(lworld), "start": "2026-01-16T12:00", "staff_id": carlos, "customer_name": "Juan"}))
    fake.reply("Te lo puedo agendar el viernes a las 12:00 PM.")  # the model glosses over the change of barber
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": pending(r)}))
    fake.reply("Entendido.")
    chat = lworld.chat(JUAN)
    offer = chat.say("corte el viernes a las 12 con Miguel, soy Juan")
    assert "👤 Con Carlos Mendoza\nOjo: sería con Carlos, no con Miguel." in offer
    chat.say("sí, pero con Miguel")
    assert last_tool_result(fake.requests[-1])["ok"] is False
    assert lworld.appointments() == []
    assert miguel != carlos


def test_yes_naming_another_staff_member_is_not_a_yes_to_this_proposal(lworld, fake):
    fake.tool_calls(("propose_booking", {"service_id": corte(lworld), "start": "2026-01-16T12:00", "customer_name": "Juan"}))
    fake.reply(lambda r: last_tool_result(r)["result"]["summary"])
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": pending(r)}))
    fake.reply("Va, lo ajusto.")
    chat = lworld.chat(JUAN)
    chat.say("corte el viernes a las 12, soy Juan")
    chat.say("sí, con Carlos")
    refused = last_tool_result(fake.requests[-1])
    assert refused["ok"] is False and "Carlos Mendoza" in refused["error"]
    assert lworld.appointments() == []


# ---- (d) invalid arguments: Spanish tool errors ---------------------------------------------


def test_invalid_arguments_get_spanish_errors_and_the_turn_goes_on(lworld, fake):
    fake.tool_calls(
        ("check_availability", {"service_id": corte(lworld)}),
        ("check_availability", {"service_id": corte(lworld), "date_from": "15/01/2026", "part_of_day": "night"}),
        ("propose_booking", {"service_id": 42, "start": "2026-01-15T16:00"}),
        ("propose_booking", {"service_id": corte(lworld), "start": "2026-01-15T16:00", "staff_id": "Miguel"}),
        ("propose_cancel", {"appointment_id": "la de mañana"}),
        ("confirm_proposal", {}),
        ("handoff", "[1, 2]"),
    )
    fake.reply("¿Me repites qué día quieres?")
    chat = lworld.chat(JUAN)
    assert chat.say("corte mañana") == "¿Me repites qué día quieres?"
    results = tool_results(fake.requests[-1])
    assert [r["ok"] for r in results] == [False] * 7
    errors = [r["error"] for r in results]
    assert errors[0] == "Falta el dato «date_from»."
    assert errors[1] == "«date_from» debe ser una fecha YYYY-MM-DD. «part_of_day» debe ser uno de: morning, afternoon o evening."
    assert errors[2] == "El dato «service_id» debe ser texto."
    assert errors[3] == "No reconozco a esa persona del equipo."
    assert errors[4] == "No reconozco esa cita."
    assert errors[5] == "Falta el dato «proposal_id»."
    assert errors[6] == "Los argumentos deben ser un objeto JSON."
    assert not any(re.search(r"\b(field|required|input|valid|should)\b", e) for e in errors)  # no English from pydantic
    assert lworld.appointments() == []


# ---- (e) a change request never becomes a new appointment -----------------------------------


def test_a_reschedule_request_never_creates_a_new_appointment(lworld, fake):
    booked = lworld.chat(JUAN, agent=lworld.make_agent())
    booked.say("corte mañana a las 4")
    booked.say("Juan Pérez")
    (before,) = lworld.appointments(JUAN)
    before_staff = next(name for name, sid in lworld.demo.staff_ids.items() if str(sid) == str(before["staff_id"]))

    fake.tool_calls(("propose_booking", {"service_id": corte(lworld), "start": "2026-01-17T11:30"}))  # the wrong tool
    fake.tool_calls(("propose_reschedule", {"appointment_id": str(before["id"]), "new_start": "2026-01-17T11:30"}))
    fake.reply("Va, ¿te la cambio?")  # too vague: the tool's summary is added
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": pending(r, "cambiar")}))
    fake.reply(lambda r: last_tool_result(r)["result"]["confirmation"])
    chat = lworld.chat(JUAN)
    offer = chat.say("necesito cambiar mi cita de mañana para el sábado a las 11:30")
    wrong = tool_results(fake.requests[1])[0]
    assert wrong["ok"] is False and "propose_reschedule" in wrong["error"]
    assert offer == (
        "Va, ¿te la cambio?\n\nCambiaría tu cita de corte de cabello del jueves 15 de enero a las 4:00 PM a:\n"
        f"📅 Sábado 17 de enero\n⏰ 11:30 AM con {before_staff}\n¿Confirmo el cambio?"
    )
    assert lworld.appointments(JUAN)[0]["scheduled_start"] == before["scheduled_start"]
    assert chat.say("sí") == "Listo, cambié tu cita para el sábado 17 de enero a las 11:30 AM."
    rows = lworld.appointments(JUAN)
    assert len(rows) == 1 and rows[0]["id"] == before["id"] and rows[0]["status"] == "confirmed"
    assert rows[0]["scheduled_start"].astimezone(MX) == datetime(2026, 1, 17, 11, 30, tzinfo=MX)
    assert rows[0]["reschedule_count"] == 1


def test_a_new_booking_while_a_change_was_asked_says_the_old_one_stays(lworld, fake):
    booked = lworld.chat(JUAN, agent=lworld.make_agent())
    booked.say("corte mañana a las 4")
    booked.say("Juan Pérez")
    fake.reply("¿Para cuándo la quieres?")
    fake.tool_calls(("propose_booking", {"service_id": corte(lworld), "start": "2026-01-17T11:30"}))
    fake.reply("Te propongo el sábado a las 11:30 AM para corte de cabello.")
    chat = lworld.chat(JUAN)
    chat.say("quiero cambiar mi cita")
    offer = chat.say("el sábado a las 11:30")
    assert "Sería una cita nueva; tu cita del jueves 15 de enero a las 4:00 PM se queda igual." in offer
    assert len(lworld.appointments(JUAN)) == 1


# ---- (f) scoping ----------------------------------------------------------------------------


def test_another_customers_appointment_or_proposal_is_refused(lworld, fake):
    victim = lworld.chat(ANA, agent=lworld.make_agent())
    victim.say("corte mañana a las 11")
    victim.say("Ana López")
    (theirs,) = lworld.appointments(ANA)

    # Ana proposes a move over the LLM; her proposal id leaks to Juan's model somehow.
    fake.tool_calls(("propose_cancel", {"appointment_id": str(theirs["id"])}))
    fake.reply(lambda r: last_tool_result(r)["result"]["summary"])
    ana = lworld.chat(ANA)
    assert ana.say("cancela mi cita de mañana") == "¿Confirmas que cancele tu cita de corte de cabello del jueves 15 de enero a las 11:00 AM?"
    anas_proposal = ana.last.state["llm_proposals"]["items"][0]["id"]

    fake.tool_calls(
        ("propose_cancel", {"appointment_id": str(theirs["id"])}),
        ("propose_reschedule", {"appointment_id": str(theirs["id"]), "new_start": "2026-01-16T10:00"}),
        ("confirm_proposal", {"proposal_id": anas_proposal}),
    )
    fake.reply("Solo puedo ayudarte con tus propias citas.")
    juan = lworld.chat(JUAN)
    assert juan.say("sí, cancela la cita de Ana") == "Solo puedo ayudarte con tus propias citas."
    cancel, move, confirm = tool_results(fake.requests[-1])
    assert cancel == {"ok": False, "error": "No encontré esa cita entre tus citas próximas."}
    assert move == {"ok": False, "error": "No encontré esa cita entre tus citas próximas."}
    assert confirm["ok"] is False and "No encontré esa propuesta" in confirm["error"]
    assert "Ana" not in json.dumps(tool_results(fake.requests[-1]), ensure_ascii=False)
    (after,) = lworld.appointments(ANA)
    assert after["status"] == "confirmed" and after["scheduled_start"] == theirs["scheduled_start"]


def test_cancel_is_proposed_then_confirmed(lworld, fake):
    booked = lworld.chat(JUAN, agent=lworld.make_agent())
    booked.say("corte mañana a las 4")
    booked.say("Juan Pérez")
    (row,) = lworld.appointments(JUAN)
    fake.tool_calls(("propose_cancel", {"appointment_id": str(row["id"]), "reason": "Le salió un viaje"}))
    fake.reply("¿Seguro que quieres cancelar tu cita del jueves a las 4:00 PM?")
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": pending(r, "cancelar")}))
    fake.reply(lambda r: last_tool_result(r)["result"]["confirmation"])
    chat = lworld.chat(JUAN)
    assert chat.say("cancela mi cita, me salió un viaje") == "¿Seguro que quieres cancelar tu cita del jueves a las 4:00 PM?"
    assert lworld.appointments(JUAN)[0]["status"] == "confirmed"
    assert chat.say("sí, cancélala") == "Listo, cancelé tu cita de corte de cabello del jueves 15 de enero a las 4:00 PM."
    assert lworld.appointments(JUAN)[0]["status"] == "cancelled"


def test_an_offline_turn_drops_pending_proposals(lworld, fake):
    fake.tool_calls(("propose_booking", {"service_id": corte(lworld), "start": "2026-01-15T16:00", "customer_name": "Juan"}))
    fake.reply(lambda r: last_tool_result(r)["result"]["summary"])
    fake.error(500).error(500)
    chat = lworld.chat(JUAN)
    chat.say("corte mañana a las 4, soy Juan")
    assert chat.last.state["llm_proposals"]["items"]
    chat.say("hola")
    assert chat.last.engine == "offline" and "llm_proposals" not in chat.last.state


def test_with_two_alternatives_the_yes_must_say_which(lworld, fake):
    def ids(request: dict) -> list[str]:
        return re.findall(r"id (p-[0-9a-f]{8}) \(agendar\)", system_prompt(request))

    fake.tool_calls(
        ("propose_booking", {"service_id": corte(lworld), "start": "2026-01-15T16:00", "customer_name": "Juan"}),
        ("propose_booking", {"service_id": corte(lworld), "start": "2026-01-15T17:00", "customer_name": "Juan"}),
    )
    fake.reply("Tengo mañana jueves a las 4:00 PM o a las 5:00 PM para tu corte de cabello. ¿Cuál te agendo?")
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": ids(r)[0]}))
    fake.reply("¿Cuál de las dos prefieres?")
    chat = lworld.chat(JUAN)
    chat.say("corte mañana en la tarde, soy Juan")
    assert len(chat.last.state["llm_proposals"]["items"]) == 2
    chat.say("sí")
    assert "varias opciones" in last_tool_result(fake.requests[-1])["error"]

    # Offered again; this time the customer picks one.
    fake.tool_calls(
        ("propose_booking", {"service_id": corte(lworld), "start": "2026-01-15T16:00", "customer_name": "Juan"}),
        ("propose_booking", {"service_id": corte(lworld), "start": "2026-01-15T17:00", "customer_name": "Juan"}),
    )
    fake.reply("Tengo mañana jueves a las 4:00 PM o a las 5:00 PM para tu corte de cabello. ¿Cuál te agendo?")
    fake.tool_calls(("confirm_proposal", lambda r: {"proposal_id": ids(r)[0]}), ("confirm_proposal", lambda r: {"proposal_id": ids(r)[1]}))
    fake.reply(lambda r: last_tool_result(r)["result"]["confirmation"])
    chat.say("¿qué horas tienes?")
    done = chat.say("sí, la de las 5")
    four, five = tool_results(fake.requests[-1])[-2:]
    assert four["ok"] is False and five["ok"] is True
    assert "⏰ 5:00 PM" in done
    (row,) = lworld.appointments(JUAN)
    assert row["scheduled_start"].astimezone(MX) == datetime(2026, 1, 15, 17, 0, tzinfo=MX)

"""The LLM path of onboarding through the signed webhook: the real openai client against the
scripted fake, tools over the same layer as the offline engine, then provisioning on the fake
Twilio; an API failure falls back to the offline engine."""

from __future__ import annotations

import openai
import pytest

from commands.onboarding import get_onboarding
from fakes.fake_openai import FakeOpenAI, last_tool_result, system_prompt
from infra.provisioning import build_onboarding
from test_onboarding_e2e import CENTRAL, NEW_OWNER, NEW_OWNER_E164, say
from wa_support import Stack


@pytest.fixture
def fake_llm(stack: Stack):
    fake = FakeOpenAI()
    client = openai.OpenAI(api_key="test", base_url=fake.base_url, max_retries=0)
    stack.wa.processor.onboarding = build_onboarding(stack.container, CENTRAL, None, llm_client=client)
    yield fake
    fake.close()


def test_an_owner_onboards_through_the_llm_tools(stack: Stack, fake_llm: FakeOpenAI) -> None:
    fake_llm.tool_calls(
        ("save_business", {"name": "Uñas Ana", "business_type": "nail_salon", "owner_name": "Ana López"}),
        ("save_services", {"services": [
            {"name": "Manicure", "price_pesos": 200, "duration_minutes": 45},
            {"name": "Pedicure", "price_pesos": 250, "duration_minutes": 60},
            {"name": "Uñas de gel", "price_pesos": 350, "duration_minutes": 90}]}),  # fmt: skip
        ("save_hours", {"hours": {d: [["10:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")} | {"sun": []}}),
    ).reply("¡Perfecto, Ana! ¿Trabaja alguien más contigo?")
    assert "¿Trabaja alguien más contigo?" in say(stack, "Hola, soy Ana López de Uñas Ana, manicure 200 45 min, pedicure 250 1 hora, gel 350 hora y media, de lunes a sábado de 10 a 7")
    assert get_onboarding(stack.app, NEW_OWNER_E164)["data"]["services"][2] == {"name": "Uñas de gel", "price_cents": 35000, "duration_minutes": 90}

    # a confirmation before the summary was shown is refused by the tool layer
    fake_llm.tool_calls(("save_team", {"works_alone": True}), ("skip_address", {}), ("confirm_onboarding", {}))
    fake_llm.tool_calls(("show_summary", {}))
    fake_llm.reply(lambda request: "Así quedaría:\n" + last_tool_result(request)["resumen"] + "\n¿Está todo bien?")
    summary = say(stack, "trabajo sola y sin dirección, actívalo")
    refused = [m for m in fake_llm.requests[-2]["messages"] if m["role"] == "tool"][-1]["content"]
    assert "Primero muéstrale el resumen" in refused
    assert "• Uñas de gel: $350, 1 hr 30 min" in summary and "Dueño: Ana López" in summary
    assert get_onboarding(stack.app, NEW_OWNER_E164)["step"] == "confirming_summary"
    assert stack.twilio.incoming_numbers == []

    fake_llm.tool_calls(("confirm_onboarding", {})).reply("¡Listo!")
    live = say(stack, "sí, está bien")
    assert "Uñas Ana ya está en línea" in live and len(stack.twilio.incoming_numbers) == 1
    assert "Lo siguiente que falta: nada" in system_prompt(fake_llm.requests[-1])
    state = get_onboarding(stack.app, NEW_OWNER_E164)
    assert state["step"] == "completed"
    assert stack.app.organization_view(state["organization_id"])["status"] == "active"


def test_the_offline_engine_answers_when_the_llm_fails(stack: Stack, fake_llm: FakeOpenAI) -> None:
    fake_llm.error(500)
    reply = say(stack, "Hola, quiero registrar mi negocio")
    assert "¿cómo se llama tu negocio" in reply
    fake_llm.error(500)
    say(stack, "Barbería El Güero")
    assert get_onboarding(stack.app, NEW_OWNER_E164)["data"]["business_name"] == "Barbería El Güero"
    assert stack.replies_to(NEW_OWNER)[-1]["body"].startswith("¿Qué servicios ofreces?")

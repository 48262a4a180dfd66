"""Team mode on the LLM path end to end: the signed webhook, real Postgres and projections, the real
twilio library against the fake Twilio, and the REAL openai client against the scripted server.

The container's own wiring is used: ``container.team_agent`` is built from ``container.llm`` (the
customer agent's engine, here pointed at the fake OpenAI server)."""

from __future__ import annotations

from fakes.fake_openai import FakeOpenAI, last_tool_result, system_prompt
from infra.llm_client import build_llm_engine
from infra.settings import Settings
from test_team_webhook import STAFF, at, book, move_clock, onboarded, say


def test_example_4_on_the_llm_path_through_the_webhook(team_stack) -> None:
    stack, demo = team_stack, team_stack.demo
    fake = FakeOpenAI()
    try:
        settings = Settings(_env_file=None, PARLO_ENV="test", OPENAI_API_KEY="test-key", OPENAI_BASE_URL=fake.base_url,
                            PARLO_LLM_MODEL="fake-model", PARLO_LLM_TIMEOUT_SECONDS=5.0)
        stack.container.__dict__["llm"] = build_llm_engine(settings)  # the composition root's LLM, configured for the fake server
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

        def confirm(request: dict) -> dict:
            line = next(l for l in system_prompt(request).splitlines() if l.strip().startswith("- id p-"))
            return {"proposal_id": line.split("id ")[1].split(" ")[0]}

        fake.tool_calls(("confirm_change", confirm))
        fake.reply("Listo, bloqueé las 4:00 PM ✓")
        assert say(stack, "Si", STAFF) == "Listo, bloqueé las 4:00 PM ✓"
        stack.settle()
        blocks = reads.list_blocks(org, staff_id=miguel)
        assert [(b["start"], b["end"], b["reason"]) for b in blocks] == [(at(16), at(17), "salir temprano")]
        assert fake.unexpected == 0 and fake.errors == []
    finally:
        fake.close()

"""The LLM path of onboarding: OpenAI tool calling over the shared tool layer (agent/onboarding/tools.py).

The model sees what has been collected and what is missing (from the event-sourced state, not
from its memory), and may only change it through the tools; the offline engine takes over when
the API fails.
"""

from __future__ import annotations

import json
from typing import Any

from agent.onboarding import texts
from agent.onboarding.engine import next_question
from agent.onboarding.tools import ONBOARDING_TOOLS, OnboardingTools, call_tool

MAX_ROUNDS = 4
SYSTEM = """Eres Parlo, el asistente que registra negocios de belleza en México por WhatsApp.
Hablas español mexicano natural, de tú, breve y amable. Precios como $150, horas como 3:00 PM.
Recoges, en el orden que el dueño quiera: nombre y tipo del negocio, servicios con precio y duración,
horario por día, nombre del dueño, equipo (opcional, nombre y WhatsApp) y dirección (opcional).
Guarda cada dato con las herramientas en cuanto lo diga; corrige solo lo que pida corregir.
Si no sabe qué servicios poner, sugiere los típicos de su tipo de negocio y guárdalos solo si acepta.
Cuando no falte nada, llama show_summary y muestra el resumen tal cual, preguntando si está bien.
Llama confirm_onboarding solo si el resumen ya se mostró y el dueño acaba de decir que sí.
Nunca inventes datos que el dueño no dio.

Lo que llevamos:
{summary}

Lo siguiente que falta: {missing}"""


class OnboardingLLM:
    def __init__(self, client: Any, model: str = "gpt-4.1", *, temperature: float | None = 0.3) -> None:
        self.client = client
        self.model = model
        self.temperature = temperature
        self.schemas = [tool.openai_tool() for tool in ONBOARDING_TOOLS]

    def run(self, tools: OnboardingTools, text: str) -> list[str]:
        state = tools.state()
        _, expecting, question = next_question(state["data"], state["context"])
        missing = "nada: toca mostrar el resumen y confirmar" if expecting == "confirm" else f"{expecting} ({question.splitlines()[0]})"
        messages: list[dict] = [
            {"role": "system", "content": SYSTEM.format(summary=texts.summary(state["data"]), missing=missing)},
            *[{"role": m["role"], "content": m["text"]} for m in state["context"].get("llm_history", [])[-8:]],
            {"role": "user", "content": text},
        ]
        for round_number in range(MAX_ROUNDS + 1):
            kwargs: dict[str, Any] = {"model": self.model, "messages": messages}
            if round_number < MAX_ROUNDS:
                kwargs["tools"] = self.schemas
            if self.temperature is not None:
                kwargs["temperature"] = self.temperature
            response = self.client.chat.completions.create(**kwargs)
            message = response.choices[0].message
            calls = list(getattr(message, "tool_calls", None) or [])
            if calls and round_number < MAX_ROUNDS:
                messages.append(
                    {
                        "role": "assistant",
                        "content": message.content or None,
                        "tool_calls": [
                            {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments or "{}"}}
                            for c in calls
                        ],
                    }
                )
                for call in calls:
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": call_tool(tools, call.function.name, call.function.arguments)})
                continue
            reply = (message.content or "").strip()
            if not reply:
                raise RuntimeError("the model returned an empty reply")
            self._remember(tools, text, reply)
            return [reply]
        raise RuntimeError("no reply after the tool rounds")  # pragma: no cover

    @staticmethod
    def _remember(tools: OnboardingTools, text: str, reply: str) -> None:
        """A short history in the onboarding's conversation context (and the turn's time)."""
        state = tools.state()
        if state["step"] not in ("initiated", "collecting_business_info", "collecting_owner_info", "confirming_summary"):
            return
        history = [*state["context"].get("llm_history", []), {"role": "user", "text": text[:500]}, {"role": "assistant", "text": reply[:1500]}]
        context = {**state["context"], "llm_history": history[-8:]}
        step = state["step"] if state["step"] != "initiated" else "collecting_business_info"
        tools.record({}, step, json.loads(json.dumps(context)))

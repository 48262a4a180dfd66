"""The OpenAI chat-completions tool loop: AI -> tool -> AI -> ... -> reply (at most MAX_ROUNDS).

Any OpenAI-compatible server works (base URL configurable in ``infra.llm_client``). Errors from
the API (timeouts, HTTP errors, malformed answers) propagate to ``CustomerAgent.handle``, which
lets the offline engine handle the same turn.

Tools run only through ``ToolSession.call`` (``agent.toolbox``), the one dispatcher; the
``tools`` payload is generated from the same argument models it validates with. A proposal made
this turn is always in the reply the customer gets (``ToolSession.finish``).
"""

from __future__ import annotations

from typing import Any

from agent.llm.prompt import build_system_prompt
from agent.toolbox import PROPOSALS_KEY, ToolSession, openai_tools
from agent.tools import CustomerTools

MAX_ROUNDS = 5
HISTORY_LIMIT = 24


class LLMEmptyReply(RuntimeError):
    pass


class LLMEngine:
    def __init__(self, client: Any, model: str = "gpt-4.1", *, max_rounds: int = MAX_ROUNDS, temperature: float | None = 0.3) -> None:
        self.client = client
        self.model = model
        self.max_rounds = max_rounds
        self.temperature = temperature
        self.tool_schemas = openai_tools()

    def messages_for(self, turn: Any, tools: CustomerTools, session: ToolSession | None = None) -> list[dict]:
        pending = session.proposals.confirmable() if session is not None else []
        messages: list[dict] = [{"role": "system", "content": build_system_prompt(tools, turn.profile_name, pending)}]
        history = list(turn.history or [])
        # The gateway may already have stored the current message in the history.
        if history and history[-1].get("role") == "customer" and history[-1].get("text") == turn.text:
            history = history[:-1]
        for item in history[-HISTORY_LIMIT:]:
            text = str(item.get("text") or "")
            if not text:
                continue
            role = "assistant" if item.get("role") == "assistant" else "user"
            messages.append({"role": role, "content": text})
        messages.append({"role": "user", "content": turn.text or ""})
        return messages

    def _create(self, messages: list[dict], with_tools: bool) -> Any:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages}
        if with_tools:
            kwargs["tools"] = self.tool_schemas
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        return self.client.chat.completions.create(**kwargs)

    def run(self, turn: Any, tools: CustomerTools, session: ToolSession | None = None) -> list[str]:
        """The replies for one turn; ``session`` (proposals in, proposals out) defaults to a fresh one."""
        if session is None:
            session = ToolSession.for_turn(tools, turn, (getattr(turn, "state", None) or {}).get(PROPOSALS_KEY))
        messages = self.messages_for(turn, tools, session)
        for round_number in range(self.max_rounds + 1):
            last_round = round_number == self.max_rounds
            response = self._create(messages, with_tools=not last_round)
            if not getattr(response, "choices", None):
                raise LLMEmptyReply("the model returned no choices")
            message = response.choices[0].message
            calls = list(getattr(message, "tool_calls", None) or [])
            if calls and not last_round:
                messages.append(
                    {
                        "role": "assistant",
                        "content": message.content or None,
                        "tool_calls": [
                            {
                                "id": call.id,
                                "type": "function",
                                "function": {"name": call.function.name, "arguments": call.function.arguments or "{}"},
                            }
                            for call in calls
                        ],
                    }
                )
                for call in calls:
                    result = session.call(call.function.name, call.function.arguments)
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
                continue
            text = (message.content or "").strip()
            if not text:
                raise LLMEmptyReply("the model returned an empty reply")
            return [session.finish(text)]
        raise LLMEmptyReply("no reply after the tool rounds")  # pragma: no cover

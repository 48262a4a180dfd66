"""The OpenAI tool loop for team conversations (staff, admins, owners, viewers).

The loop itself is ``agent.llm.engine.LLMEngine.run`` (same client, same rounds, same errors,
which ``TeamAgent`` turns into the offline team engine); this module gives it the team's prompt,
tools and session.

Tools come from ``agent.team.specs.TOOLS`` (one pydantic model per tool) and run only through
``TeamTools.call`` (one dispatcher, one error path). A tool that changes state does NOT run when
the model calls it: ``TeamSession`` checks the permission, describes the change
(``agent.team.change_summaries``) and records a proposal (``agent.toolbox.proposals``). Only
``confirm_change`` in a LATER turn, whose message is a clear yes (``agent.toolbox.consent``),
runs it, with exactly the arguments that were shown.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.llm.engine import HISTORY_LIMIT, LLMEngine
from agent.llm.team_prompt import build_team_prompt
from agent.team.change_summaries import describe_change
from agent.team.specs import TOOLS, TeamToolError
from agent.toolbox.consent import is_acceptance
from agent.toolbox.proposals import Proposal, ProposalBook

log = logging.getLogger("parlo.team")
CONFIRM_TOOL = "confirm_change"
_PREPARES = (" No lo hace todavía: prepara el cambio y devuelve el resumen que debes mostrar; se hace con confirm_change "
             "cuando la persona diga que sí en su siguiente mensaje.")
_SHOW = "Muéstrale este resumen y pregúntale si lo hago. Solo si en su siguiente mensaje dice que sí, usa confirm_change con este proposal_id."


class ConfirmChangeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    proposal_id: str = Field(..., max_length=20, description="El proposal_id del cambio que le mostraste en tu mensaje anterior")


def team_openai_tools() -> list[dict]:
    """The ``tools`` payload: every team tool from its argument model, plus confirm_change."""
    tools = [
        {"type": "function", "function": {"name": spec.name, "description": spec.description + (_PREPARES if spec.changes_state else ""),
                                          "parameters": spec.args.model_json_schema()}}
        for spec in TOOLS.values()
    ]
    tools.append({"type": "function", "function": {
        "name": CONFIRM_TOOL, "parameters": ConfirmChangeArgs.model_json_schema(),
        "description": "Hace un cambio que le mostraste a la persona en tu mensaje anterior, solo si en su mensaje actual dice que sí."}})
    return tools


@dataclass
class TeamLLMTurn:
    """What ``LLMEngine.run`` reads from a turn."""

    text: str
    message_id: str
    history: list[dict] = field(default_factory=list)  # [{"role": "staff" | "assistant", "text": ...}]


class TeamSession:
    """The team tools of one turn for the model: reads run now, changes are proposed, confirmed later."""

    def __init__(self, tools: Any, *, text: str, message_id: str, proposals: Any = None) -> None:
        self.tools = tools
        self.text = text or ""
        self.message_id = message_id
        self.proposals = ProposalBook(proposals, message_id, tools.now)
        self.done: list[str] = []  # past-tense lines of the changes confirmed this turn

    def call(self, name: str, raw_arguments: str | None) -> str:
        """Run one tool call; always a JSON string for the ``tool`` message."""
        try:
            try:
                raw = json.loads(raw_arguments or "{}")
            except json.JSONDecodeError:
                return _error("Los argumentos no son JSON válido.")
            if not isinstance(raw, dict):
                return _error("Los argumentos deben ser un objeto JSON.")
            if name == CONFIRM_TOOL:
                return self._confirm(raw)
            spec = TOOLS.get(name)
            if spec is None:
                return _error(f"No existe la herramienta «{name}».")
            if not spec.changes_state:
                return _dump(self.tools.call(name, raw).as_dict())
            return self._propose(spec, raw)
        except TeamToolError as error:
            return _error(str(error))
        except Exception as error:  # noqa: BLE001 - the model gets a message, the turn goes on
            log.exception("team tool %s failed", name)
            return _error(f"No se pudo completar ({type(error).__name__}).")

    def _propose(self, spec: Any, raw: dict) -> str:
        if not self.tools.can(spec.permission):
            return _error(self.tools.refusal(spec.permission))
        try:
            args = spec.args.model_validate(raw)
        except ValidationError as error:
            fields = ", ".join(sorted({str(e["loc"][0]) for e in error.errors() if e.get("loc")})) or "los datos"
            return _error(f"No entendí {fields}; revisa los datos e intenta de nuevo.")
        change = describe_change(self.tools, spec.name, args)
        proposal = Proposal(
            id=self.proposals.new_id(spec.name, change.summary), kind=spec.name, turn=self.message_id, created_at=self.tools.now.isoformat(),
            summary=change.summary, key_facts=change.facts, local_start=(change.local_start or self.tools.local_now).isoformat(),
            extra={"tool": spec.name, "args": args.model_dump(mode="json", exclude_none=True), "done": change.done, "cancels": change.cancels},
        )
        if not self.proposals.add(proposal):
            return _error("Ya preparé varios cambios en este mensaje; muéstraselos y espera su respuesta.")
        return _dump({"ok": True, "proposal_id": proposal.id, "summary": change.summary, "instructions": _SHOW})

    def _confirm(self, raw: dict) -> str:
        try:
            args = ConfirmChangeArgs.model_validate(raw)
        except ValidationError:
            return _error("Falta el proposal_id.")
        proposal = self.proposals.get(args.proposal_id)
        if proposal is None or proposal not in self.proposals.confirmable():
            made_now = proposal is not None
            return _error("Ese cambio lo acabas de preparar: primero muéstraselo y espera a que diga que sí." if made_now
                          else "No hay un cambio pendiente con ese id; prepáralo de nuevo y muéstrale el resumen.")
        start = _parse(proposal.local_start)
        if not is_acceptance(self.text, start, self.tools.local_now, kind="cancel" if proposal.extra.get("cancels") else "change"):
            return _error("En su mensaje no dice claramente que sí a ese cambio; pregúntale de nuevo o prepara lo que pide ahora.")
        result = self.tools.call(proposal.extra["tool"], proposal.extra["args"])
        self.proposals.take(proposal)
        if result.ok:
            self.done.append(proposal.extra.get("done") or "Listo ✓")
        return _dump(result.as_dict())

    # ---- after the model's last word -------------------------------------------------------------

    def finish(self, reply: str) -> str:
        """The reply as sent: a change proposed this turn is always shown, in its own words if the model's omit them."""
        missing = [f"{p.summary} ¿Lo hago?" for p in self.proposals.made_now() if not p.shown_in(reply)]
        return "\n\n".join([reply.strip(), *missing]) if missing else reply.strip()

    def state(self) -> dict:
        return self.proposals.dump()


class TeamLLMEngine(LLMEngine):
    """``LLMEngine``'s loop with the team prompt and tools."""

    def __init__(self, client: Any, model: str = "gpt-4.1", **kwargs: Any) -> None:
        super().__init__(client, model, **kwargs)
        self.tool_schemas = team_openai_tools()

    def messages_for(self, turn: Any, tools: Any, session: Any = None) -> list[dict]:
        pending = session.proposals.confirmable() if session is not None else []
        messages: list[dict] = [{"role": "system", "content": build_team_prompt(tools, pending)}]
        for item in list(turn.history or [])[-HISTORY_LIMIT:]:
            text = str(item.get("text") or "")
            if text:
                messages.append({"role": "assistant" if item.get("role") == "assistant" else "user", "content": text})
        messages.append({"role": "user", "content": turn.text or ""})
        return messages


def _parse(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def _error(message: str) -> str:
    return json.dumps({"ok": False, "error": message}, ensure_ascii=False)

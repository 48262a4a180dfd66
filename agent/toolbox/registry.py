"""The tool registry and its one dispatcher: every tool call a model makes goes through here.

A ``ToolSpec`` is one tool: name, description, argument model (``agent.toolbox.args``) and the
handler that acts through ``CustomerTools`` (``agent.tools``), which is scoped to the customer
writing. ``ToolSession.call`` validates the arguments, runs the handler and turns every
refusal (ToolError, DomainError, ValidationError, bad JSON, unknown tool) into a Spanish message
the model can read. Nothing a model sends can raise out of it.

Booking, moving and cancelling are two-step (``agent.toolbox.proposals``): ``propose_*`` checks
and records what will happen, ``confirm_proposal`` does it in a later turn, after a yes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from aggregates.errors import DomainError
from agent.toolbox import actions
from agent.toolbox.args import (
    CheckAvailabilityArgs,
    ConfirmProposalArgs,
    HandoffArgs,
    NoArgs,
    ProposeBookingArgs,
    ProposeCancelArgs,
    ProposeRescheduleArgs,
    ToolArgs,
    parameters_schema,
    spanish_errors,
)
from agent.toolbox.proposals import ProposalBook
from agent.tools import CustomerTools, ToolError

log = logging.getLogger(__name__)
PROPOSALS_KEY = "llm_proposals"  # where the conversation state keeps the pending proposals
HISTORY_WINDOW = 24  # the customer messages the staff preference is read from (as the LLM sees them)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[ToolArgs]
    run: Callable[[ToolSession, Any], Any]

    def openai_tool(self) -> dict:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": parameters_schema(self.args)},
        }


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec("list_services", "Lista los servicios del negocio con id, precio y duración.", NoArgs, actions.list_services),
    ToolSpec(
        "check_availability",
        "Horarios libres reales para un servicio entre dos fechas (máximo 14 días). Úsala SIEMPRE antes de ofrecer horarios.",
        CheckAvailabilityArgs,
        actions.check_availability,
    ),
    ToolSpec("list_my_appointments", "Las citas próximas del cliente que está escribiendo (solo las suyas).", NoArgs, actions.list_my_appointments),
    ToolSpec(
        "propose_booking",
        "Prepara una cita NUEVA en un horario libre y devuelve el resumen que debes mostrarle al cliente. "
        "No agenda nada: la cita se crea con confirm_proposal cuando el cliente diga que sí en su siguiente mensaje.",
        ProposeBookingArgs,
        actions.propose_booking,
    ),
    ToolSpec(
        "propose_reschedule",
        "Prepara el cambio de una cita próxima del cliente a un nuevo horario libre y devuelve el resumen para el cliente. "
        "No cambia nada hasta confirm_proposal. Úsala siempre que el cliente quiera cambiar o mover una cita que ya tiene.",
        ProposeRescheduleArgs,
        actions.propose_reschedule,
    ),
    ToolSpec(
        "propose_cancel",
        "Prepara la cancelación de una cita próxima del cliente y devuelve la pregunta de confirmación. No cancela nada hasta confirm_proposal.",
        ProposeCancelArgs,
        actions.propose_cancel,
    ),
    ToolSpec(
        "confirm_proposal",
        "Ejecuta una propuesta pendiente que le mostraste al cliente en tu mensaje anterior, solo si en su mensaje actual la acepta.",
        ConfirmProposalArgs,
        actions.confirm_proposal,
    ),
    ToolSpec(
        "handoff",
        "Pasa la conversación al dueño del negocio (el cliente lo pide, tiene una queja, o pregunta por algo que no puedes resolver).",
        HandoffArgs,
        actions.handoff,
    ),
)
TOOLS_BY_NAME = {spec.name: spec for spec in TOOLS}
_RENAMED = {
    "book": "propose_booking y, tras el sí del cliente, confirm_proposal",
    "reschedule": "propose_reschedule y, tras el sí del cliente, confirm_proposal",
    "cancel": "propose_cancel y, tras el sí del cliente, confirm_proposal",
}


def openai_tools() -> list[dict]:
    """The ``tools`` payload of a chat-completions request, generated from the argument models."""
    return [spec.openai_tool() for spec in TOOLS]


class ToolSession:
    """The tools of one conversation turn: the customer's scoped tools, their words, their proposals."""

    def __init__(self, tools: CustomerTools, *, text: str, message_id: str, customer_texts: list[str], proposals: Any = None) -> None:
        self.tools = tools
        self.text = text or ""
        self.message_id = message_id
        self.customer_texts = [*customer_texts, self.text]
        self.proposals = ProposalBook(proposals, message_id, tools.now)

    @classmethod
    def for_turn(cls, tools: CustomerTools, turn: Any, proposals: Any = None) -> ToolSession:
        history = list(getattr(turn, "history", None) or [])[-HISTORY_WINDOW:]
        if history and history[-1].get("role") == "customer" and history[-1].get("text") == turn.text:
            history = history[:-1]  # the gateway may already have stored the current message
        texts = [str(h.get("text") or "") for h in history if h.get("role") == "customer"]
        return cls(tools, text=turn.text or "", message_id=turn.message_id, customer_texts=texts, proposals=proposals)

    def call(self, name: str, raw_arguments: str | None) -> str:
        """Run one tool call; always returns a JSON string for the ``tool`` message."""
        try:
            spec = TOOLS_BY_NAME.get(name)
            if spec is None:
                hint = f" Usa {_RENAMED[name]}." if name in _RENAMED else ""
                raise ToolError(f"No existe la herramienta «{name}».{hint}")
            try:
                raw = json.loads(raw_arguments or "{}")
            except json.JSONDecodeError:
                raise ToolError("Los argumentos no son JSON válido.") from None
            if not isinstance(raw, dict):
                raise ToolError("Los argumentos deben ser un objeto JSON.")
            args = spec.args.model_validate(raw)
            result = spec.run(self, args)
            return json.dumps({"ok": True, "result": result}, ensure_ascii=False, default=str)
        except ValidationError as error:
            return _error(spanish_errors(error))
        except ToolError as error:
            return _error(str(error))
        except DomainError as error:
            return _error(error.message)
        except Exception as error:  # noqa: BLE001 - the model gets a message, the turn goes on
            log.exception("tool %s failed", name)
            return _error(f"No se pudo completar ({type(error).__name__}).")

    # ---- after the model's last word -----------------------------------------------------------

    def finish(self, reply: str) -> str:
        """The reply as sent: a proposal made this turn is always shown, in its own words if the model's omit it."""
        missing = [p.summary for p in self.proposals.made_now() if not p.shown_in(reply)]
        return "\n\n".join([reply.strip(), *missing]) if missing else reply.strip()

    def state(self) -> dict:
        return self.proposals.dump()


def _error(message: str) -> str:
    return json.dumps({"ok": False, "error": message}, ensure_ascii=False)

"""The offline team engine: one message from a staff member in, replies and new dialogue state out.

Routing inside a team conversation: a flow waiting for an answer gets the message first when it
is an answer ("sí", "55 9876 5432", "Ana", a dictated message); a message that clearly starts
something else ("el de las 3 no vino") starts that instead; "olvídalo" / "mejor no" leave the
flow having changed nothing. Every state-changing flow checks the sender's permission first,
so a viewer is told politely before being asked anything. Every message gets a reply.
"""

from __future__ import annotations

import logging
import re

from agent.team import agenda, attendance, blocks, booking, customers, messages, hours_flow, onboarding, roster_flow, services_flow, staffing
from agent.team.parse import is_bare_no, is_greeting, is_stop, team_intent
from agent.team.state import TeamState
from agent.team.tools import TeamToolError, TeamTools
from agent.team.turn import NOTHING_CHANGED, Turn

log = logging.getLogger("parlo.team")

READ_INTENTS = frozenset({"agenda", "next", "history", "services_info"})
OWNER_ACTIONS = {"owner_staff": "add_staff", "owner_hours": "change_business_hours", "owner_services": "manage_services", "owner_stats": "view_stats"}
# The intents that belong to each pending flow (saying them again restarts that flow).
FLOW_INTENTS = {"block": {"block"}, "unblock": {"unblock"}, "attendance": {"no_show", "completed", "cancel"},
                "booking": {"walk_in", "book"}, "message": {"message"}, "note": {"note"}, "staff": {"owner_staff"}, "service": {"owner_services"}, "hours": {"owner_hours"},
                "roster": {"owner_permissions", "owner_staff", "message", "cancel"}}  # "cancélalas y diles que..." answers the removal
RESUME = {
    "block": blocks.resume_block,
    "unblock": blocks.resume_unblock,
    "attendance": attendance.resume_attendance,
    "booking": booking.resume_booking,
    "message": messages.resume_message,
    "note": customers.resume_note,
    "staff": staffing.resume_add_staff,
    "service": services_flow.resume_service,
    "hours": hours_flow.resume_hours,
    "roster": roster_flow.resume_roster,
}
REPROMPT = {
    "confirm": "¿Lo hago? Responde sí o no (o «olvídalo»).",
    "pick": "Dime el número de la opción (o «olvídalo»).",
    "service": "¿Qué servicio? Dime el nombre o el número.",
    "phone": "Pásame el teléfono a 10 dígitos (o «no» si no lo tiene).",
    "name": "¿Cómo se llama el cliente? (o «no sé»)",
    "when": "Dime el día y la hora, por ejemplo «mañana de 2 a 4».",
    "offer_message": "¿Le mando un mensaje? Responde sí (y qué le digo) o no.",
    "confirm_message": "¿Se lo envío? Responde sí o no.",
    "dictate": "¿Qué le digo?",
    "services": "¿Qué servicios va a ofrecer? Dime los nombres o «todos».",
    "welcome": "¿Le mando el mensaje de bienvenida? Responde sí o no.",
    "service_details": "¿Cuánto dura y cuánto cuesta? Por ejemplo: «90 minutos, $450».",
}


def help_text(turn: Turn, greeting: bool) -> str:
    name = turn.first_name
    hello = f"¡Hola, {name}! 👋 " if greeting and name else ("¡Hola! 👋 " if greeting else "")
    lines = [
        "• «¿Qué tengo hoy?» o «¿qué sigue?»: tu agenda",
        "• «¿Cómo está la agenda de hoy?»: la de todo el negocio",
        "• «Historial de 55 1234 5678» o «¿quién es Rosa Luna?»",
    ]
    if turn.tools.can("book"):
        lines += [
            "• «Bloquea mañana de 2 a 4» / «quita el bloqueo de las 4»",
            "• «El de las 11 no llegó» / «ya terminé con Juan»",
            "• «Acaba de llegar alguien para corte» / «agéndale a 55 1234 5678 un corte el sábado a las 12»",
            "• «Dile a Rosa que ya está lista su cita»",
        ]
    if turn.tools.can("remove_staff"):
        lines.append("• «Agrega un nuevo empleado» / «da de baja a Miguel»")
    if turn.tools.can("change_permissions"):
        lines.append("• «Hazlo admin a Miguel» / «cambia los permisos de Vero»")
    return f"{hello}Soy Parlo, la asistente de {turn.tools.business_name}. Puedes pedirme:\n" + "\n".join(lines)


class TeamEngine:
    def handle(self, text: str, raw_state: object, tools: TeamTools, *, first_message: bool = False) -> tuple[list[str], dict]:
        state = TeamState.load(raw_state, tools.now)
        turn = Turn(text=text or "", tools=tools, state=state)
        try:
            replies = self._onboarding(turn, first_message)
        except TeamToolError as error:
            state.clear()
            replies = [str(error)]
        return [r for r in replies if r and r.strip()] or [help_text(turn, False)], state.dump(tools.now)

    def _onboarding(self, turn: Turn, first_message: bool) -> list[str]:
        """Flow 2 around the other flows: started by a pre-registered member's first message (not the
        owner's); a clear request in the middle is served, then the onboarding question comes back."""
        state = turn.state
        intent = team_intent(turn.norm) if turn.norm else None
        if state.onboarding is None:
            if first_message and not state.onboarded and turn.tools.level != "owner" and state.pending is None:
                answer = self._start(turn, intent) if intent in READ_INTENTS else []
                return [*answer, *onboarding.start_onboarding(turn)]
            return self._route(turn)
        if state.pending is not None or (intent is not None and intent != "help"):
            replies = self._route(turn)
            if state.pending is None and state.onboarding is not None:
                replies.append("Cuando quieras seguimos con tu registro: " + onboarding.question(turn))
            return replies
        return onboarding.resume_onboarding(turn) or [onboarding.question(turn)]

    def _route(self, turn: Turn) -> list[str]:
        norm = turn.norm
        intent = team_intent(norm) if norm else None
        pending = turn.state.pending
        if pending is not None:
            step = turn.state.step
            answering_message = pending.kind == "message"
            starts_other = intent is not None and intent not in FLOW_INTENTS[pending.kind] and intent != "help"
            bare_no = is_bare_no(turn.text)
            if not answering_message and not bare_no and is_stop(turn.text) and not starts_other:
                turn.state.clear()
                return [NOTHING_CHANGED]
            if answering_message or not starts_other:
                if intent in FLOW_INTENTS[pending.kind] and not answering_message and step not in ("confirm", "pick"):
                    turn.state.clear()  # the same request again, restated: start over with it
                else:
                    replies = RESUME[pending.kind](turn, pending)
                    if replies is not None:
                        return replies
                    if bare_no:
                        turn.state.clear()
                        return [NOTHING_CHANGED]
                    if intent is None or answering_message:
                        return [REPROMPT.get(step or "", "¿Me lo repites, por favor?")]
            turn.state.clear()
        return self._start(turn, intent)

    def _start(self, turn: Turn, intent: str | None) -> list[str]:
        if intent == "agenda":
            return agenda.show_agenda(turn)
        if intent == "next":
            return agenda.show_next(turn)
        if intent == "block":
            return blocks.start_block(turn)
        if intent == "unblock":
            return blocks.start_unblock(turn)
        if intent in ("no_show", "completed"):
            return attendance.start_attendance(turn, intent)
        if intent == "cancel":
            return attendance.start_attendance(turn, "cancelled")
        if intent in ("walk_in", "book"):
            return booking.start_booking(turn, walk_in=intent == "walk_in")
        if intent == "history":
            return customers.show_history(turn)
        if intent == "message":
            return messages.start_message(turn)
        if intent == "note":
            return customers.start_note(turn)
        if intent == "owner_stats":
            return customers.show_stats(turn)
        if intent == "owner_permissions":
            return roster_flow.start_permissions(turn)
        if intent in ("owner_staff", None) and roster_flow.is_removal(turn) or intent == "owner_staff" and re.search(r"\b(?:quit|elimin|d\w* de baja|corr|sac|despid)", turn.norm):
            return roster_flow.start_remove(turn)
        if intent == "owner_staff" and re.search(r"\b(?:agreg|añad|anad|registr|d\w* de alta|contrat)", turn.norm):
            return staffing.start_add_staff(turn)
        if intent == "services_info":
            return [booking.service_menu(turn)]
        if intent == "owner_services" or (intent is None and services_flow.is_service_request(turn.norm)):
            return services_flow.start_service(turn)
        if intent == "owner_hours":
            return hours_flow.start_hours(turn)
        if intent in OWNER_ACTIONS:
            action = OWNER_ACTIONS[intent]
            if not turn.tools.can(action):
                return [turn.tools.refusal(action)]
            return ["Eso todavía no lo puedo hacer por WhatsApp 🙏 Por ahora hazlo desde el panel web de Parlo."]
        if is_stop(turn.text):
            return ["Va. ¿Algo más?"]
        if intent == "help" or is_greeting(turn.norm):
            return [help_text(turn, is_greeting(turn.norm))]
        if turn.norm in ("gracias", "muchas gracias", "mil gracias", "ok", "va", "sale", "perfecto", "listo") or "👍" in turn.text:
            return ["¡Con gusto! 🙌"]
        return ["No te entendí 🤔 " + help_text(turn, False)]

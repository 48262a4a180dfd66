"""Off-script turns: ways out of every flow, acknowledgements, and questions about payment,
parking and reminders (answered from the organization's settings when it has them, else an
honest "le pregunto a <dueño>" with a handoff offer; never an invented fact)."""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.offline.common import CAPABILITIES, ahead_text, join
from agent.spanish.format import format_at_time
from agent.spanish.offscript import is_bare_no, is_laugh
from agent.spanish.text import normalize
from agent.tools import ToolError, as_utc

# Steps whose question is a yes/no: there a "no" is the answer, not a way out.
YES_NO_STEPS = frozenset({"confirming_cancellation", "confirming_booking", "confirming_move", "confirming"})
# Intents that start something else: the current flow is left for them.
NEW_REQUESTS = frozenset({"cancel", "reschedule", "my_appointments", "human"})


class OffScriptMixin:
    # ---- ways out ------------------------------------------------------------------------------

    def _yes_no_step(self) -> bool:
        if self.step in YES_NO_STEPS:
            return True
        return self.step == "collecting_personal_info" and bool(self.data.suggested_name)

    def _has_content(self) -> bool:
        """The message also says a day, a time, a service or an option: not only "leave it"."""
        return bool(
            not self.when.is_empty or self._bare_hour() is not None or self._service_ids() or self.superlative
        )

    def _way_out(self) -> bool:
        """"olvídalo", "déjalo así", "mejor no", a bare "no": the flow ends, nothing changes."""
        if not self.flow or not self.exit or self._has_content():
            return False
        if self.intents & NEW_REQUESTS and not (self.flow == "cancel" and "cancel" in self.intents):
            # "olvídalo, mejor cancela mi cita": leave this flow and do the new request.
            self.finish()
            return False
        if self.flow == "cancel" and "cancel" in self.intents:
            return False  # "cancela todo" inside the cancel flow: the step reads it
        if self._yes_no_step() and (is_bare_no(self.text) or normalize(self.text) == "mejor no" or self.flow == "cancel"):
            return False  # the step's own "no" (keep the appointment, another time...)
        self.understood()
        flow = self.flow
        if flow == "booking" and self.step == "collecting_personal_info":
            info = self.data.info or {}
            self.finish({"kind": "booked", "appointment_id": info.get("appointment_id")})
            self.say("Va, tu cita queda agendada como te dije. Si necesitas algo más, aquí estoy. 😊")
            return True
        if flow == "modify" and self.step == "confirming":
            self._settle_reschedule()
            self.say("Va. Si necesitas algo más, aquí estoy. 😊")
            return True
        kept = self._kept_appointment_text() if flow in ("modify", "cancel") else ""
        self.finish()
        if flow == "booking":
            self.say("Va, lo dejamos así; no agendé nada. Cuando quieras, aquí estoy. 😊")
        elif flow == "modify":
            self.say(f"Va, no cambié nada{kept}. ¿Te ayudo con algo más?")
        else:
            self.say(f"Va, no cancelé nada{kept}. ¿Te ayudo con algo más?")
        return True

    def _kept_appointment_text(self) -> str:
        wanted = self.data.appointment_id
        if not wanted:
            return ""
        try:
            appointments = self.tools.list_my_appointments()
        except ToolError:
            return ""
        for a in appointments:
            if a["appointment_id"] == wanted:
                start = datetime.fromisoformat(a["start"])
                return f"; tu cita de {a['service'].lower()} sigue el {a['date_text']} {format_at_time(start)}"
        return ""

    # ---- acknowledgements ----------------------------------------------------------------------

    def _acknowledged(self) -> bool:
        """"ok", "jajaja", "👍" mid-flow: not a goodbye and not a pick; the question stands."""
        if not self.ack or self.intents - {"affirm"}:
            return False
        if not self.flow:
            if self.offered_booking is not None and "affirm" in self.intents:
                return False  # "¿Quieres agendar?" "ok": the idle flow starts the booking
            if self.state.last and "affirm" in self.intents:
                return False  # after something done, "ok" closes (¡Con gusto!)
            if self.state.failures:
                return False  # laughing after gibberish is still no request: the failures count on
            self.understood()
            lead = "😄" if is_laugh(self.text) else "¡Va! 😊"
            self.say(f"{lead} ¿En qué te puedo ayudar? {CAPABILITIES}")
            return True
        if self._yes_no_step() and "affirm" in self.intents:
            return False  # "ok" answers the yes/no question
        if len(self.data.offered) == 1 and "affirm" in self.intents:
            return False  # one time offered: "ok" takes it
        if self.data.alternative and "affirm" in self.intents:
            return False  # "¿Te agendo con Carlos a esa hora?" "ok"
        self.understood()
        self.say("¡Va! " + self._step_prompt())
        return True

    # ---- payment, parking, reminders -----------------------------------------------------------

    def _topic_answer(self) -> bool:
        topics = self.topics
        if not topics or "human" in self.intents:
            return False
        self.understood()
        parts: list[str] = []
        ask_owner: list[str] = []
        settings = self.tools.organization.get("settings") or {}
        if "payment" in topics:
            methods = settings.get("payment_methods")
            if isinstance(methods, (list, tuple)) and methods:
                parts.append(f"Aceptamos {join([str(m) for m in methods])}.")
            elif isinstance(methods, str) and methods.strip():
                parts.append(f"Formas de pago: {methods.strip()}.")
            else:
                ask_owner.append("las formas de pago")
        if "parking" in topics:
            parking = settings.get("parking")
            if isinstance(parking, str) and parking.strip():
                parts.append(f"Sobre el estacionamiento: {parking.strip()}.")
            elif parking is True:
                parts.append("Sí, tenemos estacionamiento. 🚗")
            elif parking is False:
                parts.append("No tenemos estacionamiento propio, perdón.")
            else:
                ask_owner.append("el estacionamiento")
        if "reminder" in topics:
            parts.append(self._reminder_answer())
        suffix = self._reprompt_suffix()
        if ask_owner:
            owner = self.tools.owner_name()
            what = join(ask_owner)
            parts.append(f"No tengo el dato de {what} a la mano; le pregunto a {owner}. ¿Quieres que le pase tu pregunta?")
            self._offer_handoff(f"Un cliente pregunta por {what}: «{self.text[:200]}»")
            suffix = ""  # the question to answer now is the handoff offer
        self.say("\n\n".join(parts) + suffix)
        return True

    def _reminder_answer(self) -> str:
        try:
            appointments = self.tools.list_my_appointments()
        except ToolError:
            appointments = []
        if not appointments:
            self.state.offer_booking = {}
            return "No encuentro citas próximas a tu nombre, por eso no te llegó recordatorio. ¿Quieres agendar una?"
        a = appointments[0]
        start = datetime.fromisoformat(a["start"])
        hours = self.tools.reminder_hours_before
        line = f"Tu cita de {a['service'].lower()} es el {a['date_text']} {format_at_time(start)}."
        if as_utc(start) - self.tools.now <= timedelta(hours=hours):
            return line + f" El recordatorio se manda {ahead_text(hours)}, y tu cita ya está más cerca, así que no se envía. ¡Aquí te esperamos!"
        return line + f" El recordatorio te llega por este chat {ahead_text(hours)} de tu cita, así que todavía no sale. 😊"

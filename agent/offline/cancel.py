"""The cancel flow, and identifying one of the customer's appointments."""

from __future__ import annotations

from datetime import date, datetime

from agent.spanish.dates import (
    parse_choice_number,
)
from agent.spanish.format import (
    format_at_time,
)
from agent.spanish.offscript import is_bare_no, wants_all
from agent.tools import (
    ToolError,
    first_name,
)


class CancelMixin:
    # ---- cancel ------------------------------------------------------------------------------

    def _start_cancel(self) -> None:
        self.understood()
        appointments = self.tools.list_my_appointments()
        if not appointments:
            self.finish()
            self.say("No encontré citas próximas a tu nombre, así que no hay nada que cancelar. ¿Te ayudo con algo más?")
            return
        self.start("cancel", "identifying_booking")
        if len(appointments) > 1 and wants_all(self.text):
            self._cancel_all_identified(appointments)
            return
        chosen = self._identify(appointments, initial=True)
        if chosen is None:
            self.data.options = [a["appointment_id"] for a in appointments]
            self.say("¿Cuál de tus citas quieres cancelar?\n" + self._numbered(appointments))
            return
        self._cancel_identified(chosen)

    def _cancel_identified(self, appointment: dict) -> None:
        self.data.appointment_id = appointment["appointment_id"]
        self.goto("confirming_cancellation")
        self.say(
            f"¿Confirmas que quieres cancelar tu cita de {appointment['service'].lower()} del "
            f"{appointment['date_text']} {format_at_time(datetime.fromisoformat(appointment['start']))}?"
        )

    def _cancel_all_identified(self, appointments: list[dict]) -> None:
        """"cancela todo" with several upcoming appointments: confirm every one by name first."""
        self.data.appointment_ids = [a["appointment_id"] for a in appointments]
        self.data.appointment_id = None
        self.goto("confirming_cancellation")
        self.say(f"¿Confirmas que quieres cancelar tus {len(appointments)} citas?\n" + self._numbered(appointments) + "\n(sí / no)")

    def _cancel_all(self) -> None:
        done, failed = [], []
        for appointment_id in self.data.appointment_ids:
            try:
                done.append(self.tools.cancel(appointment_id, "Cancelada por el cliente por WhatsApp"))
            except ToolError as error:
                failed.append(str(error))
        self.finish({"kind": "cancelled"})
        lines = [f"• {i['service']} - {i['date_text']} {format_at_time(datetime.fromisoformat(i['start']))}" for i in done]
        text = "Listo, cancelé tus citas:\n" + "\n".join(lines) if done else "No pude cancelar tus citas."
        if failed:
            text += "\n" + " ".join(failed)
        self.state.offer_booking = {}
        self.say(text + "\n¿Quieres agendar en otra fecha?")

    def _cancel(self) -> None:
        if self.step == "identifying_booking":
            appointments = self.tools.list_my_appointments()
            if len(appointments) > 1 and wants_all(self.text) and "deny" not in self.intents:
                self.understood()
                self._cancel_all_identified(appointments)
                return
            chosen = self._identify(appointments)
            if chosen is None:
                self._not_understood()
                return
            self.understood()
            self._cancel_identified(chosen)
            return
        if self.step == "confirming_cancellation":
            if "affirm" in self.intents and "deny" not in self.intents or ("cancel" in self.intents and "deny" not in self.intents):
                self.understood()
                if self.data.appointment_ids and not self.data.appointment_id:
                    self._cancel_all()
                    return
                try:
                    info = self.tools.cancel(self.data.appointment_id, "Cancelada por el cliente por WhatsApp")
                except ToolError as error:
                    self.finish()
                    self.say(f"{error} ¿Te ayudo con algo más?")
                    return
                self.finish({"kind": "cancelled", "appointment_id": info["appointment_id"]})
                self.state.offer_booking = {"service_id": info["service_id"]}
                self.say(
                    f"Listo, cancelé tu cita de {info['service'].lower()} del {info['date_text']} "
                    f"{format_at_time(datetime.fromisoformat(info['start']))}. ¿Quieres agendar en otra fecha?"
                )
                return
            if "deny" in self.intents or is_bare_no(self.text) or self.exit:
                self.understood()
                several = bool(self.data.appointment_ids and not self.data.appointment_id)
                self.finish()
                self.say(f"Perfecto, {'tus citas siguen' if several else 'tu cita sigue'} en pie. ¿Te ayudo con algo más?")
                return
            self._not_understood()
            return
        self.finish()
        self._idle()

    # ---- identifying one of the customer's appointments -------------------------------------------

    def _identify(self, appointments: list[dict], initial: bool = False) -> dict | None:
        if not appointments:
            return None
        if len(appointments) == 1:
            return appointments[0]
        options = self.data.options or [a["appointment_id"] for a in appointments]
        by_id = {a["appointment_id"]: a for a in appointments}
        ordered = [by_id[o] for o in options if o in by_id] or appointments
        if not initial:
            n = parse_choice_number(self.text, len(ordered))
            if n:
                return ordered[n - 1]
        matches = ordered
        if self.when.date_from is not None:
            matches = [a for a in matches if self.when.date_from <= date.fromisoformat(a["date"]) <= (self.when.date_to or self.when.date_from)]
        clock = self.when.time or (None if initial else self._bare_hour())
        if clock is not None:
            matches = [a for a in matches if datetime.fromisoformat(a["start"]).time() == clock]
        ids = self._service_ids()
        if ids:
            matches = [a for a in matches if a["service_id"] in ids] or matches
        if len(matches) == 1 and (matches is not ordered):
            return matches[0]
        return None

    def _numbered(self, appointments: list[dict]) -> str:
        lines = []
        for i, a in enumerate(appointments, 1):
            local = datetime.fromisoformat(a["start"])
            lines.append(f"{i}. {a['service']} - {a['date_text']} {format_at_time(local)}")
        return "\n".join(lines)

    def _greet_name(self) -> str:
        if "greeting" not in self.intents:
            return ""
        name = first_name(self.tools.known_name()[0])
        return f"Hola {name}, " if name else "Hola, "


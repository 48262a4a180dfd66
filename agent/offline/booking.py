"""The booking flow: service, day and time, name; the booking itself."""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.offline.common import (
    SEE_YOU,
    ahead_text,
    bad_date_text,
    lower_first,
    when_from_dict,
    when_to_dict,
)
from agent.spanish.dates import (
    When,
    parse_choice_number,
)
from agent.spanish.format import (
    format_at_time,
)
from agent.spanish.intents import extract_name
from agent.spanish.offscript import refers_back
from agent.spanish.text import normalize
from agent.tools import (
    ToolError,
    as_utc,
    confirmation_text,
)


class BookingMixin:
    # ---- booking -----------------------------------------------------------------------------

    def _start_booking(self, service_ids: list[str]) -> None:
        remembered = self.state.take("last_service_id")
        inferred = False
        if not service_ids and remembered and any(str(s["id"]) == remembered for s in self.tools.services()):
            service_ids = [remembered]  # "¿cuánto cuesta el corte?" ... "ok, agéndame uno"
            inferred = not refers_back(self.text)  # "y el viernes?": confirmed before booking
        if not service_ids and len(self.tools.services()) == 1:
            service_ids = [str(self.tools.services()[0]["id"])]  # the only service there is
        if not self.tools.bookings_open:
            self._bookings_paused()
            return
        self.start("booking", "collecting_service", service_inferred=inferred)
        self._remember_staff()
        if not self.when.is_empty or self.superlative or self.asks_availability:
            self.data.pending_when = {**when_to_dict(self.when), "pick": self.superlative}
        if self.bad_date:
            self.data.bad_date = self.bad_date
        if len(service_ids) == 1:
            self.data.service_id = service_ids[0]
            self._after_service(first=True)
        elif len(service_ids) > 1:
            self.data.service_options = service_ids
            self.say("¡Claro! ¿Cuál de estos servicios te gustaría?\n" + self._service_list(service_ids))
        elif self.asks_availability or not self.when.is_empty:
            # The free times depend on how long the service takes: ask it, then list them.
            self.say("¡Claro! ¿Para qué servicio? Así te digo los horarios libres. Tenemos:\n" + self._service_list())
        else:
            self.say("¡Claro! ¿Qué servicio te gustaría agendar? Tenemos:\n" + self._service_list())

    def _after_service(self, first: bool = False) -> None:
        self.goto("collecting_datetime")
        service = self._service()
        if service is not None and not self.tools.service_offered_by_anyone(service["id"]):
            self._nobody_offers(service)
            return
        pending = self.data.take("pending_when")
        bad_date = self.data.take("bad_date") or (self.bad_date if self.when.date_from is None else None)
        when = when_from_dict(pending) if pending else None
        lead = ("¡Hola! Claro. " if "greeting" in self.intents else "¡Claro! ") if first else "Perfecto. "
        if bad_date:
            self.say(f"{lead}{bad_date_text(bad_date)} ¿Qué otro día te gustaría para tu {service['name'].lower()}?")
            return
        if when is not None and (not when.is_empty or pending):
            self._search_and_offer(when, lead="Perfecto. ", pick=pending.get("pick"))
            return
        self.say(f"{lead}¿Para qué día te gustaría agendar tu {service['name'].lower()}?")

    def _booking(self) -> None:
        self._remember_staff()
        if self.step == "collecting_service":
            ids = self._service_ids()
            options = self.data.service_options or [str(s["id"]) for s in self.tools.services()]
            if not ids:
                n = parse_choice_number(self.text, len(options))
                if n:
                    ids = [options[n - 1]]
            if len(ids) == 1:
                self.understood()
                self.data.service_id = ids[0]
                self.data.take("service_options")
                if not self.when.is_empty or self.superlative:
                    self.data.pending_when = {**when_to_dict(self.when), "pick": self.superlative}
                if self.bad_date:
                    self.data.bad_date = self.bad_date
                self._after_service()
                return
            if len(ids) > 1:
                self.understood()
                self.data.service_options = ids
                self.say("¿Cuál de estos servicios te gustaría?\n" + self._service_list(ids))
                return
            if not self.when.is_empty or self.bad_date:
                self.understood()
                if self.bad_date:
                    self.data.bad_date = self.bad_date
                else:
                    self.data.pending_when = when_to_dict(self.when)
                self.say("Perfecto. ¿Y qué servicio te gustaría? Tenemos:\n" + self._service_list())
                return
            if self.intents & {"deny", "thanks", "bye"}:
                self.finish()
                self.understood()
                self.say("Está bien. Cuando quieras agendar, aquí estoy. 😊")
                return
            self._not_understood()
            return
        if self.step == "collecting_datetime":
            ids = self._service_ids()
            if len(ids) == 1 and ids[0] != self.data.service_id and self.when.is_empty and self._bare_hour() is None:
                self.understood()
                self.data.service_id = ids[0]
                self.data.service_inferred = False
                self.data.take("offered")
                search = self.data.take("search")
                if search:  # "corte" after the times for another service: the same day(s)
                    self.data.pending_when = {"date_from": search["from"], "date_to": search["to"], "part_of_day": search.get("part")}
                self._after_service()
                return
            if len(ids) == 1:
                self.data.service_id = ids[0]
                self.data.service_inferred = False
            self._datetime_step(self._choose_for_booking)
            return
        if self.step == "confirming_booking":
            self._proposal_step(self._choose_for_booking)
            return
        if self.step == "collecting_personal_info":
            self._personal_info()
            return
        self.finish()
        self._idle()

    def _choose_for_booking(self, slot: dict) -> None:
        service = self._service()
        start = datetime.fromisoformat(slot["start"])
        local = self.tools.local(start)
        if self.data.staff_id and self.data.staff_id not in slot.get("staff_ids", []):
            # Never someone else without a word: look at the asked person's agenda at that time.
            self._search_and_offer(When(local.date(), local.date(), time=local.time()), choose=self._choose_for_booking)
            return
        if self._needs_confirmation(slot):
            self._propose(slot)
            return
        name, verified = self.tools.known_name()
        staff_id = self.data.staff_id
        try:
            info = self.tools.book(service["id"], start, staff_id=staff_id)
        except ToolError as error:
            self.say(f"Uy, {lower_first(str(error))} Déjame ver otros horarios.")
            self._search_and_offer(When(date_from=self.tools.local(start).date(), date_to=self.tools.local(start).date(), time=self.tools.local(start).time()))
            return
        self.data.appointment_id = info["appointment_id"]
        self.data.info = info
        if name and verified:
            self.finish({"kind": "booked", "appointment_id": info["appointment_id"]})
            self.say(confirmation_text(info, name) + "\n\n" + self._reminder_line(info))
            return
        self.goto("collecting_personal_info")
        if name:
            self.data.suggested_name = name
        local = datetime.fromisoformat(info["start"])
        ask = f"¿La cita queda a nombre de {name}?" if name else "¿Me confirmas tu nombre para la cita?"
        self.say(
            f"Listo, te agendé tu {info['service'].lower()} para {self._short_day(local.date())} "
            f"{format_at_time(local)}.\n{ask}"
        )

    def _personal_info(self) -> None:
        info = self.data.info or {}
        suggested = self.data.suggested_name or self.profile_name
        name = extract_name(self.text)
        if name and normalize(name) in {"si", "no", "ok"}:
            name = None
        if not name and "affirm" in self.intents and suggested and "deny" not in self.intents:
            name = suggested
        if not name:
            if "deny" in self.intents and self.data.suggested_name:
                self.understood()
                self.data.take("suggested_name")
                self.say("Va. ¿A nombre de quién dejo la cita?")
                return
            if self.intents & {"thanks", "bye"}:
                # The booking stands; the name can wait.
                self.understood()
                self.finish({"kind": "booked", "appointment_id": info.get("appointment_id")})
                self.say(confirmation_text(info, None) + "\n\n" + self._reminder_line(info))
                return
            self._not_understood()
            return
        self.understood()
        try:
            name = self.tools.save_name(name)
        except ToolError as error:
            self.say(f"{error} ¿Me lo escribes de nuevo, por favor?")
            return
        self.finish({"kind": "booked", "appointment_id": info.get("appointment_id")})
        self.say(confirmation_text(info, name) + "\n\n" + self._reminder_line(info))

    def _reminder_line(self, info: dict) -> str:
        """The reminder job writes ``reminder_hours_before`` (24 h) ahead: promise it only when
        that moment is still to come (a sooner appointment gets no reminder a day before)."""
        try:
            start = as_utc(datetime.fromisoformat(info["start"]))
        except (KeyError, TypeError, ValueError):
            return SEE_YOU
        hours = self.tools.reminder_hours_before
        if start - self.tools.now <= timedelta(hours=hours):
            return SEE_YOU
        return f"Te mandaré un recordatorio {ahead_text(hours)}. {SEE_YOU}"


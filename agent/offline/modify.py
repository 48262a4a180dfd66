"""The modify flow: which appointment, the new day and time, the move."""

from __future__ import annotations

from datetime import date, datetime

from agent.offline.common import (
    bad_date_text,
    lower_first,
    minutes,
    when_from_dict,
    when_to_dict,
)
from agent.spanish.dates import (
    When,
)
from agent.spanish.format import (
    format_at_time,
    format_date,
    relative_day_label,
)
from agent.tools import (
    ToolError,
)


class ModifyMixin:
    # ---- modify ------------------------------------------------------------------------------

    def _start_modify(self) -> None:
        self.understood()
        appointments = self.tools.list_my_appointments()
        if not appointments:
            self.finish()
            self.state.offer_booking = {}
            self.say("No encontré citas próximas a tu nombre. ¿Quieres agendar una nueva?")
            return
        self.start("modify", "identifying_booking")
        self._remember_staff()
        chosen = self._identify(appointments, initial=True)
        if chosen is None:
            self.data.options = [a["appointment_id"] for a in appointments]
            if not self.when.is_empty:
                self.data.pending_when = when_to_dict(self.when)  # "cambia mi cita al viernes": which one?
            greet = self._greet_name()
            self.say((greet + "claro que sí" if greet else "Claro que sí") + ". ¿Cuál de tus citas quieres cambiar?\n" + self._numbered(appointments))
            return
        self._modify_identified(chosen, initial=True)

    def _modify_identified(self, appointment: dict, initial: bool = False) -> None:
        self.data.appointment_id = appointment["appointment_id"]
        self.data.service_id = appointment["service_id"]
        self.data.current_staff_id = appointment.get("staff_id") or None
        self.data.exclude_start = None
        current = datetime.fromisoformat(appointment["start"])
        self.data.current_day = current.date().isoformat()
        self.goto("collecting_new_datetime")
        pending = self.data.take("pending_when")
        if pending:
            new_when, initial = when_from_dict(pending), True  # said with the request, before "which one?"
        else:
            new_when = self.when if initial else When()
        if initial and new_when.is_empty and self.data.staff_id and self.data.staff_id != self.data.current_staff_id:
            # "pásame con Miguel": the same time with someone else.
            new_when = When(current.date(), current.date(), time=current.time().replace(tzinfo=None))
        # "cámbiala para el sábado": the new date came with the request (not the old one's date).
        moved_day = new_when.date_from is not None and new_when.date_from != current.date()
        moved_time = new_when.time is not None and new_when.time != current.time().replace(tzinfo=None)
        moved_time = moved_time or bool(self.data.staff_id and self.data.staff_id != self.data.current_staff_id)
        if new_when.part_of_day and new_when.time is None:
            lo, hi = self.tools.part_of_day_minutes(new_when.part_of_day)
            moved_time = not lo <= minutes(current) < hi  # "pásala para la tarde"
        if initial and not new_when.is_empty and (moved_day or moved_time):
            if new_when.date_from is None and not new_when.is_now:
                # "¿me cambias la hora? mejor a las 5": same day, new time.
                new_when = When(date_from=current.date(), date_to=current.date(), part_of_day=new_when.part_of_day, time=new_when.time)
            self._search_and_offer(new_when, choose=self._choose_for_modify)
            return
        ask = "¿Para cuándo te gustaría cambiarla?"
        if initial and self.bad_date:
            ask = f"{bad_date_text(self.bad_date)} ¿Qué otro día te gustaría?"
        self.say(
            f"{self._greet_name() + 'claro que sí' if initial and self._greet_name() else 'Claro que sí'}. Veo que tienes una cita para {appointment['service'].lower()} "
            f"{self._short_day(current.date())} {format_at_time(current)}. {ask}"
        )

    def _modify(self) -> None:
        self._remember_staff()
        if self.step == "confirming_move":
            self._proposal_step(self._choose_for_modify)
            return
        if self.step == "identifying_booking":
            appointments = self.tools.list_my_appointments()
            chosen = self._identify(appointments)
            if chosen is None:
                self._not_understood()
                return
            self.understood()
            self._modify_identified(chosen)
            return
        if self.step == "collecting_new_datetime":
            self._datetime_step(self._choose_for_modify)
            return
        if self.step == "confirming":
            if "deny" in self.intents and self.when.is_empty:
                self.understood()
                self.goto("collecting_new_datetime")
                self.data.take("offered")
                self.say("Va, ¿para cuándo te gustaría cambiarla entonces?")
                return
            if not self.when.is_empty or self._bare_hour():
                self.goto("collecting_new_datetime")
                self._datetime_step(self._choose_for_modify)
                return
            if self.intents & {"affirm", "thanks", "bye"}:
                self.understood()
                self._settle_reschedule()
                self._closing()
                return
            self._settle_reschedule()
            self._idle()
            return
        self.finish()
        self._idle()

    def _choose_for_modify(self, slot: dict) -> None:
        start = datetime.fromisoformat(slot["start"])
        local = self.tools.local(start)
        wanted = self._search_staff()
        if wanted and slot.get("staff_ids") and wanted not in slot["staff_ids"]:
            # Never a different barber without a word: look at the right agenda for that time.
            self._search_and_offer(When(local.date(), local.date(), time=local.time()), choose=self._choose_for_modify)
            return
        if self._needs_confirmation(slot):
            self._propose(slot)
            return
        new_staff = self.data.staff_id if self.data.staff_id and self.data.staff_id != self.data.current_staff_id else None
        try:
            info = self.tools.reschedule(self.data.appointment_id, start, staff_id=new_staff)
        except ToolError as error:
            self.data.take("offered")
            self.say(f"Uy, {lower_first(str(error))} Estos son los horarios que sí tengo ese día:")
            self._search_and_offer(When(local.date(), local.date()), choose=self._choose_for_modify)
            return
        self.data.current_staff_id = new_staff or self.data.current_staff_id
        local = datetime.fromisoformat(info["start"])
        day_short = self._weekday_phrase(local.date())
        self.data.day_short = day_short
        self.data.current_day = local.date().isoformat()
        self.data.take("offered")
        self.goto("confirming")
        # A time the customer stated for a day not shown in a list of times (the appointment's own
        # day, or a date in the same message): repeat the full date understood.
        full = slot.get("asked") and not self.day_from_offers
        day = f"el {format_date(local.date())}" if full else day_short
        self.say(f"Listo, cambié tu cita para {day} {format_at_time(local)}. ¿Todo bien?")

    def _weekday_phrase(self, day: date) -> str:
        rel = relative_day_label(day, self.today)
        if rel:
            return rel
        if 0 < (day - self.today).days < 7:
            return "el " + format_date(day).split()[0]
        return "el " + format_date(day)


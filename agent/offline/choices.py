"""Choices the engine must not make alone: what it inferred is stated back and confirmed.

* a **proposal** ("¿Te agendo corte de cabello el miércoles 14 de enero a las 5:00 PM?") before
  booking or moving anything the customer did not fully state: a day the engine assumed, a
  service from earlier in the chat, a time picked by a superlative ("lo más temprano");
* an **alternative** when the person asked for ("con Miguel") is busy at the asked time but
  someone else is free: offered by name, booked only when the customer accepts it;
* **superlatives** ("lo más temprano que tengas", "lo más tarde posible") over real slots.
"""

from __future__ import annotations

from datetime import date, datetime

from agent.offline.common import cap, minutes
from agent.spanish.dates import PART_OF_DAY_MINUTES, When, parse_choice_number
from agent.spanish.format import (
    format_at_time,
    format_date,
    format_price,
    relative_day_label,
)
from agent.spanish.offscript import is_bare_no
from agent.tools import ToolError, as_utc, first_name

DATETIME_STEP = {"booking": "collecting_datetime", "modify": "collecting_new_datetime"}


class ChoicesMixin:
    # ---- proposals ---------------------------------------------------------------------------

    def _needs_confirmation(self, slot: dict) -> bool:
        if slot.get("confirmed"):
            return False
        inferred_service = self.flow == "booking" and self.data.service_inferred
        return bool(slot.get("proposed") or slot.get("inferred_day") or inferred_service or self.unknown_staff)

    def _propose(self, slot: dict, staff_id: str | None = None) -> None:
        staff = staff_id or (self.data.staff_id if self.data.staff_id in slot.get("staff_ids", []) else None)
        if self.unknown_staff and not staff and slot.get("staff_ids"):
            staff = slot["staff_ids"][0]  # someone else than the name asked for: named in the question
        self.data.proposal = {"start": slot["start"], "staff_ids": slot.get("staff_ids", []), "staff_id": staff}
        self.goto("confirming_booking" if self.flow == "booking" else "confirming_move")
        self.say(self._unknown_staff_note() + self._proposal_text())

    def _unknown_staff_note(self) -> str:
        if not self.unknown_staff:
            return ""
        names = [first_name(s.get("name")) for s in self.tools.staff()]
        team = " y ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
        return f"En el equipo no tengo a {self.unknown_staff}; te pueden atender {team}. "

    def _proposal_text(self) -> str:
        proposal = self.data.proposal or {}
        service = self._service()
        if not proposal or service is None:
            return "¿Para qué día y hora te gustaría?"
        local = self.tools.local(datetime.fromisoformat(proposal["start"]))
        who = self._staff_first_name(proposal.get("staff_id"))
        with_who = f" con {who}" if who else ""
        rel = relative_day_label(local.date(), self.today)
        day = f"{rel} {format_date(local.date())}" if rel else f"el {format_date(local.date())}"
        when = f"{day} {format_at_time(local)}{with_who}"
        if self.flow == "booking":
            price = format_price(int(service["price_cents"]))
            return f"¿Te agendo {service['name'].lower()} ({price}) {when}? (sí / no)"
        return f"¿Cambio tu cita de {service['name'].lower()} para {when}? (sí / no)"

    def _proposal_step(self, choose) -> None:
        proposal = self.data.proposal
        back = DATETIME_STEP[self.flow]
        content = (
            not self.when.is_empty or self._bare_hour() is not None or self.superlative
            or parse_choice_number(self.text, max(len(self.data.offered), 1)) is not None
        )
        if proposal and "affirm" in self.intents and "deny" not in self.intents and not content:
            self.understood()
            self.data.proposal = None
            self.data.service_inferred = False
            if proposal.get("staff_id"):
                self.data.staff_id = proposal["staff_id"]  # accepted by name in the question
            self.goto(back)
            choose({"start": proposal["start"], "staff_ids": proposal.get("staff_ids", []), "confirmed": True})
            return
        if "deny" in self.intents or is_bare_no(self.text):
            self.understood()
            self.data.proposal = None
            self.goto(back)
            done = "no lo agendo" if self.flow == "booking" else "no la cambio"
            self.say(f"Va, {done}. ¿Qué otro día u horario te funciona?")
            return
        if content or not proposal:
            self.data.proposal = None
            self.goto(back)
            self._datetime_step(choose)
            return
        self._not_understood()

    # ---- someone else at the asked time --------------------------------------------------------

    def _offer_someone_else(self, service: dict, slots: list, day: date, day_to: date, clock, explicit: bool, lead: str, choose) -> bool:
        """The person asked for is busy at ``clock`` on ``day``; someone else is free: say so."""
        if not explicit or day != day_to:
            return False
        try:
            anyone = self.tools.find_slots(service["id"], day, day, None)
        except ToolError:
            return False
        wanted = self._search_staff()
        free = [s for s in anyone if self.tools.local(s.start).time() == clock]
        others = [str(sid) for s in free for sid in s.staff_ids if str(sid) != wanted]
        if not others:
            return False
        try:
            alt_name = first_name(self.tools.staff_member(others[0])["name"])
        except ToolError:
            return False
        who = self._staff_first_name(wanted) or "esa persona"
        self.data.alternative = {"start": as_utc(free[0].start).isoformat(), "staff_id": others[0]}
        verb = "Te agendo" if self.flow == "booking" else "Te cambio"
        note = f"{cap(self._day_label(day))} {format_at_time(clock)}, {who} ya está ocupado, pero {alt_name} sí tiene espacio a esa hora."
        own = [s for s in slots if self.tools.local(s.start).date() == day]
        if not own:
            self.data.offered = []
            self.say(f"{note} ¿{verb} con {alt_name} {format_at_time(clock)}?")
            return True
        target = datetime.combine(day, clock, tzinfo=self.tools.tz)
        nearest = sorted(own, key=lambda s: abs((self.tools.local(s.start) - target).total_seconds()))[:3]
        nearest.sort(key=lambda s: s.start)
        question = f"¿{verb} con {alt_name} {format_at_time(clock)}, o prefieres uno de estos horarios con {who}?"
        self._offer(nearest, single_day=True, lead=lead, notes=[note], part=None, intro="Lo más cercano que tengo", question=question)
        return True

    def _answer_alternative(self, choose) -> bool:
        """The answer to "¿Te agendo con Carlos a esa hora, o uno de estos con Miguel?"."""
        alt = self.data.alternative or {}
        named_alt = self.staff_changed and self.data.staff_id == alt.get("staff_id")
        other_pick = (
            not self.when.is_empty or self._bare_hour() is not None or self.superlative
            or parse_choice_number(self.text, max(len(self.data.offered), 1)) is not None
        )
        yes = "affirm" in self.intents and "deny" not in self.intents
        if alt and yes and self.ack and not named_alt and not other_pick:
            # "ok" to "¿con Carlos a esa hora, o uno de estos con Miguel?" picks neither: ask.
            self.understood()
            self.data.alternative = None
            self._propose({"start": alt["start"], "staff_ids": [alt["staff_id"]]}, staff_id=alt["staff_id"])
            return True
        if alt and (named_alt or (yes and not self.staff_changed)) and not other_pick:
            self.understood()
            self.data.alternative = None
            self.data.staff_id = alt["staff_id"]  # the customer accepted this person by name or "sí"
            choose({"start": alt["start"], "staff_ids": [alt["staff_id"]], "asked": True})
            return True
        self.data.alternative = None
        if ("deny" in self.intents or is_bare_no(self.text)) and not other_pick:
            self.understood()
            who = self._staff_first_name(self._search_staff())
            if self.data.offered:
                self.say(f"Va, con {who} entonces. " + self._step_prompt())
            else:
                self.say(f"Va. ¿Qué otro día u horario te funciona con {who}?")
            return True
        return False

    # ---- superlatives --------------------------------------------------------------------------

    def _superlative_pick(self, choose) -> None:
        """"lo más temprano que tengas": the earliest (or latest) real slot of what is on the table."""
        search, offered = self.data.search, self.data.offered
        service = self._service()
        if service is not None and offered and search and self.when.is_empty:
            try:
                slots = self.tools.find_slots(
                    service["id"], date.fromisoformat(search["from"]), date.fromisoformat(search["to"]), self._search_staff()
                )
            except ToolError:
                slots = []
            if search.get("part") in PART_OF_DAY_MINUTES:
                lo, hi = self.tools.part_of_day_minutes(search["part"])
                slots = [s for s in slots if lo <= minutes(self.tools.local(s.start)) < hi]
            if slots:
                chosen = min(slots, key=lambda s: s.start) if self.superlative == "first" else max(slots, key=lambda s: s.start)
                start = as_utc(chosen.start).isoformat()
                shown = next((o for o in offered if o["start"] == start), None)
                # A time on the list just shown was stated; any other is proposed first.
                choose(shown if shown is not None else {**self._slot_dict(chosen), "proposed": True})
                return
        when = self.when
        if when.is_empty and search and not offered:
            when = When(date.fromisoformat(search["from"]), date.fromisoformat(search["to"]), search.get("part"))
        self._search_and_offer(when, choose=choose, pick=self.superlative)

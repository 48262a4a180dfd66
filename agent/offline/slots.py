"""Picking a day and time (booking and modify): real slots only, offered and chosen."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from agent.offline.common import (
    BARE_HOUR_RE,
    SEARCH_AHEAD_DAYS,
    bad_date_text,
    cap,
    minutes,
)
from agent.spanish.dates import (
    When,
    parse_choice_number,
    parse_time,
)
from agent.spanish.format import (
    format_at_time,
    format_date,
    format_price,
    format_time,
    relative_day_label,
)
from agent.spanish.matching import match_option
from agent.tools import (
    ToolError,
    as_utc,
    spread,
)


class SlotsMixin:
    # ---- picking a date and time (booking and modify) -------------------------------------------

    def _datetime_step(self, choose) -> None:
        if self.staff_changed:
            self.data.offered = []  # offers made before "con Miguel" may be someone else's
        offered = self.data.offered or []
        when = self.when
        if self.bad_date:
            self.understood()
            self.say(f"{bad_date_text(self.bad_date)} ¿Qué otro día te gustaría?")
            return
        if self.data.alternative and self._answer_alternative(choose):
            return
        if self.superlative:
            self.understood()
            self._superlative_pick(choose)
            return
        if self.staff_changed and when.is_empty and self._bare_hour() is None and self.data.search:
            self.understood()  # "con Miguel" alone: the same day(s), his times
            search = self.data.search
            self._search_and_offer(
                When(date.fromisoformat(search["from"]), date.fromisoformat(search["to"]), search.get("part")), choose=choose
            )
            return
        if offered:
            self.data.take("ambiguous_number")
            pick = self._pick_offered(offered)
            if pick is not None:
                self.understood()
                choose(pick)
                return
            n = self.data.take("ambiguous_number")
            if n:
                # "4" with four options: option 4, or 4 o'clock? Ask rather than guess.
                self.understood()
                option = self.tools.local(datetime.fromisoformat(offered[n - 1]["start"]))
                bare = self._bare_hour()
                self.say(f"¿Te refieres a la opción {n} ({format_time(option)}) o {format_at_time(bare)}?")
                return
        clock = when.time or self._bare_hour()
        if clock is not None or not when.is_empty:
            self.understood()
            search = self.data.search or {}
            date_from, date_to = when.date_from, when.date_to
            if date_from is None and search.get("from") and (clock is not None or when.part_of_day):
                self.day_from_offers = True  # "11:30" after the sábado's times: that sábado
                date_from = date.fromisoformat(search["from"])
                date_to = date.fromisoformat(search.get("offered_day") or search["to"]) if clock is not None else date.fromisoformat(search["to"])
            elif date_from is None and self.flow == "modify" and self.data.current_day and (clock is not None or when.part_of_day) and not when.is_now:
                # "mejor a las 5": a new time without a date keeps the appointment's own day.
                date_from = date_to = date.fromisoformat(self.data.current_day)
            merged = When(date_from=date_from, date_to=date_to or date_from, part_of_day=when.part_of_day, time=clock, is_now=when.is_now)
            self._search_and_offer(merged, lead="Perfecto. " if when.date_from is not None else "", choose=choose)
            return
        if "deny" in self.intents or re.search(r"\botr[oa] (?:dia|hora|horario|fecha)\b", self.norm):
            self.understood()
            self.data.take("offered")
            self.say("Va. ¿Qué otro día u horario te funciona?")
            return
        if self.intents & {"thanks", "bye"} and not self.intents & {"affirm"}:
            self.understood()
            self.finish()
            self.say("¡Con gusto! Cuando quieras retomar tu cita, aquí estoy. 👋")
            return
        if self.intents & {"affirm"} and len(offered) == 1:
            self.understood()
            choose(offered[0])
            return
        self._not_understood()

    def _bare_hour(self) -> time | None:
        """'4', 'las 5', '11:30' alone: an hour of the day (1-7 are afternoon)."""
        m = BARE_HOUR_RE.match(self.norm)
        if not m:
            return None
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if not (1 <= hour <= 23 and 0 <= minute < 60):
            return None
        if 1 <= hour <= 7:
            hour += 12
        return time(hour, minute)

    def _pick_offered(self, offered: list[dict]) -> dict | None:
        locals_ = [self.tools.local(datetime.fromisoformat(o["start"])) for o in offered]
        n = parse_choice_number(self.text, len(offered))
        if n:
            bare = self._bare_hour() if self.norm.isdigit() else None
            if bare is not None and locals_[n - 1].time() != bare:
                hour_offered = [o for o, lt in zip(offered, locals_) if lt.time() == bare]
                if hour_offered:
                    return hour_offered[0]  # "4" with 4:00 PM on the list: the time
                self.data.ambiguous_number = n
                return None
            return offered[n - 1]
        clock = parse_time(self.text) or self._bare_hour()
        if clock is not None:
            same = [o for o, lt in zip(offered, locals_) if lt.time() == clock]
            if self.when.date_from is not None:
                same = [o for o, lt in zip(offered, locals_) if lt.time() == clock and self.when.date_from <= lt.date() <= (self.when.date_to or self.when.date_from)]
            if len(same) >= 1:
                return same[0]
            return None
        if self.when.is_empty:
            labels = [f"{format_date(lt.date())} {format_time(lt)}" for lt in locals_]
            index = match_option(self.text, labels)
            if index is not None:
                return offered[index]
        return None

    def _search_and_offer(self, when: When, *, lead: str = "", choose=None, pick: str | None = None) -> None:
        """Find real slots for ``when``; choose the exact one asked for when free, else offer."""
        choose = choose or (self._choose_for_booking if self.flow == "booking" else self._choose_for_modify)
        service = self._service()
        if service is None:
            self.goto("collecting_service")
            self.say("¿Qué servicio te gustaría agendar? Tenemos:\n" + self._service_list())
            return
        if not self.tools.bookings_open:
            self._bookings_paused()
            return
        if not self.tools.service_offered_by_anyone(service["id"]):
            self._nobody_offers(service)
            return
        staff_id = self._search_staff()
        explicit_day = when.date_from is not None
        if explicit_day and when.date_from > self.tools.last_bookable_day:
            self._beyond_horizon(service, when, staff_id)
            return
        date_from = when.date_from or self.today
        date_to = when.date_to or date_from
        if not explicit_day:
            date_to = date_from + timedelta(days=SEARCH_AHEAD_DAYS - 1)
        date_from = max(date_from, self.today)
        date_to = max(date_to, date_from)
        notes: list[str] = []
        if explicit_day and date_to > self.tools.last_bookable_day:
            # "en febrero": part of the range is past the horizon; say how far the agenda goes.
            notes.append(f"Por ahora solo agendo hasta el {format_date(self.tools.last_bookable_day)}.")
        try:
            slots = self.tools.find_slots(service["id"], date_from, date_to, staff_id)
        except ToolError:
            self._cannot_check_agenda()
            return
        exclude = self.data.exclude_start
        if exclude:
            slots = [s for s in slots if as_utc(s.start).isoformat() != exclude]
        part = when.part_of_day
        clock = when.time
        days_requested = (date_from, date_to)

        if clock is not None:
            exact = [s for s in slots if self.tools.local(s.start).time() == clock]
            if exact:
                inferred = not explicit_day and not self.day_from_offers
                choose({**self._slot_dict(exact[0]), "asked": True, "inferred_day": inferred})
                return
            if staff_id and self._offer_someone_else(service, slots, date_from, date_to, clock, explicit_day, lead, choose):
                return
            # Not free: say so, offer the nearest on the first day that has anything.
            day_slots = self._first_day(slots)
            label = self._day_label(date_from) if explicit_day and date_from == date_to else ""
            when_txt = f"{label} " if label else ""
            if day_slots:
                day = self.tools.local(day_slots[0].start).date()
                target = datetime.combine(day, clock, tzinfo=self.tools.tz)
                nearest = sorted(day_slots, key=lambda s: abs((self.tools.local(s.start) - target).total_seconds()))[:3]
                nearest.sort(key=lambda s: s.start)
                hours = self.tools.hours_for(day)
                if hours and not any(a <= clock < b for a, b in hours):
                    ranges = " y de ".join(f"{format_time(a)} a {format_time(b)}" for a, b in hours)
                    notes.append(f"{cap(self._day_label(day))} abrimos de {ranges}.")
                elif explicit_day and day != date_from:
                    notes.append(f"{cap(when_txt)}{format_at_time(clock)} no tengo espacio.".strip())
                else:
                    notes.append(f"{cap(when_txt)}{format_at_time(clock)} ya no tengo espacio.".strip())
                self._offer(nearest, single_day=True, lead=lead, notes=notes, intro="Lo más cercano que tengo", part=None)
                return
            notes.append(self._nothing_text(date_from, date_to, None, explicit_day))
            self._offer_next(service, date_to, staff_id, None, notes)
            return

        if part:
            lo, hi = self.tools.part_of_day_minutes(part)
            in_part = [s for s in slots if lo <= minutes(self.tools.local(s.start)) < hi]
        else:
            in_part = slots
        if when.is_now:
            in_part = [s for s in slots if self.tools.local(s.start).date() == self.today]
        if not in_part:
            notes.append(self._nothing_text(date_from, date_to, part, explicit_day))
            self._offer_next(service, date_to, staff_id, part, notes)
            return
        if not explicit_day:
            # No day given: the first day that has room.
            in_part = self._first_day(in_part)
        if pick:
            chosen = min(in_part, key=lambda s: s.start) if pick == "first" else max(in_part, key=lambda s: s.start)
            choose({**self._slot_dict(chosen), "proposed": True})
            return
        days = {self.tools.local(s.start).date() for s in in_part}
        if len(days) == 1:
            count = 3 if part else 4
            self._offer(spread(in_part, count), single_day=True, lead=lead, notes=notes, part=part)
        else:
            self._offer(spread(in_part, 5), single_day=False, lead=lead, notes=notes, part=part, days=days_requested)

    def _offer_next(self, service: dict, after: date, staff_id: Any, part: str | None, notes: list[str]) -> None:
        start = after + timedelta(days=1)
        try:
            later = self.tools.find_slots(service["id"], start, start + timedelta(days=SEARCH_AHEAD_DAYS - 1), staff_id)
        except ToolError:
            later = []
        if part:
            lo, hi = self.tools.part_of_day_minutes(part)
            in_part = [s for s in later if lo <= minutes(self.tools.local(s.start)) < hi]
            later = in_part or later
        first = self._first_day(later)
        if not first:
            self.data.take("offered")
            owner = self.tools.owner_name()
            self._offer_handoff(f"Un cliente busca cita de {service['name'].lower()} y no hay espacios en los próximos días: «{self.text[:200]}»")
            self.say(
                "\n".join([*notes, f"Por ahora no tengo espacios en los próximos días. ¿Quieres que le pase tu mensaje a {owner} para ver opciones?"])
            )
            return
        self._offer(spread(first, 3), single_day=True, lead="", notes=notes, part=part if part and first is not later else None, intro="El día más cercano con espacio es")

    def _offer(self, slots: list, *, single_day: bool, lead: str, notes: list[str], part: str | None,
               intro: str | None = None, days: tuple[date, date] | None = None,
               question: str = "¿Cuál te funciona mejor?") -> None:
        service = self._service()
        self.data.offered = [self._slot_dict(s) for s in slots]
        local_days = sorted({self.tools.local(s.start).date() for s in slots})
        self.data.search = {
            "from": local_days[0].isoformat(),
            "to": local_days[-1].isoformat(),
            "offered_day": local_days[0].isoformat(),
            "part": part,
        }
        what = f"{service['name'].lower()} ({format_price(int(service['price_cents']))})"
        who = self._staff_first_name(self._search_staff())
        if who:
            what += f" con {who}"
        lines = []
        if single_day:
            day = local_days[0]
            if intro == "Lo más cercano que tengo":
                head = f"Lo más cercano que tengo {self._short_day(day)} para {what} es:"
            elif intro:
                head = f"{intro} {self._short_day(day)}. Tengo estos horarios para {what}:"
            else:
                head = f"{cap(self._short_day(day))} tengo disponibles estos horarios para {what}:"
            lines = [f"• {format_time(self.tools.local(s.start))}" for s in slots]
        else:
            head = f"Estos son los horarios que tengo para {what}:"
            lines = [
                f"• {format_date(self.tools.local(s.start).date())}, {format_time(self.tools.local(s.start))}" for s in slots
            ]
        if self.flow == "booking" and self.data.service_inferred:
            question += " (Si es para otro servicio, dime cuál.)"
        notes = [self._unknown_staff_note().strip(), *notes]
        text = "\n".join([*(n for n in notes if n), lead + head if not any(notes) else head, *lines, question])
        self.say(text)

    def _beyond_horizon(self, service: dict, when: When, staff_id: Any) -> None:
        """A date past the booking horizon: say so, and offer the bookable days nearest to it."""
        last = self.tools.last_bookable_day
        note = f"Por ahora solo agendo hasta el {format_date(last)}; ¿te late algún día antes?"
        start = max(self.today, last - timedelta(days=SEARCH_AHEAD_DAYS - 1))
        try:
            slots = self.tools.find_slots(service["id"], start, last, staff_id)
        except ToolError:
            self._cannot_check_agenda()
            return
        if when.part_of_day:
            lo, hi = self.tools.part_of_day_minutes(when.part_of_day)
            slots = [s for s in slots if lo <= minutes(self.tools.local(s.start)) < hi] or slots
        days = sorted({self.tools.local(s.start).date() for s in slots})[-2:]
        nearest = [s for s in slots if self.tools.local(s.start).date() in days]
        if not nearest:
            self._offer_next(service, self.today - timedelta(days=1), staff_id, when.part_of_day, [note])
            return
        if len(days) == 1:
            self._offer(spread(nearest, 4), single_day=True, lead="", notes=[note], part=None,
                        intro="Lo más cercano a esa fecha que tengo es")
        else:
            per_day = [spread([s for s in nearest if self.tools.local(s.start).date() == d], 2) for d in days]
            self._offer([s for group in per_day for s in group], single_day=False, lead="", notes=[note], part=None)

    def _bookings_paused(self) -> None:
        """A suspended business: availability has nothing, but "no tengo espacio" would be untrue."""
        owner = self.tools.owner_name()
        self.finish()
        self._offer_handoff(f"Un cliente quiere agendar, pero las reservas están en pausa: «{self.text[:200]}»")
        self.say(
            f"Por ahora las reservas por aquí están en pausa, así que no puedo agendar ni mover citas. "
            f"¿Quieres que le pase tu mensaje a {owner}?"
        )

    def _cannot_check_agenda(self) -> None:
        owner = self.tools.owner_name()
        self.finish()
        self._offer_handoff(f"El asistente no pudo revisar la agenda para un cliente: «{self.text[:200]}»")
        self.say(f"Por ahora no puedo revisar la agenda por aquí. ¿Quieres que le pase tu mensaje a {owner}?")

    def _nobody_offers(self, service: dict) -> None:
        """A listed service no active staff member performs: it never has slots."""
        owner = self.tools.owner_name()
        name = service["name"].lower()
        self.finish()
        self._offer_handoff(f"Un cliente quiere {name}, pero nadie del equipo ofrece ese servicio: «{self.text[:200]}»")
        self.say(f"Por ahora nadie del equipo ofrece {name}. 😕 ¿Quieres que le pase tu mensaje a {owner} para ver opciones?")

    def _first_day(self, slots: list) -> list:
        if not slots:
            return []
        day = self.tools.local(slots[0].start).date()
        return [s for s in slots if self.tools.local(s.start).date() == day]

    def _slot_dict(self, slot: Any) -> dict:
        return {"start": as_utc(slot.start).isoformat(), "staff_ids": [str(s) for s in slot.staff_ids]}

    def _nothing_text(self, date_from: date, date_to: date, part: str | None, explicit_day: bool) -> str:
        part_txt = {"morning": " en la mañana", "afternoon": " en la tarde", "evening": " en la noche"}.get(part or "", "")
        if explicit_day and date_from == date_to:
            if self.tools.closed_on(date_from):
                return f"{cap(self._day_label(date_from))} no abrimos."
            return f"{cap(self._day_label(date_from))}{part_txt} ya no tengo espacio."
        if explicit_day:
            return f"En esas fechas{part_txt} no tengo espacio."
        return f"No tengo espacio{part_txt} en los próximos días."

    def _day_label(self, day: date) -> str:
        rel = relative_day_label(day, self.today)
        if rel:
            return f"{rel} {format_date(day).split()[0]}"
        return f"el {format_date(day)}"

    def _short_day(self, day: date) -> str:
        return self._day_label(day)


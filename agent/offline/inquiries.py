"""What can happen at any point of a dialogue: questions, handoffs, greetings, closings."""

from __future__ import annotations

import re
from datetime import datetime, time

from agent.offline.common import (
    ASK_SERVICE_RE,
    MAX_FAILURES,
    MOVING_ON,
    SERVICE_WORDS,
    cap,
    duration,
    join,
)
from agent.spanish.format import (
    format_at_time,
    format_date,
    format_price,
    format_time,
    relative_day_label,
)
from agent.spanish.intents import extract_name
from agent.spanish.matching import match_service
from agent.tools import (
    ToolError,
    first_name,
)


class InquiriesMixin:
    # ---- things that can happen at any point ---------------------------------------------------

    def _global_intents(self) -> bool:
        i = self.intents
        if self.asks_availability and self.flow in (None, "booking") and self.step != "collecting_personal_info":
            # "¿qué horarios tienes el jueves?": free times (the booking flow), not opening hours.
            i.discard("hours")
            if not self.flow and not i & {"cancel", "reschedule", "human"}:
                i.add("book")
        if self.flow == "modify" and self.step == "confirming" and (i & MOVING_ON or self._unoffered_service()):
            self._settle_reschedule()  # the customer moved on: "¿Todo bien?" is not asked again
        if "human" in i:
            self._handoff_requested()
            return True
        unoffered = self._unoffered_service()
        if unoffered:
            self._handoff_unoffered(unoffered)
            return True
        if "cancel" in i and not (self.flow == "cancel"):
            if self.flow == "booking" and not self.tools.list_my_appointments():
                self.finish()
                self.understood()
                self.say("Va, dejamos la cita para otro momento. Cuando quieras agendar, aquí estoy. 😊")
                return True
            self._start_cancel()
            return True
        explicit_change = re.search(
            r"\b(?:mi|la|una) cita\b|reagend|reprogram|cambiar?la\b|cambiamela\b|moverla\b|muevela\b|pasa(?:r)?la\b"
            r"|la que (?:ya )?tengo|ya tengo (?:una )?cita|me la (?:pasas|cambias|mueves)",
            self.norm,
        )
        if "reschedule" in i and self.flow != "modify" and (self.flow != "booking" or explicit_change):
            self._start_modify()
            return True
        if "my_appointments" in i and not (i & {"book"}) and self.step != "identifying_booking":
            self.understood()
            self.say(self._appointments_text() + self._reprompt_suffix())
            return True
        if i & {"prices", "hours", "services", "location"}:
            self.understood()
            parts = []
            ask_owner = False
            if "location" in i:
                text, ask_owner = self._location_text()
                parts.append(text)
            if "hours" in i:
                parts.append(self._hours_answer())
            if i & {"prices", "services"}:
                parts.append(self._prices_text())
            if ask_owner:
                self._offer_handoff(f"Un cliente pregunta la dirección del negocio: «{self.text[:200]}»")
                suffix = f"\n¿Quieres que le pase tu pregunta a {self.tools.owner_name()} para que te la mande?"
            else:
                suffix = self._reprompt_suffix()
            if not suffix:
                suffix = "\n¿Te gustaría agendar una cita?"
                self.state.offer_booking = {"service_id": self.state.last_service_id}
            self.say("\n\n".join(parts) + suffix)
            return True
        return False

    def _settle_reschedule(self) -> None:
        """Close a finished change whose "¿Todo bien?" the customer did not need to answer."""
        self.finish({"kind": "rescheduled", "day_short": (self.data.day_short or "pronto")})

    # ---- handoff offers ---------------------------------------------------------------------

    def _offer_handoff(self, reason: str) -> None:
        """Ask "¿Quieres que le pase tu mensaje...?"; a "sí" next turn hands off."""
        self.state.offer_handoff = {"reason": reason[:300]}

    def _accept_offered_handoff(self) -> bool:
        offer = self.offered_handoff
        if offer is None or "affirm" not in self.intents or self.intents & {"deny"}:
            return False
        if not self.when.is_empty or self._service_ids() or self.intents & (MOVING_ON - {"human"}):
            return False  # "sí, el lunes": an answer to the flow, not to the offer
        owner = self.tools.owner_name()
        self.tools.handoff(offer.get("reason") or f"El cliente pidió que le pasara su mensaje: «{self.text[:200]}»")
        self.out.handoff_reason = self.tools.handoff_reason
        self.understood()
        self.finish()
        self.say(f"Va. Ya le avisé a {owner}; te escribirá pronto por aquí.")
        return True

    def _reprompt_suffix(self) -> str:
        if not self.flow:
            return ""
        return "\n\n" + self._step_prompt()

    def _has_appointments(self) -> bool:
        try:
            return bool(self.tools.list_my_appointments())
        except ToolError:
            return False

    def _unoffered_service(self) -> str | None:
        """A beauty service the customer asks about that the business does not offer."""
        if self.step == "collecting_personal_info" and extract_name(self.text):
            return None
        words = self.norm.split()
        asked = [w for w in words if w in SERVICE_WORDS]
        if re.search(r"\buñas?\b", self.text.lower()):
            asked.append("unas")
        if not asked:
            return None
        services = self._service_pairs()
        for word in asked:
            if match_service(word, services) is None:
                if self._service_ids() and not ASK_SERVICE_RE.search(self.norm):
                    continue
                return word
        return None

    def _handoff_requested(self) -> None:
        owner = self.tools.owner_name()
        self.tools.handoff("El cliente pidió hablar con una persona: " + self.text[:200])
        self.out.handoff_reason = self.tools.handoff_reason
        self.understood()
        self.say(f"Claro, ya le avisé a {owner}; te escribirá pronto por aquí. 🙌")

    def _handoff_unoffered(self, word: str) -> None:
        owner = self.tools.owner_name()
        names = join([s["name"].lower() for s in self.tools.services()])
        self.tools.handoff(f"Un cliente pregunta por un servicio que no está en la lista ({word}): «{self.text[:200]}»")
        self.out.handoff_reason = self.tools.handoff_reason
        self.understood()
        self.say(
            f"Actualmente los servicios que tenemos son {names}. Para preguntas sobre servicios "
            f"adicionales, déjame pasarle tu mensaje a {owner}, el dueño."
        )
        # Handed off: the agent stays quiet until the owner resolves it, so no "¿algo más?".
        self.say(f"Ya le avisé a {owner}; te escribirá pronto por aquí.")

    # ---- no flow -----------------------------------------------------------------------------

    def _idle(self) -> None:
        i = self.intents
        service_ids = self._service_ids()
        if not i and re.search(r"\bcitas?\b", self.norm):
            i.add("book")  # "cita", "una cita porfa"
        wants_booking = "book" in i or bool(service_ids) or (
            (not self.when.is_empty or self.bad_date) and not i & {"thanks", "bye"}
        )
        if wants_booking:
            self.understood()
            self._start_booking(service_ids)
            return
        if self.offered_booking is not None and "affirm" in i and not i & {"deny", "thanks", "bye"}:
            self.understood()
            sid = self.offered_booking.get("service_id")
            self._start_booking([sid] if sid else [])
            return
        if i & {"thanks", "bye", "affirm"} and not (i & {"greeting"} and not i & {"thanks", "bye"}):
            self.understood()
            self._closing()
            return
        if "greeting" in i:
            self.understood()
            name, _ = self.tools.known_name()
            business = self.tools.business_name
            if self.learned_name:
                self.say(
                    f"¡Hola, {first_name(self.learned_name)}! Mucho gusto. Te damos la bienvenida a {business}. "
                    "¿En qué te puedo ayudar?"
                )
            elif name:
                self.say(f"¡Hola, {first_name(name)}! Qué gusto saludarte de nuevo en {business}. ¿En qué te puedo ayudar?")
            else:
                self.say(f"¡Hola! Te damos la bienvenida a {business}. ¿En qué te puedo ayudar?")
            return
        if "deny" in i:
            self.understood()
            self.say("Está bien. Si necesitas algo más, aquí estoy. 😊")
            return
        self._not_understood()

    def _closing(self) -> None:
        last = self.state.last or {}
        hour = self.tools.now.astimezone(self.tools.tz).hour
        part = "buen día" if hour < 12 else ("buena tarde" if hour < 19 else "buena noche")
        if last.get("kind") == "rescheduled" and not last.get("acknowledged"):
            last["acknowledged"] = True
            name = first_name(self.tools.known_name()[0])
            who = f", {name}" if name else ""
            self.say(f"¡Excelente! Nos vemos {last.get('day_short', 'pronto')}{who}. 👍")
            return
        self.say(f"¡Con gusto! Que tengas {part}. 👋")

    def _not_understood(self) -> None:
        self.state.failures = int((self.state.failures or 0)) + 1
        if self.state.failures >= MAX_FAILURES:
            owner = self.tools.owner_name()
            self.tools.handoff(f"El asistente no logró entender al cliente después de {MAX_FAILURES} intentos. Último mensaje: «{self.text[:200]}»")
            self.out.handoff_reason = self.tools.handoff_reason
            self.state.failures = 0
            self.say(f"Perdón, no logro entenderte bien. Ya le pasé tu mensaje a {owner} para que te ayude personalmente; te escribirá pronto. 🙏")
            return
        if self.flow:
            self.say("Perdón, no te entendí bien. " + self._step_prompt())
        else:
            self.say(
                "Perdón, no te entendí bien. 😅 Puedo ayudarte a:\n• Agendar una cita\n• Cambiar o cancelar tu cita\n"
                "• Ver tus citas\n• Darte precios y horarios\n¿Qué te gustaría hacer?"
            )

    def _prices_text(self) -> str:
        ids = self._service_ids()
        if len(ids) == 1:
            self.state.last_service_id = ids[0]
            s = next(r for r in self.tools.services() if str(r["id"]) == ids[0])
            return f"El {s['name'].lower()} cuesta {format_price(int(s['price_cents']))} y dura {duration(int(s['duration_minutes']))}."
        return "Estos son nuestros servicios y precios:\n" + self._service_list()

    def _hours_answer(self) -> str:
        """Hours; when the customer names a day ("¿abren el domingo?"), that day first."""
        when = self.when
        if when.date_from is None or when.date_from != when.date_to:
            return self._hours_text()
        day = when.date_from
        rel = relative_day_label(day, self.today)
        if rel:
            label = f"{rel} {format_date(day).split()[0]}"
        elif 0 < (day - self.today).days <= 7:
            label = "el " + format_date(day).split()[0]  # "¿abren el domingo?": the coming one
        else:
            label = "el " + format_date(day)
        hours = self.tools.hours_for(day)
        if self.tools.closed_on(day):
            if hours:  # a closure on a day that is normally open: name the date itself
                label = "el " + format_date(day) if not rel else label
            summary = self._open_days_sentence()
            return f"{cap(label)} no abrimos." + (f" {summary}" if summary else "")
        ranges = " y de ".join(f"{format_time(a)} a {format_time(b)}" for a, b in hours)
        return f"{cap(label)} abrimos de {ranges}."

    def _open_days_sentence(self) -> str:
        """"De lunes a viernes abrimos de 10:00 AM a 8:00 PM y el sábado de 10:00 AM a 6:00 PM." """
        names = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
        keys = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        hours = self.tools.business_hours()
        groups: list[tuple[int, int, str]] = []
        for i, k in enumerate(keys):
            text = " y de ".join(
                f"{format_time(time.fromisoformat(a))} a {format_time(time.fromisoformat(b))}" for a, b in (hours.get(k) or [])
            )
            if groups and groups[-1][2] == text:
                groups[-1] = (groups[-1][0], i, text)
            else:
                groups.append((i, i, text))
        pieces: list[tuple[str, str]] = []
        for a, b, text in groups:
            if not text:
                continue
            if a == b:
                days = f"el {names[a]}"
            elif b == a + 1:
                days = f"el {names[a]} y el {names[b]}"
            else:
                days = f"de {names[a]} a {names[b]}"
            pieces.append((days, text))
        if not pieces:
            return ""
        (days, text), rest = pieces[0], pieces[1:]
        parts = [f"{cap(days)} abrimos de {text}", *(f"{d} de {t}" for d, t in rest)]
        return join(parts) + "."

    def _location_text(self) -> tuple[str, bool]:
        """(answer, ask the owner): the location name and address from the read model."""
        locations = self.tools.locations()
        with_address = [loc for loc in locations if (loc.get("address") or "").strip()]
        if len(with_address) == 1 or (with_address and len(locations) == 1):
            loc = with_address[0]
            return f"Nuestra sucursal {loc.get('name') or self.tools.business_name} está en {loc['address'].strip()}. 📍", False
        if with_address:
            lines = [f"• {loc.get('name')}: {loc['address'].strip()}" for loc in with_address]
            return "Estas son nuestras sucursales:\n" + "\n".join(lines), False
        if locations:
            name = locations[0].get("name") or self.tools.business_name
            return f"Estamos en {self.tools.business_name}, sucursal {name}, pero no tengo la dirección exacta a la mano.", True
        return "No tengo la dirección exacta a la mano.", True

    def _hours_text(self) -> str:
        names = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")
        keys = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        hours = self.tools.business_hours()

        def label(k: str) -> str:
            ranges = hours.get(k) or []
            if not ranges:
                return "cerrado"
            return ", ".join(
                f"{format_time(time.fromisoformat(a))} a {format_time(time.fromisoformat(b))}" for a, b in ranges
            )

        groups: list[tuple[int, int, str]] = []
        for i, k in enumerate(keys):
            text = label(k)
            if groups and groups[-1][2] == text:
                groups[-1] = (groups[-1][0], i, text)
            else:
                groups.append((i, i, text))
        lines = []
        for a, b, text in groups:
            days = names[a] if a == b else (f"{names[a]} y {names[b].lower()}" if b == a + 1 else f"{names[a]} a {names[b].lower()}")
            lines.append(f"• {days}: {text}")
        return f"Nuestro horario en {self.tools.business_name} es:\n" + "\n".join(lines)

    def _appointments_text(self) -> str:
        appointments = self.tools.list_my_appointments()
        if not appointments:
            self.state.offer_booking = {}
            return "No tienes citas próximas. ¿Quieres agendar una?"
        lines = []
        for a in appointments:
            local = datetime.fromisoformat(a["start"])
            lines.append(f"• {a['service']} - {a['date_text']} {format_at_time(local)} ({a['price']})")
        head = "Tienes esta cita:" if len(appointments) == 1 else "Tienes estas citas:"
        return head + "\n" + "\n".join(lines)


"""Deterministic Spanish state machines for customers: booking, modify, cancel, inquiries.

Every turn reads the stored ``state`` (a JSON-able dict), understands the message with the
``agent.spanish`` toolkit, acts through ``CustomerTools`` (scoped to the customer writing) and
returns the replies and the new state. Slots are only ever the AvailabilityService's.

State layout::

    {"flow": "booking"|"modify"|"cancel"|None, "step": str|None, "data": {...},
     "status": "active"|"abandoned", "last_active_state": str|None,
     "failures": int, "updated_at": iso, "last": {...} (the last thing done, for "gracias")}
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from agent.spanish.dates import PART_OF_DAY_MINUTES, When, invalid_date, parse_choice_number, parse_time, parse_when
from agent.spanish.format import (
    format_at_time,
    format_date,
    format_duration,
    format_price,
    format_time,
    relative_day_label,
)
from agent.spanish.intents import detect_intents, extract_name
from agent.spanish.matching import match_option, match_service
from agent.spanish.text import normalize
from agent.tools import CustomerTools, ToolError, as_utc, confirmation_text, first_name, spread, staff_mentioned

ABANDON_AFTER = timedelta(minutes=30)
FORGET_AFTER = timedelta(hours=24)
MAX_FAILURES = 3
SEARCH_AHEAD_DAYS = 7
SEE_YOU = "¡Nos vemos!"

# Words naming beauty services: asked about but not offered -> the owner answers (handoff).
_SERVICE_WORDS = (
    "tinte", "tintes", "tenir", "mechas", "rayitos", "decoloracion",
    "manicure", "manicura", "pedicure", "pedicura", "gelish", "acrilico", "acrilicas", "peinado",
    "peinados", "maquillaje", "ceja", "cejas", "pestanas", "alaciado", "keratina", "botox",
    "depilacion", "depilar", "facial", "faciales", "masaje", "masajes", "permanente", "rizado",
    "tratamiento", "tratamientos", "lavado", "afeitado", "rasurado", "barba", "corte", "cortes",
    "manipedi", "mani", "pedi", "extensiones", "trenzas", "diseno", "delineado", "microblading",
)  # fmt: skip
_ASK_SERVICE_RE = re.compile(r"\b(?:hacen|haces|manejan|manejas|ofrecen|ofreces|tienen|tienes|dan|venden)\b")
_BARE_HOUR_RE = re.compile(r"^(?:a las |las |a la |la )?(\d{1,2})(?:[:.](\d{2}))?$")
# "me llamo Pedro" / "mi nombre es Ana" said outside the name question: the name is learned.
_STATED_NAME_RE = re.compile(r"(?:^|(?<=[\s,.;!¡¿?]))(?:me\s+llamo|mi\s+nombre\s+es)\s+", re.IGNORECASE)
_NAME_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Intents that move a conversation on from "¿Todo bien?" after a change.
_MOVING_ON = frozenset({"my_appointments", "prices", "hours", "services", "location", "human", "cancel", "book"})


@dataclass
class Turn:
    replies: list[str] = field(default_factory=list)
    handoff_reason: str | None = None


class OfflineEngine:
    """``handle(text, state, tools, profile_name) -> (replies, state, handoff_reason)``."""

    def handle(
        self, text: str, state: dict, tools: CustomerTools, profile_name: str | None = None
    ) -> tuple[list[str], dict, str | None]:
        run = _Run(text or "", copy.deepcopy(state or {}), tools, profile_name)
        run.go()
        run.state["updated_at"] = tools.now.isoformat()
        return run.out.replies, run.state, run.out.handoff_reason


class _Run:
    def __init__(self, text: str, state: dict, tools: CustomerTools, profile_name: str | None) -> None:
        self.state = state
        self.tools = tools
        self.profile_name = profile_name
        self.out = Turn()
        self.today = tools.today
        self._parse(_preclean(text))
        self.state.setdefault("failures", 0)
        self.state.setdefault("data", {})
        self.prefix: list[str] = []
        self.learned_name: str | None = None  # "me llamo Pedro" this turn: greeted once by name
        self.replied_to_name = False
        self.day_from_offers = False
        # "¿Quieres agendar...?" asked last turn: a "sí" now starts a booking (valid one turn).
        self.offered_booking = self.state.pop("offer_booking", None)
        # "¿Quieres que le pase tu mensaje a Carlos?" asked last turn: a "sí" hands off (one turn).
        self.offered_handoff = self.state.pop("offer_handoff", None)

    def _parse(self, text: str) -> None:
        self.text = text
        self.norm = normalize(text)
        self.intents = detect_intents(text) if self.norm else set()
        if any(sign in text for sign in ("👍", "👌", "✅", "🙌", "👏")):
            self.intents.add("affirm")
        self.when = parse_when(text, self.today)
        # "el 31 de febrero": a date that does not exist (and no real one said with it).
        self.bad_date = invalid_date(text, self.today) if self.when.date_from is None else None

    # ---- plumbing ----------------------------------------------------------------------------

    @property
    def flow(self) -> str | None:
        return self.state.get("flow")

    @property
    def step(self) -> str | None:
        return self.state.get("step")

    @property
    def data(self) -> dict:
        return self.state["data"]

    def say(self, message: str) -> None:
        if self.learned_name and not self.replied_to_name:
            self.replied_to_name = True
            name = first_name(self.learned_name)
            if name not in message:
                self.prefix.insert(0, f"¡Mucho gusto, {name}!")
        if self.prefix:
            message = "\n".join([*self.prefix, message])
            self.prefix = []
        self.out.replies.append(message)

    def understood(self) -> None:
        self.state["failures"] = 0

    def start(self, flow: str, step: str, **data: Any) -> None:
        self.state.update(flow=flow, step=step, data=dict(data), status="active", last_active_state=None)

    def goto(self, step: str) -> None:
        self.state["step"] = step

    def finish(self, last: dict | None = None) -> None:
        self.state.update(flow=None, step=None, data={}, status="done", last_active_state=None)
        if last is not None:
            self.state["last"] = last

    # ---- entry point -------------------------------------------------------------------------

    def go(self) -> None:
        self._check_abandoned()
        if not self.norm and not self.intents:
            if self.flow:
                self._not_understood()
                return
            self.say("¿En qué puedo ayudarte? Puedo agendar, cambiar o cancelar tu cita, o darte precios y horarios.")
            return
        if self._learn_stated_name() and (not self.norm or (self.flow and self.intents <= {"greeting"} and self.when.is_empty)):
            self.understood()
            if self.state.get("status") == "abandoned":
                self._resume()
                if self.out.replies:
                    return
            self.replied_to_name = True
            hello = f"¡Mucho gusto, {first_name(self.learned_name)}!"
            self.say(f"{hello} " + (self._step_prompt() if self.flow else "¿En qué te puedo ayudar?"))
            return
        if self.state.get("status") == "abandoned":
            self._resume()
            if self.out.replies:
                return
        if self._accept_offered_handoff():
            return
        if self._global_intents():
            return
        if self.flow == "booking":
            self._booking()
        elif self.flow == "modify":
            self._modify()
        elif self.flow == "cancel":
            self._cancel()
        else:
            self._idle()

    def _check_abandoned(self) -> None:
        if not self.flow or self.state.get("status") == "abandoned":
            return
        stamp = self.state.get("updated_at")
        if not stamp:
            return
        try:
            last = as_utc(datetime.fromisoformat(stamp))
        except ValueError:
            return
        idle = self.tools.now - last
        if idle > FORGET_AFTER:
            self.finish()  # days later: a new conversation, not a resumption
            self.state["failures"] = 0
            return
        if idle > ABANDON_AFTER:
            self.state["status"] = "abandoned"
            self.state["last_active_state"] = self.step
            self.state["failures"] = 0
            offered = self.data.get("offered") or []
            if any(as_utc(datetime.fromisoformat(o["start"])) <= self.tools.now for o in offered):
                self.data.pop("offered", None)  # stale offers are not offered again
                self.data.pop("search", None)

    def _resume(self) -> None:
        """The customer comes back to a flow left for 30+ minutes: pick it up where it stopped."""
        self.state["status"] = "active"
        self.state["step"] = self.state.get("last_active_state") or self.step
        self.state["last_active_state"] = None
        # A fresh request of another kind replaces the old flow.
        other = {"cancel", "reschedule", "my_appointments", "human"} - {
            {"booking": "", "modify": "reschedule", "cancel": "cancel"}[self.flow]
        }
        if self.intents & other:
            self.finish()
            return
        self.prefix.append(f"¡Qué gusto verte de nuevo! {self._flow_description()}")
        content = (not self.when.is_empty) or self.bad_date or self._bare_hour() is not None or self._service_ids() or (
            self.step == "collecting_personal_info" and extract_name(self.text)
        ) or parse_choice_number(self.text, 9) or self.intents & {"affirm", "deny"}
        if not content:
            self.say(self._step_prompt())

    def _flow_description(self) -> str:
        if self.flow == "booking":
            service = self._service()
            return f"Seguíamos con tu cita de {service['name'].lower()}." if service else "Seguíamos con tu cita."
        if self.flow == "modify":
            return "Seguíamos con el cambio de tu cita."
        return "Seguíamos con la cancelación de tu cita."

    # ---- things that can happen at any point ---------------------------------------------------

    def _global_intents(self) -> bool:
        i = self.intents
        if self.flow == "modify" and self.step == "confirming" and (i & _MOVING_ON or self._unoffered_service()):
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
        explicit_change = re.search(r"\b(?:mi|la|una) cita\b|reagend|reprogram|cambiar?la\b|moverla\b", self.norm)
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
                self.state["offer_booking"] = {"service_id": self.state.get("last_service_id")}
            self.say("\n\n".join(parts) + suffix)
            return True
        return False

    def _settle_reschedule(self) -> None:
        """Close a finished change whose "¿Todo bien?" the customer did not need to answer."""
        self.finish({"kind": "rescheduled", "day_short": self.data.get("day_short", "pronto")})

    # ---- names ------------------------------------------------------------------------------

    def _learn_stated_name(self) -> bool:
        """"me llamo Pedro" outside the name question: save it (the customer said it, so it is
        verified) and go on with the rest of the message ("..., quiero un corte")."""
        if self.step == "collecting_personal_info":
            return False  # the name question itself: _personal_info reads the answer
        match = _STATED_NAME_RE.search(self.text)
        if not match:
            return False
        name = extract_name(self.text[match.start():])
        if not name or normalize(name) in {"si", "no", "ok"}:
            return False
        rest = self.text[match.end():]
        tokens = list(_NAME_TOKEN_RE.finditer(rest))
        count = len(name.split())
        cut = tokens[count - 1].end() if len(tokens) >= count else len(rest)
        known, verified = self.tools.known_name()
        if not (verified and known and normalize(known) == normalize(name)):
            try:
                name = self.tools.save_name(name)
            except ToolError:
                return False
        self.learned_name = name
        remainder = (self.text[: match.start()] + " " + rest[cut:]).strip(" \t\n,.;:!")
        self._parse(remainder)
        return True

    # ---- handoff offers ---------------------------------------------------------------------

    def _offer_handoff(self, reason: str) -> None:
        """Ask "¿Quieres que le pase tu mensaje...?"; a "sí" next turn hands off."""
        self.state["offer_handoff"] = {"reason": reason[:300]}

    def _accept_offered_handoff(self) -> bool:
        offer = self.offered_handoff
        if offer is None or "affirm" not in self.intents or self.intents & {"deny"}:
            return False
        if not self.when.is_empty or self._service_ids() or self.intents & (_MOVING_ON - {"human"}):
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
        asked = [w for w in words if w in _SERVICE_WORDS]
        if re.search(r"\buñas?\b", self.text.lower()):
            asked.append("unas")
        if not asked:
            return None
        services = self._service_pairs()
        for word in asked:
            if match_service(word, services) is None:
                if self._service_ids() and not _ASK_SERVICE_RE.search(self.norm):
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
        names = _join([s["name"].lower() for s in self.tools.services()])
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
        last = self.state.get("last") or {}
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
        self.state["failures"] = int(self.state.get("failures", 0)) + 1
        if self.state["failures"] >= MAX_FAILURES:
            owner = self.tools.owner_name()
            self.tools.handoff(f"El asistente no logró entender al cliente después de {MAX_FAILURES} intentos. Último mensaje: «{self.text[:200]}»")
            self.out.handoff_reason = self.tools.handoff_reason
            self.state["failures"] = 0
            self.say(f"Perdón, no logro entenderte bien. Ya le pasé tu mensaje a {owner} para que te ayude personalmente; te escribirá pronto. 🙏")
            return
        if self.flow:
            self.say("Perdón, no te entendí bien. " + self._step_prompt())
        else:
            self.say(
                "Perdón, no te entendí bien. 😅 Puedo ayudarte a:\n• Agendar una cita\n• Cambiar o cancelar tu cita\n"
                "• Ver tus citas\n• Darte precios y horarios\n¿Qué te gustaría hacer?"
            )

    # ---- booking -----------------------------------------------------------------------------

    def _start_booking(self, service_ids: list[str]) -> None:
        remembered = self.state.pop("last_service_id", None)
        if not service_ids and remembered and any(str(s["id"]) == remembered for s in self.tools.services()):
            service_ids = [remembered]  # "¿cuánto cuesta el corte?" ... "ok, agéndame uno"
        if not self.tools.bookings_open:
            self._bookings_paused()
            return
        self.start("booking", "collecting_service")
        self._remember_staff()
        if not self.when.is_empty:
            self.data["pending_when"] = _when_to_dict(self.when)
        if self.bad_date:
            self.data["bad_date"] = self.bad_date
        if len(service_ids) == 1:
            self.data["service_id"] = service_ids[0]
            self._after_service(first=True)
        elif len(service_ids) > 1:
            self.data["service_options"] = service_ids
            self.say("¡Claro! ¿Cuál de estos servicios te gustaría?\n" + self._service_list(service_ids))
        else:
            self.say("¡Claro! ¿Qué servicio te gustaría agendar? Tenemos:\n" + self._service_list())

    def _after_service(self, first: bool = False) -> None:
        self.goto("collecting_datetime")
        service = self._service()
        if service is not None and not self.tools.service_offered_by_anyone(service["id"]):
            self._nobody_offers(service)
            return
        pending = self.data.pop("pending_when", None)
        bad_date = self.data.pop("bad_date", None) or (self.bad_date if self.when.date_from is None else None)
        when = _when_from_dict(pending) if pending else None
        lead = ("¡Hola! Claro. " if "greeting" in self.intents else "¡Claro! ") if first else "Perfecto. "
        if bad_date:
            self.say(f"{lead}{_bad_date_text(bad_date)} ¿Qué otro día te gustaría para tu {service['name'].lower()}?")
            return
        if when is not None and not when.is_empty:
            self._search_and_offer(when, lead="Perfecto. ")
            return
        self.say(f"{lead}¿Para qué día te gustaría agendar tu {service['name'].lower()}?")

    def _booking(self) -> None:
        self._remember_staff()
        if self.step == "collecting_service":
            ids = self._service_ids()
            options = self.data.get("service_options") or [str(s["id"]) for s in self.tools.services()]
            if not ids:
                n = parse_choice_number(self.text, len(options))
                if n:
                    ids = [options[n - 1]]
            if len(ids) == 1:
                self.understood()
                self.data["service_id"] = ids[0]
                self.data.pop("service_options", None)
                if not self.when.is_empty:
                    self.data["pending_when"] = _when_to_dict(self.when)
                if self.bad_date:
                    self.data["bad_date"] = self.bad_date
                self._after_service()
                return
            if len(ids) > 1:
                self.understood()
                self.data["service_options"] = ids
                self.say("¿Cuál de estos servicios te gustaría?\n" + self._service_list(ids))
                return
            if not self.when.is_empty or self.bad_date:
                self.understood()
                if self.bad_date:
                    self.data["bad_date"] = self.bad_date
                else:
                    self.data["pending_when"] = _when_to_dict(self.when)
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
            if len(ids) == 1 and ids[0] != self.data.get("service_id") and self.when.is_empty and self._bare_hour() is None:
                self.understood()
                self.data["service_id"] = ids[0]
                self.data.pop("offered", None)
                self._after_service()
                return
            if len(ids) == 1:
                self.data["service_id"] = ids[0]
            self._datetime_step(self._choose_for_booking)
            return
        if self.step == "collecting_personal_info":
            self._personal_info()
            return
        self.finish()
        self._idle()

    def _choose_for_booking(self, slot: dict) -> None:
        service = self._service()
        name, verified = self.tools.known_name()
        staff_id = self.data.get("staff_id") if self.data.get("staff_id") in slot.get("staff_ids", []) else None
        start = datetime.fromisoformat(slot["start"])
        try:
            info = self.tools.book(service["id"], start, staff_id=staff_id)
        except ToolError as error:
            self.say(f"Uy, {_lower_first(str(error))} Déjame ver otros horarios.")
            self._search_and_offer(When(date_from=self.tools.local(start).date(), date_to=self.tools.local(start).date(), time=self.tools.local(start).time()))
            return
        self.data["appointment_id"] = info["appointment_id"]
        self.data["info"] = info
        if name and verified:
            self.finish({"kind": "booked", "appointment_id": info["appointment_id"]})
            self.say(confirmation_text(info, name) + "\n\n" + self._reminder_line(info))
            return
        self.goto("collecting_personal_info")
        if name:
            self.data["suggested_name"] = name
        local = datetime.fromisoformat(info["start"])
        ask = f"¿La cita queda a nombre de {name}?" if name else "¿Me confirmas tu nombre para la cita?"
        self.say(
            f"Listo, te agendé tu {info['service'].lower()} para {self._short_day(local.date())} "
            f"{format_at_time(local)}.\n{ask}"
        )

    def _personal_info(self) -> None:
        info = self.data.get("info") or {}
        suggested = self.data.get("suggested_name") or self.profile_name
        name = extract_name(self.text)
        if name and normalize(name) in {"si", "no", "ok"}:
            name = None
        if not name and "affirm" in self.intents and suggested and "deny" not in self.intents:
            name = suggested
        if not name:
            if "deny" in self.intents and self.data.get("suggested_name"):
                self.understood()
                self.data.pop("suggested_name", None)
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
        return f"Te mandaré un recordatorio {_ahead_text(hours)}. {SEE_YOU}"

    # ---- picking a date and time (booking and modify) -------------------------------------------

    def _datetime_step(self, choose) -> None:
        offered = self.data.get("offered") or []
        when = self.when
        if self.bad_date:
            self.understood()
            self.say(f"{_bad_date_text(self.bad_date)} ¿Qué otro día te gustaría?")
            return
        if offered:
            self.data.pop("ambiguous_number", None)
            pick = self._pick_offered(offered)
            if pick is not None:
                self.understood()
                choose(pick)
                return
            n = self.data.pop("ambiguous_number", None)
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
            search = self.data.get("search") or {}
            date_from, date_to = when.date_from, when.date_to
            if date_from is None and search.get("from") and (clock is not None or when.part_of_day):
                self.day_from_offers = True  # "11:30" after the sábado's times: that sábado
                date_from = date.fromisoformat(search["from"])
                date_to = date.fromisoformat(search.get("offered_day") or search["to"]) if clock is not None else date.fromisoformat(search["to"])
            elif date_from is None and self.flow == "modify" and self.data.get("current_day") and (clock is not None or when.part_of_day) and not when.is_now:
                # "mejor a las 5": a new time without a date keeps the appointment's own day.
                date_from = date_to = date.fromisoformat(self.data["current_day"])
            merged = When(date_from=date_from, date_to=date_to or date_from, part_of_day=when.part_of_day, time=clock, is_now=when.is_now)
            self._search_and_offer(merged, lead="Perfecto. " if when.date_from is not None else "", choose=choose)
            return
        if "deny" in self.intents or re.search(r"\botr[oa] (?:dia|hora|horario|fecha)\b", self.norm):
            self.understood()
            self.data.pop("offered", None)
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
        m = _BARE_HOUR_RE.match(self.norm)
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
                self.data["ambiguous_number"] = n
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

    def _search_and_offer(self, when: When, *, lead: str = "", choose=None) -> None:
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
        staff_id = self.data.get("staff_id")
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
        try:
            slots = self.tools.find_slots(service["id"], date_from, date_to, staff_id)
        except ToolError:
            self._cannot_check_agenda()
            return
        exclude = self.data.get("exclude_start")
        if exclude:
            slots = [s for s in slots if as_utc(s.start).isoformat() != exclude]
        part = when.part_of_day
        clock = when.time
        notes: list[str] = []
        days_requested = (date_from, date_to)

        if clock is not None:
            exact = [s for s in slots if self.tools.local(s.start).time() == clock]
            if exact:
                choose({**self._slot_dict(exact[0]), "asked": True})
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
                    notes.append(f"{_cap(self._day_label(day))} abrimos de {ranges}.")
                elif explicit_day and day != date_from:
                    notes.append(f"{_cap(when_txt)}{format_at_time(clock)} no tengo espacio.".strip())
                else:
                    notes.append(f"{_cap(when_txt)}{format_at_time(clock)} ya no tengo espacio.".strip())
                self._offer(nearest, single_day=True, lead=lead, notes=notes, intro="Lo más cercano que tengo", part=None)
                return
            notes.append(self._nothing_text(date_from, date_to, None, explicit_day))
            self._offer_next(service, date_to, staff_id, None, notes)
            return

        if part:
            lo, hi = PART_OF_DAY_MINUTES[part]
            in_part = [s for s in slots if lo <= _minutes(self.tools.local(s.start)) < hi]
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
            lo, hi = PART_OF_DAY_MINUTES[part]
            in_part = [s for s in later if lo <= _minutes(self.tools.local(s.start)) < hi]
            later = in_part or later
        first = self._first_day(later)
        if not first:
            self.data.pop("offered", None)
            owner = self.tools.owner_name()
            self._offer_handoff(f"Un cliente busca cita de {service['name'].lower()} y no hay espacios en los próximos días: «{self.text[:200]}»")
            self.say(
                "\n".join([*notes, f"Por ahora no tengo espacios en los próximos días. ¿Quieres que le pase tu mensaje a {owner} para ver opciones?"])
            )
            return
        self._offer(spread(first, 3), single_day=True, lead="", notes=notes, part=part if part and first is not later else None, intro="El día más cercano con espacio es")

    def _offer(self, slots: list, *, single_day: bool, lead: str, notes: list[str], part: str | None,
               intro: str | None = None, days: tuple[date, date] | None = None) -> None:
        service = self._service()
        self.data["offered"] = [self._slot_dict(s) for s in slots]
        local_days = sorted({self.tools.local(s.start).date() for s in slots})
        self.data["search"] = {
            "from": local_days[0].isoformat(),
            "to": local_days[-1].isoformat(),
            "offered_day": local_days[0].isoformat(),
            "part": part,
        }
        what = f"{service['name'].lower()} ({format_price(int(service['price_cents']))})"
        lines = []
        if single_day:
            day = local_days[0]
            if intro == "Lo más cercano que tengo":
                head = f"Lo más cercano que tengo {self._short_day(day)} para {what} es:"
            elif intro:
                head = f"{intro} {self._short_day(day)}. Tengo estos horarios para {what}:"
            else:
                head = f"{_cap(self._short_day(day))} tengo disponibles estos horarios para {what}:"
            lines = [f"• {format_time(self.tools.local(s.start))}" for s in slots]
        else:
            head = f"Estos son los horarios que tengo para {what}:"
            lines = [
                f"• {format_date(self.tools.local(s.start).date())}, {format_time(self.tools.local(s.start))}" for s in slots
            ]
        text = "\n".join([*(n for n in notes if n), lead + head if not notes else head, *lines, "¿Cuál te funciona mejor?"])
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
            lo, hi = PART_OF_DAY_MINUTES[when.part_of_day]
            slots = [s for s in slots if lo <= _minutes(self.tools.local(s.start)) < hi] or slots
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
                return f"{_cap(self._day_label(date_from))} no abrimos."
            return f"{_cap(self._day_label(date_from))}{part_txt} ya no tengo espacio."
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

    # ---- modify ------------------------------------------------------------------------------

    def _start_modify(self) -> None:
        self.understood()
        appointments = self.tools.list_my_appointments()
        if not appointments:
            self.finish()
            self.state["offer_booking"] = {}
            self.say("No encontré citas próximas a tu nombre. ¿Quieres agendar una nueva?")
            return
        self.start("modify", "identifying_booking")
        chosen = self._identify(appointments, initial=True)
        if chosen is None:
            self.data["options"] = [a["appointment_id"] for a in appointments]
            greet = self._greet_name()
            self.say((greet + "claro que sí" if greet else "Claro que sí") + ". ¿Cuál de tus citas quieres cambiar?\n" + self._numbered(appointments))
            return
        self._modify_identified(chosen, initial=True)

    def _modify_identified(self, appointment: dict, initial: bool = False) -> None:
        self.data["appointment_id"] = appointment["appointment_id"]
        self.data["service_id"] = appointment["service_id"]
        self.data["exclude_start"] = None
        current = datetime.fromisoformat(appointment["start"])
        self.data["current_day"] = current.date().isoformat()
        self.goto("collecting_new_datetime")
        new_when = self.when if initial else When()
        # "cámbiala para el sábado": the new date came with the request (not the old one's date).
        moved_day = new_when.date_from is not None and new_when.date_from != current.date()
        moved_time = new_when.time is not None and new_when.time != current.time().replace(tzinfo=None)
        if new_when.part_of_day and new_when.time is None:
            lo, hi = PART_OF_DAY_MINUTES[new_when.part_of_day]
            moved_time = not lo <= _minutes(current) < hi  # "pásala para la tarde"
        if initial and not new_when.is_empty and (moved_day or moved_time):
            if new_when.date_from is None and not new_when.is_now:
                # "¿me cambias la hora? mejor a las 5": same day, new time.
                new_when = When(date_from=current.date(), date_to=current.date(), part_of_day=new_when.part_of_day, time=new_when.time)
            self._search_and_offer(new_when, choose=self._choose_for_modify)
            return
        ask = "¿Para cuándo te gustaría cambiarla?"
        if initial and self.bad_date:
            ask = f"{_bad_date_text(self.bad_date)} ¿Qué otro día te gustaría?"
        self.say(
            f"{self._greet_name() + 'claro que sí' if initial and self._greet_name() else 'Claro que sí'}. Veo que tienes una cita para {appointment['service'].lower()} "
            f"{self._short_day(current.date())} {format_at_time(current)}. {ask}"
        )

    def _modify(self) -> None:
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
                self.data.pop("offered", None)
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
        try:
            info = self.tools.reschedule(self.data["appointment_id"], start)
        except ToolError as error:
            self.say(f"Uy, {_lower_first(str(error))} ¿Te funciona otro horario?")
            self.data.pop("offered", None)
            return
        local = datetime.fromisoformat(info["start"])
        day_short = self._weekday_phrase(local.date())
        self.data["day_short"] = day_short
        self.data["current_day"] = local.date().isoformat()
        self.data.pop("offered", None)
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

    # ---- cancel ------------------------------------------------------------------------------

    def _start_cancel(self) -> None:
        self.understood()
        appointments = self.tools.list_my_appointments()
        if not appointments:
            self.finish()
            self.say("No encontré citas próximas a tu nombre, así que no hay nada que cancelar. ¿Te ayudo con algo más?")
            return
        self.start("cancel", "identifying_booking")
        chosen = self._identify(appointments, initial=True)
        if chosen is None:
            self.data["options"] = [a["appointment_id"] for a in appointments]
            self.say("¿Cuál de tus citas quieres cancelar?\n" + self._numbered(appointments))
            return
        self._cancel_identified(chosen)

    def _cancel_identified(self, appointment: dict) -> None:
        self.data["appointment_id"] = appointment["appointment_id"]
        self.goto("confirming_cancellation")
        self.say(
            f"¿Confirmas que quieres cancelar tu cita de {appointment['service'].lower()} del "
            f"{appointment['date_text']} {format_at_time(datetime.fromisoformat(appointment['start']))}?"
        )

    def _cancel(self) -> None:
        if self.step == "identifying_booking":
            chosen = self._identify(self.tools.list_my_appointments())
            if chosen is None:
                self._not_understood()
                return
            self.understood()
            self._cancel_identified(chosen)
            return
        if self.step == "confirming_cancellation":
            if "affirm" in self.intents and "deny" not in self.intents or ("cancel" in self.intents and "deny" not in self.intents):
                self.understood()
                try:
                    info = self.tools.cancel(self.data["appointment_id"], "Cancelada por el cliente por WhatsApp")
                except ToolError as error:
                    self.finish()
                    self.say(f"{error} ¿Te ayudo con algo más?")
                    return
                self.finish({"kind": "cancelled", "appointment_id": info["appointment_id"]})
                self.state["offer_booking"] = {"service_id": info["service_id"]}
                self.say(
                    f"Listo, cancelé tu cita de {info['service'].lower()} del {info['date_text']} "
                    f"{format_at_time(datetime.fromisoformat(info['start']))}. ¿Quieres agendar en otra fecha?"
                )
                return
            if "deny" in self.intents:
                self.understood()
                self.finish()
                self.say("Perfecto, tu cita sigue en pie. ¿Te ayudo con algo más?")
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
        options = self.data.get("options") or [a["appointment_id"] for a in appointments]
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

    # ---- texts ------------------------------------------------------------------------------

    def _step_prompt(self) -> str:
        step = self.step
        if self.flow == "booking":
            if step == "collecting_service":
                return "¿Qué servicio te gustaría? Tenemos:\n" + self._service_list(self.data.get("service_options"))
            if step == "collecting_datetime":
                service = self._service()
                offered = self.data.get("offered")
                if offered:
                    several_days = len({self.tools.local(datetime.fromisoformat(o2["start"])).date() for o2 in offered}) > 1
                    lines = [f"• {self._slot_label(o, several_days)}" for o in offered]
                    return "Te había ofrecido estos horarios:\n" + "\n".join(lines) + "\n¿Cuál te funciona mejor? (o dime otro día)"
                return f"¿Para qué día te gustaría agendar tu {service['name'].lower() if service else 'cita'}?"
            if step == "collecting_personal_info":
                return "¿Me confirmas tu nombre para la cita?"
        if self.flow == "modify":
            if step == "identifying_booking":
                return "¿Cuál de tus citas quieres cambiar?\n" + self._numbered(self.tools.list_my_appointments())
            if step == "collecting_new_datetime":
                offered = self.data.get("offered")
                if offered:
                    lines = [f"• {self._slot_label(o, True)}" for o in offered]
                    return "Te había ofrecido estos horarios:\n" + "\n".join(lines) + "\n¿Cuál prefieres?"
                return "¿Para cuándo te gustaría cambiar tu cita?"
            if step == "confirming":
                return "¿Todo bien con el cambio?"
        if self.flow == "cancel":
            if step == "identifying_booking":
                return "¿Cuál de tus citas quieres cancelar?\n" + self._numbered(self.tools.list_my_appointments())
            if step == "confirming_cancellation":
                return "¿Confirmas que quieres cancelar tu cita? (sí / no)"
        return "¿En qué puedo ayudarte?"

    def _slot_label(self, offered: dict, with_day: bool) -> str:
        local = self.tools.local(datetime.fromisoformat(offered["start"]))
        return f"{format_date(local.date())}, {format_time(local)}" if with_day else format_time(local)

    def _service_list(self, ids: list[str] | None = None) -> str:
        rows = self.tools.services()
        if ids:
            rows = [r for r in rows if str(r["id"]) in ids]
        return "\n".join(
            f"• {r['name']} - {format_price(int(r['price_cents']))} ({_duration(int(r['duration_minutes']))})" for r in rows
        )

    def _prices_text(self) -> str:
        ids = self._service_ids()
        if len(ids) == 1:
            self.state["last_service_id"] = ids[0]
            s = next(r for r in self.tools.services() if str(r["id"]) == ids[0])
            return f"El {s['name'].lower()} cuesta {format_price(int(s['price_cents']))} y dura {_duration(int(s['duration_minutes']))}."
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
            return f"{_cap(label)} no abrimos." + (f" {summary}" if summary else "")
        ranges = " y de ".join(f"{format_time(a)} a {format_time(b)}" for a, b in hours)
        return f"{_cap(label)} abrimos de {ranges}."

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
        parts = [f"{_cap(days)} abrimos de {text}", *(f"{d} de {t}" for d, t in rest)]
        return _join(parts) + "."

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
            self.state["offer_booking"] = {}
            return "No tienes citas próximas. ¿Quieres agendar una?"
        lines = []
        for a in appointments:
            local = datetime.fromisoformat(a["start"])
            lines.append(f"• {a['service']} - {a['date_text']} {format_at_time(local)} ({a['price']})")
        head = "Tienes esta cita:" if len(appointments) == 1 else "Tienes estas citas:"
        return head + "\n" + "\n".join(lines)

    # ---- understanding helpers -----------------------------------------------------------------

    def _service_pairs(self) -> list[tuple[str, str]]:
        return [(str(r["id"]), r["name"]) for r in self.tools.services()]

    def _service_ids(self) -> list[str]:
        pairs = self._service_pairs()
        if not pairs:
            return []
        found = match_service(self.text, pairs)
        if found is None:
            return []
        return [found] if isinstance(found, str) else list(found)

    def _service(self) -> dict | None:
        sid = self.data.get("service_id")
        if not sid:
            return None
        for row in self.tools.services():
            if str(row["id"]) == str(sid):
                return row
        return None

    def _remember_staff(self) -> None:
        staff = self.tools.staff()
        if len(staff) < 2:
            return
        who = staff_mentioned(self.text, staff)
        if who is not None:
            self.data["staff_id"] = str(who["id"])


# ---- small helpers --------------------------------------------------------------------------------


_GLUED_A_LAS = re.compile(r"\b(?:alas|alas\.)(?=\s*\d)", re.IGNORECASE)


def _preclean(text: str) -> str:
    """Typos the parsers should not have to know: "alas 4" (a las 4)."""
    return _GLUED_A_LAS.sub("a las", text)


def _minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " y " + items[-1]


def _bad_date_text(said: str) -> str:
    return f"El {said} no existe. 😅"


def _ahead_text(hours: float) -> str:
    """24 -> "un día antes", 48 -> "dos días antes", 3 -> "3 horas antes"."""
    if hours % 24 == 0 and hours <= 72:
        return {1: "un día antes", 2: "dos días antes", 3: "tres días antes"}[int(hours // 24)]
    if hours == 1:
        return "una hora antes"
    return f"{hours:g} horas antes"


def _duration(minutes: int) -> str:
    return format_duration(minutes)


def _when_to_dict(when: When) -> dict:
    return {
        "date_from": when.date_from.isoformat() if when.date_from else None,
        "date_to": when.date_to.isoformat() if when.date_to else None,
        "part_of_day": when.part_of_day,
        "time": when.time.isoformat() if when.time else None,
        "is_now": when.is_now,
    }


def _when_from_dict(data: dict) -> When:
    return When(
        date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
        date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
        part_of_day=data.get("part_of_day"),
        time=time.fromisoformat(data["time"]) if data.get("time") else None,
        is_now=bool(data.get("is_now")),
    )

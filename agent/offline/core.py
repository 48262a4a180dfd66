"""The dialogue's plumbing: parsing a message, the typed state, flows started and left, resuming."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.offline.common import (
    ABANDON_AFTER,
    CAPABILITIES,
    EMPTY_MESSAGE,
    FORGET_AFTER,
    NAME_TOKEN_RE,
    STATED_NAME_RE,
    preclean,
)
from agent.offline.state import DialogueState, FlowData
from agent.spanish.dates import (
    When,
    invalid_date,
    parse_choice_number,
    parse_when,
)
from agent.spanish.intents import detect_intents, extract_name
from agent.spanish.matching import match_service
from agent.spanish.offscript import (
    asks_availability,
    is_acknowledgement,
    is_exit,
    is_later_today,
    month_range,
    superlative,
    topics,
    unknown_staff_name,
)
from agent.spanish.text import normalize
from agent.tools import (
    CustomerTools,
    ToolError,
    as_utc,
    first_name,
    staff_mentioned,
)


@dataclass
class Turn:
    replies: list[str] = field(default_factory=list)
    handoff_reason: str | None = None



class DialogueBase:
    def __init__(self, text: str, state: DialogueState, tools: CustomerTools, profile_name: str | None) -> None:
        self.state = state
        self.tools = tools
        self.profile_name = profile_name
        self.out = Turn()
        self.today = tools.today
        self._parse(preclean(text))
        self.prefix: list[str] = []
        self.learned_name: str | None = None  # "me llamo Pedro" this turn: greeted once by name
        self.replied_to_name = False
        self.day_from_offers = False
        self.staff_changed = False  # "con Miguel" said this turn (a different person than before)
        self.stale_proposal = False  # a time proposed before the customer left has passed
        self.unknown_staff: str | None = None  # "con Pedro" and there is no Pedro: said, then confirmed
        # "¿Quieres agendar...?" asked last turn: a "sí" now starts a booking (valid one turn).
        self.offered_booking = self.state.take("offer_booking")
        # "¿Quieres que le pase tu mensaje a Carlos?" asked last turn: a "sí" hands off (one turn).
        self.offered_handoff = self.state.take("offer_handoff")

    def _parse(self, text: str) -> None:
        self.text = text
        self.norm = normalize(text)
        self.intents = detect_intents(text) if self.norm else set()
        if any(sign in text for sign in ("👍", "👌", "✅", "🙌", "👏")):
            self.intents.add("affirm")
        self.when = parse_when(text, self.today)
        self.superlative = superlative(text)
        if self.superlative == "first" and self.when.part_of_day == "morning" and "manana" not in self.norm:
            # "lo más temprano que tengas": the earliest time, not "in the morning".
            self.when = When(self.when.date_from, self.when.date_to, None, self.when.time, self.when.is_now)
        if self.when.date_from is None and not self.when.is_now:
            months = month_range(text, self.today)
            if months is not None:  # "en febrero": the whole month
                self.when = When(months[0], months[1], self.when.part_of_day, self.when.time)
            elif is_later_today(text):  # "al rato": later today, never a time already past
                self.when = When(self.today, self.today, self.when.part_of_day, self.when.time, is_now=True)
        # "el 31 de febrero": a date that does not exist (and no real one said with it).
        self.bad_date = invalid_date(text, self.today) if self.when.date_from is None else None
        self.topics = topics(text)
        self.asks_availability = asks_availability(text)
        self.exit = is_exit(text)
        self.ack = is_acknowledgement(text) and self.when.is_empty

    # ---- plumbing ----------------------------------------------------------------------------

    @property
    def flow(self) -> str | None:
        return self.state.flow

    @property
    def step(self) -> str | None:
        return self.state.step

    @property
    def data(self) -> FlowData:
        return self.state.data

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
        self.state.failures = 0

    def start(self, flow: str, step: str, **data: Any) -> None:
        self.state.start(flow, step, **data)

    def goto(self, step: str) -> None:
        self.state.step = step

    def finish(self, last: dict | None = None) -> None:
        self.state.finish(last)

    # ---- entry point -------------------------------------------------------------------------

    def go(self) -> None:
        self._check_abandoned()
        if not self.norm and not self.intents and not self.ack:
            # A voice note, photo or sticker reaches us as an empty text: say what we can read.
            self.say(EMPTY_MESSAGE + (self._reprompt_suffix() if self.flow else f"\n{CAPABILITIES}"))
            return
        if self._learn_stated_name() and (not self.norm or (self.flow and self.intents <= {"greeting"} and self.when.is_empty)):
            self.understood()
            if self.state.status == "abandoned":
                self._resume()
                if self.out.replies:
                    return
            self.replied_to_name = True
            hello = f"¡Mucho gusto, {first_name(self.learned_name)}!"
            self.say(f"{hello} " + (self._step_prompt() if self.flow else "¿En qué te puedo ayudar?"))
            return
        if self.state.status == "abandoned":
            self._resume()
            if self.out.replies:
                return
        if self._accept_offered_handoff():
            return
        if self._way_out():
            return
        if self._topic_answer() or self._global_intents() or self._acknowledged():
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
        if not self.flow or self.state.status == "abandoned":
            return
        stamp = self.state.updated_at
        if not stamp:
            return
        try:
            last = as_utc(datetime.fromisoformat(stamp))
        except ValueError:
            return
        idle = self.tools.now - last
        if idle > FORGET_AFTER:
            self.finish()  # days later: a new conversation, not a resumption
            self.state.failures = 0
            return
        if idle > ABANDON_AFTER:
            self.state.status = "abandoned"
            self.state.last_active_state = self.step
            self.state.failures = 0
            offered = self.data.offered or []
            if any(as_utc(datetime.fromisoformat(o["start"])) <= self.tools.now for o in offered):
                self.data.take("offered")  # stale offers are not offered again
                self.data.take("search")
            for stale in (self.data.proposal, self.data.alternative):
                if stale and as_utc(datetime.fromisoformat(stale["start"])) <= self.tools.now:
                    # A time proposed earlier that has passed: ask for another, never book it.
                    self.data.proposal = self.data.alternative = None
                    self.stale_proposal = True
                    if self.step in ("confirming_booking", "confirming_move"):
                        self.state.last_active_state = "collecting_datetime" if self.flow == "booking" else "collecting_new_datetime"

    def _resume(self) -> None:
        """The customer comes back to a flow left for 30+ minutes: pick it up where it stopped."""
        self.state.status = "active"
        self.state.step = self.state.last_active_state or self.step
        self.state.last_active_state = None
        # A fresh request of another kind replaces the old flow.
        other = {"cancel", "reschedule", "my_appointments", "human"} - {
            {"booking": "", "modify": "reschedule", "cancel": "cancel"}[self.flow]
        }
        if self.intents & other:
            self.finish()
            return
        self.prefix.append(f"¡Qué gusto verte de nuevo! {self._flow_description()}")
        if self.stale_proposal and self.when.is_empty and self._bare_hour() is None:
            self.say("La hora que te había propuesto ya pasó. " + self._step_prompt())
            return
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

    # ---- names ------------------------------------------------------------------------------

    def _learn_stated_name(self) -> bool:
        """"me llamo Pedro" outside the name question: save it (the customer said it, so it is
        verified) and go on with the rest of the message ("..., quiero un corte")."""
        if self.step == "collecting_personal_info":
            return False  # the name question itself: _personal_info reads the answer
        match = STATED_NAME_RE.search(self.text)
        if not match:
            return False
        name = extract_name(self.text[match.start():])
        if not name or normalize(name) in {"si", "no", "ok"}:
            return False
        rest = self.text[match.end():]
        tokens = list(NAME_TOKEN_RE.finditer(rest))
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
        sid = self.data.service_id
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
        if who is None:
            self.unknown_staff = unknown_staff_name(self.text, [s.get("name") or "" for s in staff])
        if who is not None:
            self.staff_changed = self._search_staff() != str(who["id"])
            self.data.staff_id = str(who["id"])

    def _search_staff(self) -> str | None:
        """Whose agenda to search: the person asked for, else (moving) the appointment's own."""
        if self.data.staff_id:
            return self.data.staff_id
        if self.flow == "modify" and self.data.current_staff_id:
            return self.data.current_staff_id
        return None

    def _staff_first_name(self, staff_id: str | None) -> str:
        if not staff_id:
            return ""
        try:
            return first_name(self.tools.staff_member(staff_id)["name"])
        except ToolError:
            return ""



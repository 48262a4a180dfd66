"""The offline engine's dialogue state, typed.

It is stored as a JSON-able dict with the conversation (``AgentOutcome.state["offline"]``), so
``DialogueState.from_dict`` must accept whatever an earlier version stored: unknown keys are
dropped, a value of the wrong type falls back to its default, and a flow/step pair this version
does not know resets the dialogue (never a crash). ``to_dict`` keeps the historical layout
(``flow``, ``step``, ``data``, ``status``...), so stored states stay readable both ways.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import date, time
from typing import Any, Literal

from agent.spanish.dates import When

Flow = Literal["booking", "modify", "cancel"]
FLOW_STEPS: dict[str, frozenset[str]] = {
    "booking": frozenset({"collecting_service", "collecting_datetime", "confirming_booking", "collecting_personal_info"}),
    "modify": frozenset({"identifying_booking", "collecting_new_datetime", "confirming_move", "confirming"}),
    "cancel": frozenset({"identifying_booking", "confirming_cancellation"}),
}
STATUSES = frozenset({"active", "abandoned", "done"})


def _coerce(value: Any, default: Any, kind: type | tuple[type, ...]) -> Any:
    return value if isinstance(value, kind) else default


@dataclass
class FlowData:
    """What the current flow has gathered. Ids are strings (JSON), datetimes ISO strings."""

    service_id: str | None = None
    service_options: list[str] = field(default_factory=list)
    service_inferred: bool = False  # the service came from earlier in the chat, not this request
    staff_id: str | None = None  # the staff member the customer asked for ("con Miguel")
    pending_when: dict | None = None  # a When said before the service was known
    bad_date: str | None = None  # "31 de febrero"
    offered: list[dict] = field(default_factory=list)  # [{"start": iso utc, "staff_ids": [...]}]
    search: dict | None = None  # {"from", "to", "offered_day", "part"} of the last offer
    ambiguous_number: int | None = None
    proposal: dict | None = None  # a booking/move stated back, waiting for the customer's "sí"
    alternative: dict | None = None  # the asked time with someone else: {"start", "staff_id"}
    appointment_id: str | None = None
    appointment_ids: list[str] = field(default_factory=list)  # "cancela todas": several at once
    options: list[str] = field(default_factory=list)  # appointment ids in the order listed
    current_day: str | None = None
    current_staff_id: str | None = None  # the barber of the appointment being moved
    exclude_start: str | None = None
    day_short: str | None = None
    info: dict | None = None  # the booked appointment (while asking the name)
    suggested_name: str | None = None

    def take(self, name: str) -> Any:
        """The value of ``name``, which is reset to its default (``dict.pop`` for a dataclass)."""
        value = getattr(self, name)
        spec = next(f for f in fields(self) if f.name == name)
        setattr(self, name, spec.default_factory() if spec.default_factory is not MISSING else spec.default)
        return value

    def to_dict(self) -> dict:
        out: dict = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            default = spec.default_factory() if spec.default_factory is not MISSING else spec.default
            if value != default:
                out[spec.name] = value
        return out

    @classmethod
    def from_dict(cls, raw: Any) -> FlowData:
        if not isinstance(raw, dict):
            return cls()
        data = cls()
        kinds: dict[str, type | tuple[type, ...]] = {
            "service_options": list, "offered": list, "options": list, "appointment_ids": list,
            "pending_when": dict, "search": dict, "proposal": dict, "info": dict, "alternative": dict,
            "ambiguous_number": int, "service_inferred": bool,
        }  # fmt: skip
        for spec in fields(cls):
            if spec.name not in raw or raw[spec.name] is None:
                continue
            value = raw[spec.name]
            kind = kinds.get(spec.name, str)
            if kind is str and not isinstance(value, str):
                value = str(value) if isinstance(value, (int, float)) else None
            setattr(data, spec.name, _coerce(value, getattr(data, spec.name), kind))
        # Offers must carry a start; anything else is an offer this version cannot re-show.
        data.offered = [o for o in data.offered if isinstance(o, dict) and isinstance(o.get("start"), str)]
        return data


@dataclass
class DialogueState:
    flow: Flow | None = None
    step: str | None = None
    data: FlowData = field(default_factory=FlowData)
    status: str = "done"
    last_active_state: str | None = None  # the step left when the flow was abandoned
    failures: int = 0
    updated_at: str | None = None
    last: dict | None = None  # the last thing done, for "gracias" ("¡Nos vemos el sábado!")
    offer_booking: dict | None = None  # "¿Quieres agendar?" asked last turn (valid one turn)
    offer_handoff: dict | None = None  # "¿Le paso tu mensaje a Carlos?" asked last turn
    last_service_id: str | None = None  # a service asked about ("¿cuánto cuesta el corte?")

    def take(self, name: str) -> Any:
        value = getattr(self, name)
        setattr(self, name, None)
        return value

    def start(self, flow: Flow, step: str, **data: Any) -> None:
        self.flow, self.step, self.data = flow, step, FlowData(**data)
        self.status, self.last_active_state = "active", None

    def finish(self, last: dict | None = None) -> None:
        self.flow, self.step, self.data = None, None, FlowData()
        self.status, self.last_active_state = "done", None
        if last is not None:
            self.last = last

    def to_dict(self) -> dict:
        return {
            "flow": self.flow,
            "step": self.step,
            "data": self.data.to_dict(),
            "status": self.status,
            "last_active_state": self.last_active_state,
            "failures": self.failures,
            "updated_at": self.updated_at,
            **{k: getattr(self, k) for k in ("last", "offer_booking", "offer_handoff", "last_service_id") if getattr(self, k) is not None},
        }

    @classmethod
    def from_dict(cls, raw: Any) -> DialogueState:
        """Load a stored state (this or an earlier version's); reset what cannot be trusted."""
        if not isinstance(raw, dict):
            return cls()
        state = cls(
            data=FlowData.from_dict(raw.get("data")),
            status=raw.get("status") if raw.get("status") in STATUSES else "done",
            failures=raw.get("failures") if isinstance(raw.get("failures"), int) and raw.get("failures") >= 0 else 0,
            updated_at=_coerce(raw.get("updated_at"), None, str),
            last=_coerce(raw.get("last"), None, dict),
            offer_booking=_coerce(raw.get("offer_booking"), None, dict),
            offer_handoff=_coerce(raw.get("offer_handoff"), None, dict),
            last_service_id=_coerce(raw.get("last_service_id"), None, str),
        )
        flow, step = raw.get("flow"), raw.get("step")
        resumable = raw.get("last_active_state")
        if flow in FLOW_STEPS and step in FLOW_STEPS[flow]:
            state.flow, state.step = flow, step
            if state.status == "abandoned" and resumable in FLOW_STEPS[flow]:
                state.last_active_state = resumable
            elif state.status == "abandoned":
                state.last_active_state = step
            elif state.status == "done":
                state.status = "active"
        if state.flow is None or not _complete(state):
            # A flow or step this version does not know, or one missing what its step needs:
            # start over rather than guess.
            state.flow, state.step = None, None
            state.data, state.status, state.last_active_state = FlowData(), "done", None
        return state


def _complete(state: DialogueState) -> bool:
    """The data the step relies on is there (a booking past the service has one, a move or a
    cancellation knows which appointment)."""
    data, step = state.data, state.step
    if state.flow == "booking":
        return step == "collecting_service" or bool(data.service_id)
    if state.flow == "modify":
        return step == "identifying_booking" or bool(data.appointment_id and data.service_id)
    if state.flow == "cancel":
        return step == "identifying_booking" or bool(data.appointment_id or data.appointment_ids)
    return True


def when_to_dict(when: When) -> dict:
    return {
        "date_from": when.date_from.isoformat() if when.date_from else None,
        "date_to": when.date_to.isoformat() if when.date_to else None,
        "part_of_day": when.part_of_day,
        "time": when.time.isoformat() if when.time else None,
        "is_now": when.is_now,
    }


def when_from_dict(data: dict) -> When:
    try:
        return When(
            date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
            date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
            part_of_day=data.get("part_of_day") if data.get("part_of_day") in ("morning", "afternoon", "evening") else None,
            time=time.fromisoformat(data["time"]) if data.get("time") else None,
            is_now=bool(data.get("is_now")),
        )
    except (TypeError, ValueError, AttributeError):
        return When()

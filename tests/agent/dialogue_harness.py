"""Run a scripted customer dialogue and judge it against what the customer asked for.

A ``Script`` declares the appointments the customer asked for or explicitly accepted
(``Booked``, ``Moved``, ``Cancelled``; none = nothing may change). After the dialogue the store is
compared with that declaration:

* a **wrong booking** is an appointment created, moved or cancelled that no expectation matches
  (the wrong service, day, time or staff member, a booking when a move was asked, a second one...);
* an **unanswered** message is an inbound message whose turn produced no reply text;
* the dialogue is **completed** when every expectation and reply check is met.

Every run is recorded in ``RESULTS`` and the totals are printed at the end of the session
(``tests/agent/conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from agent_support import AgentWorld

MX = ZoneInfo("America/Mexico_City")
JUAN = "+525599990001"
NEW = "+525588880001"
CORTE, BARBA, COMBO = "Corte de cabello", "Arreglo de barba", "Corte y barba"
MIGUEL, CARLOS = "Miguel Sánchez", "Carlos Mendoza"
PARTS = {"morning": (0, 720), "afternoon": (720, 1140), "evening": (1140, 1440)}


@dataclass(frozen=True)
class Booked:
    service: str
    day: date | tuple[date, date] | None = None
    at: time | None = None
    part: str | None = None
    staff: str | None = None


@dataclass(frozen=True)
class Moved:
    day: date | tuple[date, date] | None = None
    at: time | None = None
    part: str | None = None
    staff: str | None = None
    service: str | None = None  # which appointment (with several)


@dataclass(frozen=True)
class Cancelled:
    service: str | None = None


@dataclass
class Script:
    name: str
    messages: list[str]
    expect: tuple = ()  # Booked / Moved / Cancelled; empty: nothing may change
    setup: str | None = None  # None | "juan" (corte Thu 15 4 PM with Carlos) | "juan2" (+ barba Sat 17 12 PM) | "juan_miguel"
    reply: tuple[str, ...] = ()  # each must appear in some reply
    last_reply: tuple[str, ...] = ()  # each must appear in the last turn's replies
    never: tuple[str, ...] = ()  # none may appear in any reply
    handoff: bool | None = None
    named: bool = False  # a new customer's name must be saved (verified)
    xfail: str | None = None
    busy: tuple = ()  # (day, time, staff) other customers take first
    goal: str = ""  # class of the dialogue, for the report


@dataclass
class Result:
    name: str
    completed: bool
    wrong: list[str] = field(default_factory=list)
    unanswered: int = 0
    problems: list[str] = field(default_factory=list)
    transcript: str = ""


RESULTS: dict[str, Result] = {}


def _matches_day(start: datetime, day) -> bool:
    if day is None:
        return True
    if isinstance(day, tuple):
        return day[0] <= start.date() <= day[1]
    return start.date() == day


def _fits(row: dict, e) -> bool:
    start = row["scheduled_start"].astimezone(MX)
    if getattr(e, "service", None) and row["service_name"] != e.service:
        return False
    if isinstance(e, Cancelled):
        return True
    if e.staff and row["staff_name"] != e.staff:
        return False
    if e.at and start.time() != e.at:
        return False
    if e.part:
        lo, hi = PARTS[e.part]
        if not lo <= start.hour * 60 + start.minute < hi:
            return False
    return _matches_day(start, e.day)


def _snapshot(world: AgentWorld) -> dict:
    return {str(r["id"]): r for r in world.appointments()}


def book_for(world: AgentWorld, phone: str, day: date, at: time, service: str = CORTE, staff: str | None = None, name: str = "Cliente") -> None:
    """Another booking made through the tools (the test's own setup, not the dialogue)."""
    from agent.service import AgentTurn

    turn = AgentTurn(world.org_id, phone, "", f"SETUP{phone}{day}{at}{staff}", None, {}, [], world.clock())
    tools = world.agent.tools_for(turn)
    staff_id = None
    if staff:
        staff_id = next(s["id"] for s in tools.staff() if s["name"] == staff)
    tools.book(world.service_id(service), datetime.combine(day, at, tzinfo=MX), staff_id=staff_id, customer_name=name)
    world.catch_up()


def set_up(world: AgentWorld, script: Script) -> None:
    thu, sat = date(2026, 1, 15), date(2026, 1, 17)
    if script.setup in ("juan", "juan2"):
        book_for(world, JUAN, thu, time(16), staff=CARLOS, name="Juan Pérez")
    if script.setup == "juan_miguel":
        book_for(world, JUAN, thu, time(16), staff=MIGUEL, name="Juan Pérez")
    if script.setup == "juan2":
        book_for(world, JUAN, sat, time(12), service=BARBA, name="Juan Pérez")
    for i, (day, at, staff) in enumerate(script.busy):
        book_for(world, f"+5255777700{i:02d}", day, at, staff=staff, name=f"Otro {i}")


def judge(world: AgentWorld, chat, script: Script, before: dict) -> Result:
    after = _snapshot(world)
    created, moved, cancelled = [], [], []
    for key, row in after.items():
        old = before.get(key)
        if old is None:
            if row["status"] in ("pending", "confirmed"):
                created.append(row)
        elif row["status"] == "cancelled" and old["status"] != "cancelled":
            cancelled.append(row)
        elif (row["scheduled_start"], row["staff_id"], row["service_name"]) != (old["scheduled_start"], old["staff_id"], old["service_name"]):
            moved.append(row)
    wrong: list[str] = []
    unmet = list(script.expect)
    for kind, rows in ((Booked, created), (Moved, moved), (Cancelled, cancelled)):
        for row in rows:
            match = next((e for e in unmet if isinstance(e, kind) and _fits(row, e)), None)
            if match is None:
                when = row["scheduled_start"].astimezone(MX).strftime("%a %d %H:%M")
                wrong.append(f"{kind.__name__.lower()} {row['service_name']} {when} {row['staff_name']}")
            else:
                unmet.remove(match)
    problems = [f"not done: {e}" for e in unmet]
    replies = [r for o in chat.outcomes for r in o.replies]
    for text in script.reply:
        if not any(text.lower() in r.lower() for r in replies):
            problems.append(f"no reply contains {text!r}")
    for text in script.last_reply:
        if not any(text.lower() in r.lower() for r in chat.last.replies):
            problems.append(f"last reply lacks {text!r}")
    for text in script.never:
        if any(text.lower() in r.lower() for r in replies):
            problems.append(f"a reply contains {text!r}")
    if script.handoff is not None and (chat.handoff_reason is not None) != script.handoff:
        problems.append("handoff expected" if script.handoff else "unexpected handoff")
    if script.named:
        customer = world.customer(chat.phone)
        if not (customer and customer["name"] and customer["name_verified_at"]):
            problems.append("name not saved")
    unanswered = sum(1 for o in chat.outcomes if not any((r or "").strip() for r in o.replies))
    if unanswered:
        problems.append(f"{unanswered} message(s) without a reply")
    return Result(script.name, not wrong and not problems, wrong, unanswered, problems, chat.dump())


def run_script(tmp_path, clock, script: Script) -> Result:
    world = AgentWorld(tmp_path, clock)
    try:
        set_up(world, script)
        before = _snapshot(world)
        chat = world.chat(JUAN if script.setup else NEW)
        for message in script.messages:
            chat.say(message)
        result = judge(world, chat, script, before)
    finally:
        world.close()
    RESULTS[script.name] = result
    return result


def explain(result: Result) -> str:
    return "\n".join([*(f"WRONG: {w}" for w in result.wrong), *result.problems, "", result.transcript])


def summary_line() -> str | None:
    if not RESULTS:
        return None
    total = len(RESULTS)
    done = sum(r.completed for r in RESULTS.values())
    wrong = sum(len(r.wrong) for r in RESULTS.values())
    unanswered = sum(r.unanswered for r in RESULTS.values())
    return f"dialogues: {total}, completed: {done} ({done / total:.1%}), wrong bookings: {wrong}, unanswered: {unanswered}"

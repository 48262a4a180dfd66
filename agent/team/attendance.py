"""Attendance and cancellation on a customer's behalf: "el cliente de las 11 no llegó", "ya terminé con
Juan", "el de las 3 no vino", "cancela la cita de las 4". The appointment is found (asking when
two match), confirmed, then marked; after a no-show or a cancellation Parlo offers to message
the customer (example 6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from agent.spanish import parse_choice_number
from agent.team.messages import offer_message
from agent.team.parse import dates_in, mentions_name, time_span, yes_no
from agent.team.state import AttendanceDraft
from agent.team.turn import ANYTHING_ELSE, NOTHING_CHANGED, Turn, day_label

PERMISSION = {"completed": "mark_attendance", "no_show": "mark_attendance", "cancelled": "cancel_appointment"}
DONE = {"completed": "completada", "no_show": "no-show", "cancelled": "cancelada"}


def _appointments(turn: Turn, first: date, last: date, mine: bool) -> list[dict]:
    name = "get_my_schedule" if mine else "get_business_schedule"
    result = turn.tools.call(name, {"date_from": first, "date_to": last})
    if not result.ok:
        return []
    return [i for d in result.data["days"] for i in d["items"] if i["kind"] == "appointment" and i["status"] in ("pending", "confirmed")]


def _matches(turn: Turn, items: list[dict], status: str) -> list[dict]:
    span = time_span(turn.text)
    norm = turn.norm
    found = items
    named = [i for i in found if mentions_name(norm, i["customer"])]
    if named:
        found = named
    if span.start is not None:
        exact = [i for i in found if datetime.fromisoformat(i["start"]).time() == span.start]
        same_hour = [i for i in found if datetime.fromisoformat(i["start"]).hour == span.start.hour]
        found = exact or same_hour
    elif not named and status != "cancelled":
        # "ya terminé" / "no llegó" with no time or name: the appointments that have started.
        found = [i for i in found if datetime.fromisoformat(i["start"]) <= turn.now]
        found = sorted(found, key=lambda i: i["start"], reverse=True)[:1] if found else []
    elif not named:
        found = []
    return found


def describe(turn: Turn, item: dict) -> str:
    start = datetime.fromisoformat(item["start"])
    when = f"a las {item['time']}" if start.date() == turn.today else f"{day_label(start.date(), turn.today)} a las {item['time']}"
    staff = f", con {item['staff'].split()[0]}" if item.get("staff") and item["staff_id"] != str(turn.tools.staff_id) else ""
    return f"la cita de {item['customer']} {when} ({item['service']}{staff})"


def start_attendance(turn: Turn, status: str) -> list[str]:
    if not turn.tools.can(PERMISSION[status]):
        return [turn.tools.refusal(PERMISSION[status])]
    first, last = dates_in(turn.text, turn.today)
    if first is None:
        first, last = (turn.today, turn.today + timedelta(days=30)) if status == "cancelled" else (turn.today, turn.today)
    last = last or first
    found = _matches(turn, _appointments(turn, first, last, mine=True), status)
    if not found:
        found = _matches(turn, _appointments(turn, first, last, mine=False), status)
    if not found:
        turn.state.clear()
        if status == "cancelled":
            return ["¿Cuál cita cancelo? Dime la hora y el día, o el nombre del cliente (por ejemplo «cancela la cita de Juan del viernes»)."]
        return ["No encontré esa cita 🤔 Dime la hora («el de las 11») o el nombre del cliente, y revisa tu agenda con «¿qué tengo hoy?»."]
    draft = AttendanceDraft(status=status, candidates=found[:6])
    if len(found) == 1:
        draft.appointment = found[0]
        turn.state.pending, turn.state.step = draft, "confirm"
        return [f"¿Te refieres a {describe(turn, found[0])}?"]
    turn.state.pending, turn.state.step = draft, "pick"
    lines = "\n".join(f"{n}. {describe(turn, item)}" for n, item in enumerate(draft.candidates, 1))
    return [f"Encontré varias:\n{lines}\n¿Cuál es? Dime el número."]


def resume_attendance(turn: Turn, draft: AttendanceDraft) -> list[str] | None:
    if turn.state.step == "pick":
        choice = parse_choice_number(turn.text, len(draft.candidates))
        if choice is None:
            narrowed = [i for i in draft.candidates if mentions_name(turn.norm, i["customer"])]
            choice = draft.candidates.index(narrowed[0]) + 1 if len(narrowed) == 1 else None
        if choice is None:
            return None
        draft.appointment = draft.candidates[choice - 1]
        turn.state.step = "confirm"
        return [f"¿Marco como {DONE[draft.status]} {describe(turn, draft.appointment)}?" if draft.status != "cancelled"
                else f"¿Cancelo {describe(turn, draft.appointment)}?"]
    answer = yes_no(turn.text)
    if answer == "no":
        turn.state.clear()
        return [NOTHING_CHANGED]
    if answer != "yes" or draft.appointment is None:
        return None
    item = draft.appointment
    result = turn.tools.call("mark_appointment_status", {"appointment_id": item["appointment_id"], "status": draft.status})
    turn.state.clear()
    if not result.ok:
        return [result.error]
    if item.get("customer_phone"):
        turn.state.last_customer = {"phone": item["customer_phone"], "name": item["customer"]}
    if draft.status == "completed":
        return [f"Listo, marqué como completada {describe(turn, item)} ✓ {ANYTHING_ELSE}"]
    head = "Marqué la cita como no-show ✓" if draft.status == "no_show" else f"Listo, cancelé {describe(turn, item)} ✓"
    if not item.get("customer_phone"):
        return [f"{head} {ANYTHING_ELSE}"]
    return [f"{head} {offer_message(turn, item, draft.status)}"]

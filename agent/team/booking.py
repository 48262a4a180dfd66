"""Flow 14, walk-ins and bookings on a customer's behalf (example 5): "acaba de llegar alguien para
uñas", "agéndale a 55 1234 5678 un corte el sábado a las 12". Service, phone (optional for a
walk-in), name, time (now for a walk-in), who serves (the sender when they perform the
service); a summary to confirm; the customer gets a WhatsApp confirmation when a phone was given."""

from __future__ import annotations

import re
from datetime import date, datetime

from agent.spanish import extract_name, format_duration, format_phone, format_price, match_service, normalize, parse_choice_number
from agent.team.parse import dates_in, find_phone, time_span, without_phone, yes_no
from agent.team.state import BookingDraft
from agent.team.turn import Turn, day_label

_NO_PHONE = re.compile(r"\b(?:no tiene|sin (?:telefono|numero|cel)|no (?:se|lo se|me lo dio|quiso|trae|tengo)|no hay|ninguno|no)\b")
_NOT_A_NAME = frozenset({"no", "si", "ok", "no se", "nose", "ninguno", "nada"})


def _service_pairs(turn: Turn) -> list[tuple[str, str]]:
    return [(str(s["id"]), s["name"]) for s in turn.tools.services()]


def _strict_service(turn: Turn, text: str) -> str | None:
    """A service named in a first message: matched AND one of its words really written (so
    "para uñas" asks which nail service instead of picking one)."""
    found = match_service(without_phone(text), _service_pairs(turn))
    if not isinstance(found, str):
        return None
    name = normalize(turn.tools.service(found)["name"])
    said = [w for w in normalize(text).split() if len(w) >= 4]
    if any(w[:4] == s[:4] for w in said for s in name.split() if len(s) >= 4):
        return found
    return None


def _menu(turn: Turn) -> str:
    lines = [f"• {s['name']} - {format_price(int(s['price_cents']))} ({format_duration(int(s['duration_minutes']))})" for s in turn.tools.services()]
    return "\n".join(lines)


def service_menu(turn: Turn) -> str:
    return f"Estos son los servicios de {turn.tools.business_name}:\n{_menu(turn)}"


def _other_staff(turn: Turn) -> str | None:
    for person in turn.tools.team():
        if str(person["id"]) != str(turn.tools.staff_id) and re.search(r"\bcon\s+" + re.escape(normalize(person["name"]).split()[0]) + r"\b", turn.norm):
            return str(person["id"])
    return None


def _learn(turn: Turn, draft: BookingDraft, text: str, *, first_message: bool) -> None:
    phone = find_phone(text)
    if phone and not draft.phone:
        draft.phone = phone
        known = turn.tools.find_customers(phone=phone)
        if known and known[0].get("name") and not draft.name:
            draft.name = known[0]["name"]
    if not draft.service_id:
        draft.service_id = _strict_service(turn, text) if first_message else None
    staff = _other_staff(turn)
    if staff:
        draft.staff_id = staff
    if not draft.walk_in:
        first, _ = dates_in(text, turn.today)
        span = time_span(text)
        if first is not None:
            draft.day = first.isoformat()
        if span.start is not None:
            day = date.fromisoformat(draft.day) if draft.day else turn.today
            draft.start = turn.at(day, span.start).isoformat()
        elif first is not None and draft.start:
            draft.start = turn.at(first, datetime.fromisoformat(draft.start).time()).isoformat()
    match = re.search(r"\b(?:a nombre de|se llama|para (?:la senora|el senor|la clienta|el cliente))\s+([a-záéíóúñ]+(?:\s+[a-záéíóúñ]+)?)", text, re.IGNORECASE)
    if match and not draft.name:
        draft.name = match.group(1).title()


def _ask(turn: Turn, draft: BookingDraft) -> list[str]:
    turn.state.pending = draft
    if not draft.walk_in and not draft.phone:
        turn.state.step = "phone"
        return ["¿Cuál es el teléfono del cliente? (10 dígitos)"]
    if not draft.service_id:
        turn.state.step = "service"
        return [f"¿Qué servicio quiere? Tenemos:\n{_menu(turn)}"]
    if not draft.walk_in and not draft.start:
        turn.state.step = "when"
        return [f"¿Para qué día y hora?{' ' + day_label(date.fromisoformat(draft.day), turn.today).capitalize() + ', ¿a qué hora?' if draft.day else ''}".strip()]
    if draft.walk_in and not draft.phone and not draft.phone_asked:
        turn.state.step = "phone"
        return ["Perfecto. ¿Tienes el teléfono del cliente para registrarlo? (si no, dime «no»)"]
    if not draft.name and turn.state.step != "name_skipped":
        turn.state.step = "name"
        return [("Registrado. " if draft.phone else "") + "¿Nombre?"]
    turn.state.step = "confirm"
    return [f"¿{summary(turn, draft, future=True)}? Responde sí o no."]


def summary(turn: Turn, draft: BookingDraft, *, future: bool) -> str:
    service = turn.tools.service(draft.service_id)
    who = f"a {draft.name}" if draft.name else "al cliente"
    phone = f" ({format_phone_short(draft.phone)})" if draft.phone else ""
    if draft.walk_in:
        when = f"ahora a las {_time(turn.tools.walk_in_start())}"
    else:
        start = datetime.fromisoformat(draft.start)
        when = f"{day_label(start.date(), turn.today)} a las {_time(start)}"
    staff_id = draft.staff_id or (str(turn.tools.staff_id) if turn.tools.performs(turn.tools.me, service["id"]) else None)
    if staff_id == str(turn.tools.staff_id):
        staff = " contigo"
    elif staff_id:
        staff = f" con {turn.tools.member(staff_id)['name'].split()[0]}"
    else:
        staff = ""
    verb = "Registro" if future else "Registré"
    return f"{verb} {who}{phone} para {service['name']} {when}{staff}"


def _time(moment: datetime) -> str:
    from agent.spanish import format_time

    return format_time(moment)


def format_phone_short(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)[-10:]
    if len(digits) == 10:
        return format_phone("+52" + digits).removeprefix("+52 ")
    return raw


def start_booking(turn: Turn, walk_in: bool) -> list[str]:
    if not turn.tools.can("book"):
        return [turn.tools.refusal("book")]
    draft = BookingDraft(walk_in=walk_in)
    turn.state.step = None
    _learn(turn, draft, turn.text, first_message=True)
    if not walk_in and draft.start and datetime.fromisoformat(draft.start) <= turn.now:
        draft.start = None
    return _ask(turn, draft)


def resume_booking(turn: Turn, draft: BookingDraft) -> list[str] | None:
    step = turn.state.step
    text = turn.text
    if step == "confirm":
        answer = yes_no(text)
        if answer == "no":
            turn.state.clear()
            return ["Va, no registré nada. ¿Algo más?"]
        if answer != "yes":
            return None
        arguments = {"service_id": draft.service_id, "customer_phone": draft.phone, "customer_name": draft.name, "staff_id": draft.staff_id}
        if draft.walk_in:
            result = turn.tools.call("book_walk_in", arguments)
        else:
            result = turn.tools.call("book_on_behalf", {**arguments, "start": draft.start})
        if not result.ok:
            if not draft.walk_in:
                draft.start = None
                turn.state.step = "when"
                return [f"{result.error} ¿Qué otro día u hora le propongo?"]
            turn.state.clear()
            return [result.error]
        turn.state.clear()
        if draft.phone:
            turn.state.last_customer = {"phone": result.data.get("customer_phone") or draft.phone, "name": draft.name or ""}
        tail = " Le mandé la confirmación por WhatsApp." if result.data.get("customer_notified") else ""
        return [f"Listo ✓ {summary(turn, draft, future=False)}.{tail}"]
    if step == "phone":
        phone = find_phone(text)
        if phone:
            _learn(turn, draft, text, first_message=False)
        elif draft.walk_in and _NO_PHONE.search(turn.norm):
            draft.phone_asked = True
        else:
            return None
        draft.phone_asked = True
        return _ask(turn, draft)
    if step == "service":
        pairs = _service_pairs(turn)
        choice = parse_choice_number(text, len(pairs))
        found = pairs[choice - 1][0] if choice else match_service(text, pairs)
        if isinstance(found, list):
            names = ", ".join(turn.tools.service(s)["name"] for s in found)
            return [f"¿Cuál de estos? {names}"]
        if not found:
            return None
        draft.service_id = found
        _learn(turn, draft, text, first_message=False)
        return _ask(turn, draft)
    if step == "when":
        before = draft.start
        _learn(turn, draft, text, first_message=False)
        if draft.start and draft.start != before and datetime.fromisoformat(draft.start) > turn.now:
            return _ask(turn, draft)
        if draft.day and not draft.start:
            return _ask(turn, draft)
        draft.start = None
        return ["Dime el día y la hora, por ejemplo «el sábado a las 12»."]
    if step == "name":
        if turn.norm in _NOT_A_NAME or re.search(r"\bno (?:se|me (?:lo )?dijo)\b", turn.norm):
            turn.state.step = "name_skipped"
            return _ask(turn, draft)
        name = extract_name(text) or _plain_name(text)
        if not name:
            return None
        draft.name = name
        return _ask(turn, draft)
    return None


def _plain_name(text: str) -> str | None:
    words = [w for w in re.split(r"\s+", text.strip(" .!¡¿?")) if w]
    if 1 <= len(words) <= 4 and all(re.fullmatch(r"[A-Za-zÁÉÍÓÚáéíóúÑñÜü'\-]+", w) for w in words):
        return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)
    return None


__all__ = ["resume_booking", "start_booking"]

"""Customer look-ups (stateless): "historial de 55 1234 5678", "¿quién es Rosa Luna?", "¿este cliente
ha venido antes?" (the last customer this conversation dealt with, else the one in the chair now)."""

from __future__ import annotations

from datetime import date, datetime

from agent.spanish import format_date, format_phone
import re

from agent.team.parse import find_phone, mentions_name, person_query, yes_no
from agent.team.state import NoteDraft
from agent.team.turn import ANYTHING_ELSE, NOTHING_CHANGED, Turn


def _current_customer(turn: Turn) -> dict | None:
    result = turn.tools.call("get_my_schedule", {"date_from": turn.today, "date_to": turn.today})
    if not result.ok:
        return None
    for item in result.data["days"][0]["items"]:
        if item["kind"] == "appointment" and item.get("customer_phone"):
            if datetime.fromisoformat(item["start"]) <= turn.now < datetime.fromisoformat(item["end"]):
                return {"phone": item["customer_phone"], "name": item["customer"]}
    return None


def show_history(turn: Turn) -> list[str]:
    phone = find_phone(turn.text)
    name = None if phone else person_query(turn.text)
    if not phone and not name:
        named = [row for row in turn.tools.named_customers() if mentions_name(turn.norm, row["name"])]
        if len(named) == 1:
            phone = named[0]["phone_number"]
    if not phone and not name:
        known = turn.state.last_customer or _current_customer(turn)
        if not known:
            return ["¿De qué cliente? Dame su nombre o su teléfono, por ejemplo «historial de 55 1234 5678»."]
        phone = known["phone"]
    if name and not phone:
        named = [row for row in turn.tools.named_customers() if mentions_name(turn.norm, row["name"])]
        if len(named) == 1:
            phone, name = named[0]["phone_number"], None
    result = turn.tools.call("get_customer_history", {"customer_phone": phone, "customer_name": name})
    if not result.ok:
        return [result.error]
    data = result.data
    if data["found"] == 0:
        if phone:
            return ["No tengo a nadie con ese número: sería un cliente nuevo. 🙂"]
        return [f"No encontré a ningún cliente que se llame «{name}». ¿Me das su teléfono?"]
    if data["found"] > 1:
        lines = "\n".join(f"• {c['name'] or 'Sin nombre'} - {format_phone(c['phone'])}" for c in data["customers"][:6])
        return [f"Encontré varios clientes:\n{lines}\n¿Cuál? Pregúntame con su teléfono."]
    customer = data["customer"]
    turn.state.last_customer = {"phone": customer["phone"], "name": customer["name"]}
    return [render(turn, data)]


def render(turn: Turn, data: dict) -> str:
    customer = data["customer"]
    title = f"👤 {customer['name'] or 'Sin nombre'} · {format_phone(customer['phone'])}"
    visits = data["completed"]
    if visits:
        lead = f"Sí, ya ha venido {'1 vez' if visits == 1 else f'{visits} veces'}."
    elif data["past"] or data["upcoming"]:
        lead = "Todavía no tiene citas completadas."
    else:
        lead = "Todavía no tiene citas registradas: sería su primera visita."
    lines = [title, lead]
    since = date.fromisoformat(customer["since"])
    if since <= turn.today:
        lines.append(f"Cliente desde el {format_date(since)}.")
    lines.append(f"✅ {visits} completadas · ❌ {data['no_shows']} no-show · 🚫 {data['cancelled']} canceladas")
    status = {"completed": "completada", "no_show": "no llegó", "pending": "sin marcar", "confirmed": "sin marcar"}
    if data["past"]:
        lines.append("Últimas citas:")
        lines += [f"• {a['date_text']} - {a['service']} ({status.get(a['status'], a['status'])})" for a in reversed(data["past"])]
    if data["upcoming"]:
        lines.append("Próximas:")
        lines += [f"• {a['date_text']} a las {a['time']} - {a['service']} con {a['staff'].split()[0] if a['staff'] else 'el equipo'}" for a in data["upcoming"]]
    if customer.get("notes"):
        lines.append(f"📝 Notas: {customer['notes']}")
    return "\n".join(lines)


# ---- notes: "anota que Rosa es alérgica al tinte" ---------------------------------------------------

_NOTE = re.compile(r"\b(?:que|nota|:)\s*(.+)$", re.IGNORECASE | re.DOTALL)


def start_note(turn: Turn) -> list[str]:
    if not turn.tools.can("manage_customers"):
        return [turn.tools.refusal("manage_customers")]
    match = _NOTE.search(turn.text)
    note = (match.group(1) if match else "").strip(" .\"'«»")
    phone = find_phone(turn.text)
    people = turn.tools.find_customers(phone=phone) if phone else [
        row for row in turn.tools.named_customers() if mentions_name(turn.norm, row["name"])]
    if not people and turn.state.last_customer:
        people = [{"phone_number": turn.state.last_customer["phone"], "name": turn.state.last_customer.get("name") or ""}]
    if len(people) != 1:
        return ["¿En la ficha de qué cliente lo anoto? Dímelo con su nombre o teléfono, por ejemplo «anota que Rosa Luna es alérgica al tinte»."]
    if not note:
        return ["¿Qué anoto? Por ejemplo «anota que Rosa es alérgica al tinte»."]
    person = people[0]
    name = person.get("name") or format_phone(person["phone_number"])
    turn.state.pending = NoteDraft(customer_phone=person["phone_number"], customer_name=name, note=note[0].upper() + note[1:])
    turn.state.step = "confirm"
    return [f"¿Anoto en la ficha de {name}: «{turn.state.pending.note}»? Responde sí o no."]


def resume_note(turn: Turn, draft: NoteDraft) -> list[str] | None:
    answer = yes_no(turn.text)
    if answer == "no":
        turn.state.clear()
        return [NOTHING_CHANGED]
    if answer != "yes":
        return None
    result = turn.tools.call("add_customer_note", {"customer_phone": draft.customer_phone, "note": draft.note})
    turn.state.clear()
    if not result.ok:
        return [result.error]
    turn.state.last_customer = {"phone": draft.customer_phone, "name": draft.customer_name}
    return [f"Anotado en la ficha de {draft.customer_name} ✓ {ANYTHING_ELSE}"]


def show_stats(turn: Turn) -> list[str]:
    from datetime import timedelta

    from agent.team.stats import render

    day = turn.today - timedelta(days=7) if re.search(r"\b(?:semana pasada|pasada semana|anterior)\b", turn.norm) else turn.today
    result = turn.tools.call("get_stats", {"week_of": day})
    if not result.ok:
        return [result.error]
    return [render(result.data, turn.today)]

"""Agenda questions (stateless): "¿qué tengo hoy / mañana / el jueves / esta semana?", "¿qué sigue?",
"¿cómo está la agenda de hoy?" (the whole business), "la agenda de Miguel"."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from agent.spanish import format_date_capitalized
from agent.team.parse import dates_in, mentions_name, week_range
from agent.team.turn import Turn, day_label, short_hour

_BUSINESS = re.compile(r"\b(?:la agenda|del negocio|de todos|general|completa|del equipo|de la barberia|del salon|todo el negocio|de todo)\b")
_MINE = re.compile(r"\b(?:mi|mis|tengo|me toca|me tocan)\b")
STATUS_MARK = {"completed": ("✅", " (completada)"), "no_show": ("❌", " (no llegó)")}


def _range(turn: Turn) -> tuple[date, date]:
    week = week_range(turn.text, turn.today)
    if week:
        return week
    first_day, last_day = dates_in(turn.text, turn.today)
    if first_day is None:
        return turn.today, turn.today
    return first_day, last_day or first_day


def _who(turn: Turn) -> tuple[str, str | None]:
    """("mine" | "business" | "person", staff_id)."""
    norm = turn.norm
    for person in turn.tools.team():
        if str(person["id"]) != str(turn.tools.staff_id) and mentions_name(norm, person["name"]) and re.search(r"\b(?:de|a|con)\s+" + norm_first(person["name"]), norm):
            return "person", str(person["id"])
    if _BUSINESS.search(norm) and not re.search(r"\bmi agenda\b", norm):
        return "business", None
    return "mine", None


def norm_first(name: str) -> str:
    from agent.spanish import normalize

    return re.escape(normalize(name).split()[0]) if normalize(name) else "$^"


def show_agenda(turn: Turn) -> list[str]:
    first_day, last_day = _range(turn)
    scope, person = _who(turn)
    if scope == "mine":
        result = turn.tools.call("get_my_schedule", {"date_from": first_day, "date_to": last_day})
    else:
        result = turn.tools.call("get_business_schedule", {"date_from": first_day, "date_to": last_day, "staff_id": person})
    if not result.ok:
        return [result.error]
    data = result.data
    if first_day == last_day:
        return [render_day(turn, data, data["days"][0])]
    return [render_range(turn, data)]


def _line(item: dict, with_staff: bool) -> str:
    staff = f" · {item['staff'].split()[0]}" if with_staff and item.get("staff") else ""
    if item["kind"] == "block":
        reason = item.get("reason") or ""
        icon = "🍽️" if re.search(r"comi|lunch|almuer", reason.lower()) else "🚫"
        label = f"Bloqueado ({reason})" if reason else "Bloqueado"
        if item.get("all_day"):
            return f"{icon} Todo el día - {label}{staff}"
        return f"{icon} {item['time']} - {item['end_time']} - {label}{staff}"
    mark, suffix = STATUS_MARK.get(item["status"], ("⏰", ""))
    return f"{mark} {item['time']} - {item['service']} - {item['customer']}{staff}{suffix}"


def _free_line(gap: dict) -> str:
    start, end = datetime.fromisoformat(gap["start"]), datetime.fromisoformat(gap["end"])
    if end - start <= timedelta(hours=1):
        return f"⏰ {gap['time']} - Disponible"
    return f"⏰ {gap['time']} - {gap['end_time']} - Disponible"


def _count(n: int) -> str:
    return "ninguna cita" if n == 0 else ("1 cita" if n == 1 else f"{n} citas")


def render_day(turn: Turn, data: dict, day: dict) -> str:
    the_day = date.fromisoformat(day["date"])
    label = day_label(the_day, turn.today)
    scope = data["scope"]
    items = day["items"]
    rows = [(i["start"], _line(i, scope == "business")) for i in items]
    free = day.get("free") or []
    rows += [(g["start"], _free_line(g)) for g in free]
    rows.sort(key=lambda r: r[0])
    if scope == "mine":
        head = f"Hola {turn.first_name}, aquí está tu agenda para {label}:" if turn.first_name else f"Tu agenda para {label}:"
    elif scope == "person":
        head = f"La agenda de {data['staff']} para {label}:"
    else:
        head = f"La agenda del negocio para {label}:"
    n = day["appointment_count"]
    if not day["open"] and not items:
        who = "no trabajas" if scope == "mine" else "no hay servicio"
        return f"{head[:-1]}: {who} ese día (está cerrado). 🗓️"
    body = "\n".join(text for _, text in rows) or "Sin citas por ahora."
    if scope == "mine":
        summary = f"Tienes {_count(n)}" if n else "No tienes citas"
        if n and the_day >= turn.today and day["open"]:
            if not free:
                summary += " y ningún espacio libre" if the_day == turn.today or n else ""
            elif len(free) == 1:
                summary += f" y un espacio libre a {short_hour(datetime.fromisoformat(free[0]['start']))}"
            else:
                summary += f" y {len(free)} espacios libres"
    elif scope == "person":
        summary = f"{data['staff'].split()[0]} tiene {_count(n)}"
    else:
        summary = f"En total hay {_count(n)}"
    return f"{head}\n\n{body}\n\n{summary}."


def render_range(turn: Turn, data: dict) -> str:
    scope = data["scope"]
    parts = []
    for day in data["days"]:
        the_day = date.fromisoformat(day["date"])
        title = f"*{format_date_capitalized(the_day)}*"
        if not day["items"]:
            parts.append(f"{title}\n{'Sin citas' if day['open'] else 'Cerrado'}")
            continue
        parts.append(title + "\n" + "\n".join(_line(i, scope == "business") for i in day["items"]))
    n = data["appointment_count"]
    if scope == "mine":
        head, tail = "Tu agenda:", f"Tienes {_count(n)} en total."
    elif scope == "person":
        head, tail = f"La agenda de {data['staff']}:", f"{data['staff'].split()[0]} tiene {_count(n)} en total."
    else:
        head, tail = "La agenda del negocio:", f"En total hay {_count(n)}."
    return head + "\n\n" + "\n\n".join(parts) + "\n\n" + tail


def show_next(turn: Turn) -> list[str]:
    result = turn.tools.call("get_my_schedule", {"date_from": turn.today, "date_to": turn.today + timedelta(days=7)})
    if not result.ok:
        return [result.error]
    now = turn.now
    upcoming = [
        item for day in result.data["days"] for item in day["items"]
        if item["kind"] == "appointment" and item["status"] in ("pending", "confirmed") and datetime.fromisoformat(item["end"]) > now
    ]
    if not upcoming:
        return ["No tienes más citas en los próximos días. 🙌"]
    item = upcoming[0]
    start = datetime.fromisoformat(item["start"])
    the_day = start.date()
    if start <= now:
        when = f"ahorita (empezó a las {item['time']})"
    elif the_day == turn.today:
        minutes = int((start - now).total_seconds() // 60)
        when = f"a las {item['time']}" + (f" (en {minutes} min)" if minutes < 120 else "")
    else:
        when = f"{day_label(the_day, turn.today)} a las {item['time']}"
    text = f"Tu siguiente cita es {when}: {item['service']} - {item['customer']}."
    later_today = [i for i in upcoming[1:] if datetime.fromisoformat(i["start"]).date() == turn.today]
    if the_day == turn.today:
        text += f" Después tienes {_count(len(later_today))} más hoy." if later_today else " Es la última de hoy."
    return [text]

"""Flow 9, the owner's business hours by chat: "los sábados abrimos de 9 a 3", "el domingo ahora sí
abrimos de 10 a 2", "los domingos cerramos"; and closures: "el 24 de diciembre cerramos",
"cerramos del 1 al 7 de enero". The appointments affected are listed before confirming; they
are not cancelled on their own (the owner decides what to tell those customers)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from agent.spanish import format_date, format_time
from agent.team.onboarding import DAY_KEYS, DAY_NAMES, _days_in
from agent.team.parse import dates_in, time_span, yes_no
from agent.team.state import HoursDraft
from agent.team.turn import ANYTHING_ELSE, NOTHING_CHANGED, Turn

_CLOSING = re.compile(r"\b(?:cerramos|cerrado|cerrada|cerrar|no abrimos|no vamos a abrir|descansamos)\b")
_EXPLICIT_DATE = re.compile(r"\b\d{1,2}\s+(?:de\s+)?(?:ene|feb|mar|abr|may|jun|jul|ago|sep|oct|nov|dic)\w*|\bdel\s+\d{1,2}\b|\bel\s+\d{1,2}\b|\bmanana\b|\bhoy\b|\bpasado manana\b|\d{1,2}/\d{1,2}")


def _ranges_text(ranges: list) -> str:
    return ", ".join(f"{format_time(time.fromisoformat(a))} a {format_time(time.fromisoformat(b))}" for a, b in ranges) or "cerrado"


def _affected_text(items: list[dict]) -> str:
    if not items:
        return "No hay citas afectadas."
    lines = "\n".join(f"• {i['date_text']} {i['time']} - {i['customer']} ({i['service']})" for i in items[:6])
    more = f"\n… y {len(items) - 6} más" if len(items) > 6 else ""
    return f"Ojo: estas citas quedan fuera del horario (no se cancelan solas):\n{lines}{more}"


def start_hours(turn: Turn) -> list[str]:
    if not turn.tools.can("change_business_hours"):
        return [turn.tools.refusal("change_business_hours")]
    norm = turn.norm
    span = time_span(turn.text)
    days = _days_in(norm)
    closing = bool(_CLOSING.search(norm))
    if closing and _EXPLICIT_DATE.search(norm):
        first, last = dates_in(turn.text, turn.today)
        if first is None:
            return ["¿Qué día o días cierran? Por ejemplo «el 24 de diciembre cerramos» o «cerramos del 1 al 7 de enero»."]
        last = last or first
        if last < first or (first.month != last.month and first.day <= last.day and re.search(r"\bdel\s+\d{1,2}\s+al\b", norm)):
            # "del 1 al 7 de enero": the month named at the end is the first day's month too
            first = last.replace(day=min(first.day, last.day))
        draft = HoursDraft(start_date=first.isoformat(), end_date=last.isoformat())
        affected = turn.tools.live_appointments_on(first, last)
        when = f"el {format_date(first)}" if last == first else f"del {format_date(first)} al {format_date(last)}"
        turn.state.pending, turn.state.step = draft, "confirm"
        return [f"¿Cierro el negocio {when}? {_affected_text(affected)}\nResponde sí o no."]
    current = {k: [list(r) for r in (turn.tools.business_hours().get(k) or [])] for k in DAY_KEYS}
    if days and span.start and span.end and not closing:
        new = [[span.start.strftime("%H:%M"), span.end.strftime("%H:%M")]]
    elif days and closing and not span.start:
        new = []
    else:
        return ["¿Qué días y en qué horario? Por ejemplo «los sábados abrimos de 9 a 3», «los domingos cerramos» o «el 24 de diciembre cerramos»."]
    hours = dict(current)
    for day in days:
        hours[DAY_KEYS[day]] = new
    changed = [DAY_KEYS[d] for d in days if current[DAY_KEYS[d]] != new]
    if not changed:
        turn.state.clear()
        return ["Ese ya es el horario del negocio 🙂 ¿Algo más?"]
    draft = HoursDraft(hours=hours, changed_days=changed)
    lines = "\n".join(f"• {DAY_NAMES[DAY_KEYS.index(k)].capitalize()}: {_ranges_text(new)} (antes: {_ranges_text(current[k])})" for k in changed)
    affected = [i for i in turn.tools.live_appointments_on(turn.today, turn.today + timedelta(days=60))
                if DAY_KEYS[date.fromisoformat(i["date"]).weekday()] in changed and not _inside(i, new)]
    turn.state.pending, turn.state.step = draft, "confirm"
    return [f"¿Cambio el horario del negocio así?\n{lines}\n{_affected_text(affected)}\nResponde sí o no."]


def _inside(item: dict, ranges: list) -> bool:
    start, end = datetime.fromisoformat(item["start"]).time(), datetime.fromisoformat(item["end"]).time()
    return any(time.fromisoformat(a) <= start and end <= time.fromisoformat(b) for a, b in ranges)


def resume_hours(turn: Turn, draft: HoursDraft) -> list[str] | None:
    answer = yes_no(turn.text)
    if answer == "no":
        turn.state.clear()
        return [NOTHING_CHANGED]
    if answer != "yes":
        return None
    turn.state.clear()
    if draft.start_date:
        result = turn.tools.call("close_business", {"start_date": draft.start_date, "end_date": draft.end_date})
        if not result.ok:
            return [result.error]
        first, last = date.fromisoformat(draft.start_date), date.fromisoformat(draft.end_date)
        when = f"el {format_date(first)}" if first == last else f"del {format_date(first)} al {format_date(last)}"
        return [f"Listo, el negocio queda cerrado {when} ✓ Ya no se podrá agendar esos días. {ANYTHING_ELSE}"]
    result = turn.tools.call("set_business_hours", {"hours": draft.hours})
    if not result.ok:
        return [result.error]
    return [f"Listo, cambié el horario del negocio ✓ {ANYTHING_ELSE}"]

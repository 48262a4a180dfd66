"""Flow 8, block time ("bloquea mañana de 2 a 4", "bloquea las 4", "bloquea el viernes todo el día"),
and its inverse ("quita el bloqueo de las 4"). Nothing is blocked before a "sí"."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from agent.spanish import parse_choice_number
from agent.team.parse import TimeSpan, dates_in, mentions_name, time_span, yes_no
from agent.team.state import BlockDraft, UnblockDraft
from agent.team.turn import ANYTHING_ELSE, NOTHING_CHANGED, Turn, day_label

PART_WINDOWS = {"morning": (time(0), time(12)), "afternoon": (time(12), time(19)), "evening": (time(19), time(23, 59))}
_REASON = re.compile(r"\b(?:para|por|porque|pues)\s+(.+)$", re.IGNORECASE)
_DROP_WORDS = re.compile(r"^(?:mi|la|el|una|un|lo|que)\s+", re.IGNORECASE)
_NOT_REASON = re.compile(r"\d|\b(?:manana|mañana|hoy|lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo|la tarde|la noche|todo el d[ií]a|favor|fa)\b", re.IGNORECASE)


def reason_of(text: str) -> str:
    tail = ""
    if "," in text:
        tail = text.split(",", 1)[1]
    else:
        match = _REASON.search(text)
        tail = match.group(1) if match else ""
    tail = tail.strip(" .!¡?¿")
    while _DROP_WORDS.match(tail):
        tail = _DROP_WORDS.sub("", tail, count=1)
    if not tail or _NOT_REASON.search(tail) or len(tail) > 80:
        return ""
    return tail


def _target(turn: Turn) -> dict:
    for person in turn.tools.team():
        if str(person["id"]) != str(turn.tools.staff_id) and mentions_name(turn.norm, person["name"]):
            return person
    return turn.tools.me


def _day_items(turn: Turn, staff: dict, first: date, last: date) -> list[dict]:
    if str(staff["id"]) == str(turn.tools.staff_id):
        result = turn.tools.call("get_my_schedule", {"date_from": first, "date_to": last})
    else:
        result = turn.tools.call("get_business_schedule", {"date_from": first, "date_to": last, "staff_id": str(staff["id"])})
    return [i for d in result.data.get("days", []) for i in d["items"]] if result.ok else []


def _hours(turn: Turn, staff: dict, day: date) -> tuple[time, time] | None:
    hours = turn.tools.hours_for(staff, day)
    return (hours[0][0], hours[-1][1]) if hours else None


def _plan(turn: Turn, draft: BlockDraft, span: TimeSpan, first: date | None, last: date | None) -> list[str]:
    """Fill the draft's start/end from what was said; ask for what is missing; check; confirm."""
    staff = turn.tools.member(draft.staff_id) if draft.staff_id else turn.tools.me
    if first is None and draft.day:
        first = last = date.fromisoformat(draft.day)
    if first is None and not span.is_empty:
        first = last = turn.today
    if first is None:
        turn.state.pending, turn.state.step = draft, "when"
        return ["¿Qué día y de qué hora a qué hora lo bloqueo? Por ejemplo: «mañana de 2 a 4» o «el viernes todo el día»."]
    last = last or first
    draft.day = first.isoformat()
    multi = last > first
    if span.is_empty and not multi:
        turn.state.pending, turn.state.step = draft, "when"
        return [f"¿De qué hora a qué hora {day_label(first, turn.today)}? (o «todo el día»)"]
    if span.all_day or multi:
        start, end = turn.at(first, time(0)), turn.at(last + timedelta(days=1), time(0))
    else:
        bounds = _hours(turn, staff, first)
        if span.start and span.end:
            start, end = turn.at(first, span.start), turn.at(first, span.end)
        elif span.part:
            lo, hi = PART_WINDOWS[span.part]
            if bounds:
                lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
            start, end = turn.at(first, lo), turn.at(first, hi)
        elif span.open_end:
            start = turn.at(first, span.start)
            end = turn.at(first, bounds[1]) if bounds else turn.at(first + timedelta(days=1), time(0))
        elif span.open_start:
            start = max(turn.at(first, bounds[0] if bounds else time(0)), turn.now.replace(second=0, microsecond=0))
            end = turn.at(first, span.end)
        else:  # one time: the free slot that starts there (up to an hour, up to the next thing)
            start = turn.at(first, span.start)
            end = start + timedelta(hours=1)
            if bounds:
                end = min(end, turn.at(first, bounds[1]))
            for item in _day_items(turn, staff, first, first):
                item_start = datetime.fromisoformat(item["start"])
                if start < item_start < end:
                    end = item_start
    if end <= start:
        turn.state.pending, turn.state.step = draft, "when"
        return ["No me cuadra ese horario 🤔 ¿De qué hora a qué hora lo bloqueo?"]
    if end <= turn.now:
        turn.state.clear()
        return ["Ese horario ya pasó. ¿Quieres bloquear otro?"]
    clash = [
        i for i in _day_items(turn, staff, start.date(), (end - timedelta(minutes=1)).date())
        if i["kind"] == "appointment" and i["status"] in ("pending", "confirmed")
        and datetime.fromisoformat(i["start"]) < end and datetime.fromisoformat(i["end"]) > start
    ]
    mine = str(staff["id"]) == str(turn.tools.staff_id)
    if clash:
        names = "; ".join(f"{c['customer']} a las {c['time']} ({c['service']})" for c in clash[:4])
        who = "tienes" if mine else f"{staff['name'].split()[0]} tiene"
        more = f" y {len(clash) - 4} más" if len(clash) > 4 else ""
        turn.state.pending, turn.state.step = draft, "when"
        return [f"No puedo bloquear ese horario: {who} cita con {names}{more}. Muévela o cancélala primero, o dime otro horario."]
    draft.start, draft.end = start.isoformat(), end.isoformat()
    turn.state.pending, turn.state.step = draft, "confirm"
    return [f"¿Bloqueo {'tu horario' if mine else 'el horario de ' + staff['name'].split()[0]} {describe(turn, draft)}? Responde sí o no."]


def describe(turn: Turn, draft: BlockDraft) -> str:
    start, end = datetime.fromisoformat(draft.start), datetime.fromisoformat(draft.end)
    reason = f" ({draft.reason})" if draft.reason else ""
    if start.time() == time(0) and end.time() == time(0):
        last = end.date() - timedelta(days=1)
        if last == start.date():
            return f"{day_label(start.date(), turn.today)} todo el día{reason}"
        return f"del {day_label(start.date(), turn.today).removeprefix('el ')} al {day_label(last, turn.today).removeprefix('el ')} (días completos){reason}"
    from agent.spanish import format_time

    return f"{day_label(start.date(), turn.today)} de {format_time(start)} a {format_time(end)}{reason}"


def start_block(turn: Turn) -> list[str]:
    if not turn.tools.can("block_own_time"):
        return [turn.tools.refusal("block_own_time")]
    staff = _target(turn)
    if str(staff["id"]) != str(turn.tools.staff_id) and not turn.tools.can("block_others_time"):
        return [turn.tools.refusal("block_others_time")]
    draft = BlockDraft(reason=reason_of(turn.text), staff_id=None if staff is turn.tools.me else str(staff["id"]))
    first, last = dates_in(turn.text, turn.today)
    return _plan(turn, draft, time_span(turn.text), first, last)


def resume_block(turn: Turn, draft: BlockDraft) -> list[str] | None:
    if turn.state.step == "confirm":
        answer = yes_no(turn.text)
        if answer == "no" and not (time_span(turn.text).is_empty and dates_in(turn.text, turn.today)[0] is None):
            answer = None  # "no, mejor de 3 a 5": a correction, planned again below
        if answer == "yes":
            result = turn.tools.call("block_time", {"start": draft.start, "end": draft.end, "reason": draft.reason, "staff_id": draft.staff_id})
            turn.state.clear()
            if not result.ok:
                return [result.error]
            start, end = datetime.fromisoformat(draft.start), datetime.fromisoformat(draft.end)
            if end - start <= timedelta(hours=1) and start.date() == end.date():
                from agent.spanish import format_time

                return [f"Listo, bloqueé {'las' if start.hour % 12 != 1 else 'la'} {format_time(start)} ✓ {ANYTHING_ELSE}"]
            return [f"Listo, bloqueado {describe(turn, draft)} ✓ {ANYTHING_ELSE}"]
        if answer == "no":
            turn.state.clear()
            return [NOTHING_CHANGED]
    span = time_span(turn.text)
    first, last = dates_in(turn.text, turn.today)
    if span.is_empty and first is None:
        if turn.state.step == "confirm":
            return [f"¿Lo bloqueo {describe(turn, draft)}? Responde sí o no."]
        return None
    reason = reason_of(turn.text)
    if reason:
        draft.reason = reason
    if first is not None:
        draft.day = None
    return _plan(turn, draft, span, first, last)


# ---- unblock ----------------------------------------------------------------------------------


def _block_text(turn: Turn, block: dict) -> str:
    start = datetime.fromisoformat(block["start"])
    reason = f" ({block['reason']})" if block.get("reason") else ""
    if block.get("all_day"):
        return f"{day_label(start.date(), turn.today)} todo el día{reason}"
    return f"{day_label(start.date(), turn.today)} de {block['time']} a {block['end_time']}{reason}"


def start_unblock(turn: Turn) -> list[str]:
    if not turn.tools.can("block_own_time"):
        return [turn.tools.refusal("block_own_time")]
    first, last = dates_in(turn.text, turn.today)
    span = time_span(turn.text)
    if first is None:
        # "quita el bloqueo de las 4": today or tomorrow; with no time, any block of the next month.
        first, last = turn.today, turn.today + timedelta(days=1 if span.start is not None else 30)
    blocks = [i for i in _day_items(turn, turn.tools.me, first, last or first) if i["kind"] == "block"
              and datetime.fromisoformat(i["end"]) > turn.now]
    if span.start is not None:
        wanted = span.start
        blocks = [b for b in blocks if datetime.fromisoformat(b["start"]).time() <= wanted < datetime.fromisoformat(b["end"]).time()
                  or datetime.fromisoformat(b["start"]).time() == wanted or b.get("all_day")]
    if not blocks:
        turn.state.clear()
        return ["No encontré ningún bloqueo tuyo en ese horario. Pregúntame «¿qué tengo esta semana?» para ver tus bloqueos."]
    if len(blocks) == 1:
        turn.state.pending, turn.state.step = UnblockDraft(candidates=blocks, block_id=blocks[0]["block_id"]), "confirm"
        return [f"¿Quito el bloqueo de {_block_text(turn, blocks[0])}? Responde sí o no."]
    blocks = blocks[:6]
    turn.state.pending, turn.state.step = UnblockDraft(candidates=blocks), "pick"
    lines = "\n".join(f"{n}. {_block_text(turn, b)}" for n, b in enumerate(blocks, 1))
    return [f"Tienes varios bloqueos:\n{lines}\n¿Cuál quito? Dime el número."]


def resume_unblock(turn: Turn, draft: UnblockDraft) -> list[str] | None:
    if turn.state.step == "pick":
        choice = parse_choice_number(turn.text, len(draft.candidates))
        if choice is None:
            span = time_span(turn.text)
            matches = [i for i, b in enumerate(draft.candidates, 1) if span.start and datetime.fromisoformat(b["start"]).time() == span.start]
            choice = matches[0] if len(matches) == 1 else None
        if choice is None:
            return None
        draft.block_id = draft.candidates[choice - 1]["block_id"]
        turn.state.step = "confirm"
        return [f"¿Quito el bloqueo de {_block_text(turn, draft.candidates[choice - 1])}? Responde sí o no."]
    answer = yes_no(turn.text)
    if answer == "yes":
        block = next(b for b in draft.candidates if b["block_id"] == draft.block_id)
        result = turn.tools.call("unblock_time", {"block_id": draft.block_id})
        turn.state.clear()
        if not result.ok:
            return [result.error]
        return [f"Listo, quité el bloqueo de {_block_text(turn, block)} ✓ Ese horario vuelve a estar disponible."]
    if answer == "no":
        turn.state.clear()
        return [NOTHING_CHANGED]
    return None

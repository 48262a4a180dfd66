"""Flow 10 and friends, the owner's services by chat: "agrega tinte, 90 minutos, $450", "el corte ahora
cuesta $180", "el corte ahora dura 40 minutos", "ya no damos arreglo de barba" (deactivated, never
deleted: its appointments stay). A summary to confirm first, always."""

from __future__ import annotations

import re

from agent.spanish import format_duration, format_price, match_service, normalize
from agent.team.parse import yes_no
from agent.team.state import ServiceDraft
from agent.team.turn import ANYTHING_ELSE, NOTHING_CHANGED, Turn

_PRICE = re.compile(r"\$\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?|\b(\d+)\s*(?:pesos|varos|mxn)\b|\b(?:cuesta|cueste|vale|a)\s+(\d{2,5})\b(?!\s*(?:min|hr|hora))")
_MINUTES = re.compile(r"\b(\d{1,3})\s*(?:min|mins|minutos)\b")
_HOURS = re.compile(r"\b(\d(?:[.,]5)?)\s*(?:hr|hrs|hora|horas)\b(?:\s+y\s+media)?|\b(una|dos)\s+horas?(\s+y\s+media)?\b|\bhora y media\b")
_ADD = re.compile(r"^\s*(?:quiero\s+)?(?:agrega|agregar|añade|anade|añadir|da de alta|nuevo servicio:?)\s+(?:el\s+servicio\s+(?:de\s+)?|un\s+servicio\s+(?:de\s+)?|el\s+|la\s+)?([^,\d$]+?)\s*(?:,|\d|\$|de\s+\d|$)", re.IGNORECASE)
_DEACTIVATE = re.compile(r"\b(?:desactiva\w*|ya no (?:damos|ofrecemos|hacemos|vamos a (?:dar|ofrecer|hacer))|quita\w*|elimina\w*|borra\w*)\b")
_DURATION = re.compile(r"\b(?:dura|dure|duracion|tarda|tarde)\b")
_PRICE_WORDS = re.compile(r"\b(?:cuesta|cueste|vale|precio|cobra\w*|sube|baja)\b")


def _price(text: str) -> int | None:
    match = _PRICE.search(text)
    if not match:
        return None
    if match.group(1):
        return int(match.group(1).replace(",", "")) * 100 + int(match.group(2) or 0)
    return int(match.group(3) or match.group(4)) * 100


def _minutes(norm: str) -> int | None:
    match = _MINUTES.search(norm)
    if match:
        return int(match.group(1))
    match = _HOURS.search(norm)
    if not match:
        return None
    if match.group(1):
        return int(float(match.group(1).replace(",", ".")) * 60) + (30 if "media" in match.group(0) else 0)
    if match.group(2):
        return {"una": 60, "dos": 120}[match.group(2)] + (30 if match.group(3) else 0)
    return 90


def is_service_request(norm: str) -> bool:
    """Whether an owner message is about the service list (add, price, duration, deactivate)."""
    if re.search(r"\b(?:emplead|barber|estilista|bloque|cita|client)", norm):
        return False
    return bool(_ADD.search(norm) and (_MINUTES.search(norm) or _HOURS.search(norm) or "$" in norm or "pesos" in norm)) or bool(
        re.search(r"\bservicio\b|\bprecio\b|\bahora (?:cuesta|vale|dura|sale)\b|\bque (?:cueste|dure)\b|\bya no (?:damos|ofrecemos|hacemos)\b|\bduracion\b", norm))


def _summary(turn: Turn, d: ServiceDraft) -> str:
    if d.action == "add":
        return f"¿Agrego el servicio {d.name}: {format_duration(d.duration_minutes)}, {format_price(d.price_cents)}?"
    service = turn.tools.service(d.service_id)
    if d.action == "price":
        return f"¿Cambio el precio de {service['name']} de {format_price(int(service['price_cents']))} a {format_price(d.price_cents)}?"
    if d.action == "duration":
        return (f"¿Cambio la duración de {service['name']} de {format_duration(int(service['duration_minutes']))} a "
                f"{format_duration(d.duration_minutes)}? Las citas ya agendadas se quedan como están.")
    return f"¿Desactivo {service['name']}? Ya no se podrá agendar; las citas que ya tiene se quedan."


def start_service(turn: Turn) -> list[str]:
    if not turn.tools.can("change_service_durations"):
        return [turn.tools.refusal("manage_services")]
    text, norm = turn.text, turn.norm
    pairs = [(str(s["id"]), s["name"]) for s in turn.tools.services()]
    price, minutes = _price(text), _minutes(norm)
    add = _ADD.search(text)
    found = match_service(re.sub(r"\d+|\$", " ", text), pairs)
    if add and not (isinstance(found, str) and normalize(turn.tools.service(found)["name"]) in norm):
        name = " ".join(add.group(1).split()).strip(" .,:")
        if not name:
            return ["¿Cómo se llama el servicio nuevo, cuánto dura y cuánto cuesta? Por ejemplo: «agrega tinte, 90 minutos, $450»."]
        draft = ServiceDraft(action="add", name=name[0].upper() + name[1:], duration_minutes=minutes, price_cents=price)
        if minutes is None or price is None:
            turn.state.pending, turn.state.step = draft, "service_details"
            return [f"¿Cuánto dura {draft.name} y cuánto cuesta? Por ejemplo: «90 minutos, $450»."]
    else:
        if not isinstance(found, str):
            names = ", ".join(n for _, n in pairs)
            return [f"¿De qué servicio? Tenemos: {names}."]
        if _DEACTIVATE.search(norm):
            draft = ServiceDraft(action="deactivate", service_id=found)
        elif _DURATION.search(norm) and minutes:
            draft = ServiceDraft(action="duration", service_id=found, duration_minutes=minutes)
        elif price is not None and (_PRICE_WORDS.search(norm) or "$" in text):
            draft = ServiceDraft(action="price", service_id=found, price_cents=price)
        else:
            return ["¿Qué cambio? Por ejemplo: «el corte ahora cuesta $180» o «el corte ahora dura 40 minutos»."]
    if draft.action != "duration" and not turn.tools.can("manage_services"):
        return [turn.tools.refusal("manage_services")]
    turn.state.pending, turn.state.step = draft, "confirm"
    return [_summary(turn, draft) + " Responde sí o no."]


def resume_service(turn: Turn, draft: ServiceDraft) -> list[str] | None:
    if turn.state.step == "service_details":
        draft.duration_minutes = _minutes(turn.norm) or draft.duration_minutes
        draft.price_cents = _price(turn.text) if _price(turn.text) is not None else draft.price_cents
        if draft.duration_minutes is None or draft.price_cents is None:
            return None
        turn.state.step = "confirm"
        return [_summary(turn, draft) + " Responde sí o no."]
    answer = yes_no(turn.text)
    if answer == "no":
        turn.state.clear()
        return [NOTHING_CHANGED]
    if answer != "yes":
        return None
    turn.state.clear()
    if draft.action == "add":
        result = turn.tools.call("add_service", {"name": draft.name, "duration_minutes": draft.duration_minutes, "price_cents": draft.price_cents})
        if not result.ok:
            return [result.error]
        return [f"Listo, agregué {draft.name} ✓ ({format_duration(draft.duration_minutes)}, {format_price(draft.price_cents)}). Ya se puede agendar. {ANYTHING_ELSE}"]
    change = {"price": {"price_cents": draft.price_cents}, "duration": {"duration_minutes": draft.duration_minutes},
              "deactivate": {"is_active": False}}[draft.action]
    result = turn.tools.call("update_service", {"service_id": draft.service_id, **change})
    if not result.ok:
        return [result.error]
    done = {"price": f"ahora cuesta {format_price(draft.price_cents or 0)}", "duration": f"ahora dura {format_duration(draft.duration_minutes or 0)}",
            "deactivate": "quedó desactivado"}[draft.action]
    return [f"Listo, {result.data['name']} {done} ✓ {ANYTHING_ELSE}"]

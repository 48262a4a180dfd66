"""Flows 12 and 13 by chat: removing someone from the team and changing someone's permissions.

Flow 12 (owner or admin): who; their future appointments are listed and the owner decides (they
stay as they are, or they are cancelled with a message to each customer); a summary to confirm.
Flow 13 (owner only): who; the new level; a summary to confirm. Permission is checked before
anything is asked, so a refusal changes nothing and asks nothing.
"""

from __future__ import annotations

import re

from agent.team.parse import yes_no
from agent.team.roster_tools import LEVEL_ES
from agent.team.state import RosterDraft
from agent.team.turn import ANYTHING_ELSE, NOTHING_CHANGED, Turn
from agent.toolbox.consent import named_staff

_REMOVAL = re.compile(r"\b(?:d\w* de baja|quit\w*|elimin\w*|sac\w*|corr\w*|despid\w*|borr\w*)\b(?!.*\b(?:bloqueo|cita|servicio)\b)|\bya no trabaja\b|\bya no (?:va a )?(?:estar|venir)\w*\b")
LEVEL_WORDS = (
    ("admin", re.compile(r"\badmin\w*\b|\bencargad[oa]\b|\bgerente\b")),
    ("viewer", re.compile(r"\bsolo (?:ver|consulta|lectura)\b|\bconsulta\b|\blectura\b|\bvisor\b")),
    ("owner", re.compile(r"\b(?:dueñ|duen|soci)[oa]\b")),
    ("staff", re.compile(r"\bemplead[oa]\b|\bstaff\b|\bnormal\b|\bbarber[oa]\b|\bestilista\b")),
)
LEVEL_MENU = (("admin", "Administrador: ve estadísticas y agrega o da de baja personas"),
              ("staff", "Empleado: su agenda, bloqueos, citas y walk-ins"),
              ("viewer", "Solo consulta: ve la agenda, no cambia nada"),
              ("owner", "Dueño: todo, incluidos horarios, precios y permisos"))
_KEEP = re.compile(r"^1\b|\b(?:dej\w*|qued\w*|mant\w*|conserv\w*|igual|como estan)\b")
_CANCEL = re.compile(r"^2\b|\bcancel\w*\b")
_DICTATED = re.compile(r"\b(?:diles|dile|avísales|avisales|avísale|avisale)\s*(?:que\s+|:\s*)(.{3,})", re.IGNORECASE | re.DOTALL)


def is_removal(turn: Turn) -> bool:
    """"da de baja a Miguel", "quita a Laura del equipo", "Miguel ya no trabaja aquí"."""
    return bool(_REMOVAL.search(turn.norm)) and _named(turn, turn.text) is not None


def _others(turn: Turn) -> list[dict]:
    return [s for s in turn.tools.team() if str(s["id"]) != str(turn.tools.staff_id)]


def _named(turn: Turn, text: str) -> dict | None:
    return named_staff(text, _others(turn))


def _level_in(norm: str) -> str | None:
    for level, pattern in LEVEL_WORDS:
        if pattern.search(norm):
            return level
    return None


def _pick_person(turn: Turn, draft: RosterDraft, question: str) -> list[str]:
    turn.state.pending, turn.state.step = draft, "pick"
    draft.stage = "staff"
    people = "\n".join(f"{i}. {s['name']} ({LEVEL_ES.get(s.get('permission_level') or 'staff', 'empleado')})" for i, s in enumerate(_others(turn), 1))
    return [f"{question}\n{people}" if people else "No hay nadie más en el equipo."]


def start_remove(turn: Turn) -> list[str]:
    if not turn.tools.can("remove_staff"):
        return [turn.tools.refusal("remove_staff")]
    draft = RosterDraft(action="remove")
    person = _named(turn, turn.text)
    if person is None:
        return _pick_person(turn, draft, "¿A quién quieres dar de baja?")
    return _chosen(turn, draft, person)


def start_permissions(turn: Turn) -> list[str]:
    if not turn.tools.can("change_permissions"):
        return [turn.tools.refusal("change_permissions")]
    draft = RosterDraft(action="permissions", level=_level_in(turn.norm))
    person = _named(turn, turn.text)
    if person is None:
        return _pick_person(turn, draft, "¿A quién le cambio los permisos?")
    return _chosen(turn, draft, person)


def _chosen(turn: Turn, draft: RosterDraft, person: dict) -> list[str]:
    draft.staff_id, draft.staff_name = str(person["id"]), person["name"]
    draft.current_level = person.get("permission_level") or "staff"
    turn.state.pending = draft
    if draft.action == "remove":
        if draft.current_level == "owner" and turn.tools.level != "owner":
            turn.state.clear()
            return ["Solo el dueño puede dar de baja a un dueño."]
        draft.appointments = turn.tools.future_appointments_of(person["id"])
        if draft.appointments:
            turn.state.step, draft.stage = "pick", "decide"
            return [_appointments_text(draft) + "\n\n¿Qué hago con ellas?\n1. Dejarlas como están\n2. Cancelarlas y avisarle a cada cliente"]
        return _confirm(turn, draft)
    if draft.level is None or draft.level == draft.current_level:
        turn.state.step, draft.stage = "pick", "level"
        menu = "\n".join(f"{i}. {text}" for i, (_, text) in enumerate(LEVEL_MENU, 1))
        return [f"{person['name']} ahora es {LEVEL_ES[draft.current_level]}. ¿Qué nivel le doy?\n{menu}"]
    return _confirm(turn, draft)


def _appointments_text(draft: RosterDraft) -> str:
    count = len(draft.appointments)
    lines = [f"• {a['date_text']}, {a['time']} - {a['service']} - {a['customer']}" for a in draft.appointments[:10]]
    if count > 10:
        lines.append(f"• … y {count - 10} más")
    noun = "cita próxima" if count == 1 else "citas próximas"
    return f"{draft.staff_name} tiene {count} {noun}:\n" + "\n".join(lines)


def _confirm(turn: Turn, draft: RosterDraft) -> list[str]:
    turn.state.pending, turn.state.step, draft.stage = draft, "confirm", None
    if draft.action == "permissions":
        return [f"¿Cambio a {draft.staff_name} de {LEVEL_ES[draft.current_level]} a {LEVEL_ES[draft.level]}? Responde sí o no."]
    first = draft.staff_name.split()[0]
    text = f"¿Doy de baja a {draft.staff_name}? Ya no podrá escribirme ni recibir citas nuevas."
    count = len(draft.appointments)
    if draft.decision == "keep":
        text += f" Sus {count} citas próximas se quedan como están." if count > 1 else " Su cita próxima se queda como está."
    elif draft.decision == "cancel":
        text += (f" Cancelo sus {count} citas próximas y le aviso a cada cliente que su cita se canceló."
                 if count > 1 else " Cancelo su cita próxima y le aviso al cliente.")
        if draft.message:
            text += f" Les digo: «{draft.message}»."
    else:
        text += f" {first} no tiene citas próximas."
    return [text + " Responde sí o no."]


def resume_roster(turn: Turn, draft: RosterDraft) -> list[str] | None:
    step, text = turn.state.step, turn.text
    if step == "confirm":
        answer = yes_no(text)
        if answer == "no":
            turn.state.clear()
            return [NOTHING_CHANGED]
        if answer != "yes":
            return None
        turn.state.clear()
        return _commit(turn, draft)
    if draft.stage == "staff":
        person = _named(turn, text)
        number = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text)
        if person is None and number:
            others = _others(turn)
            index = int(number.group(1)) - 1
            person = others[index] if 0 <= index < len(others) else None
        if person is None:
            return None
        if draft.action == "permissions" and draft.level is None:
            draft.level = _level_in(turn.norm)
        return _chosen(turn, draft, person)
    if draft.stage == "level":
        number = re.fullmatch(r"\s*([1-4])\s*[.)]?\s*", text)
        level = LEVEL_MENU[int(number.group(1)) - 1][0] if number else _level_in(turn.norm)
        if level is None:
            return None
        if level == draft.current_level:
            return [f"{draft.staff_name} ya es {LEVEL_ES[level]}. ¿Qué otro nivel le doy? (o «olvídalo»)"]
        draft.level = level
        return _confirm(turn, draft)
    if draft.stage == "decide":
        if _CANCEL.search(turn.norm):
            draft.decision = "cancel"
            dictated = _DICTATED.search(text)
            draft.message = _sentence(dictated.group(1)) if dictated else None
        elif _KEEP.search(turn.norm):
            draft.decision = "keep"
        else:
            return None
        return _confirm(turn, draft)
    return None


def _commit(turn: Turn, draft: RosterDraft) -> list[str]:
    if draft.action == "permissions":
        result = turn.tools.call("change_permissions", {"staff_id": draft.staff_id, "permission_level": draft.level})
        if not result.ok:
            return [result.error]
        return [f"Listo ✓ {draft.staff_name} ahora es {LEVEL_ES[draft.level]}. {ANYTHING_ELSE}"]
    args: dict = {"staff_id": draft.staff_id}
    if draft.decision:
        args["future_appointments"] = draft.decision
    if draft.message:
        args["message"] = draft.message
    result = turn.tools.call("remove_staff", args)
    if not result.ok:
        return [result.error]
    text = f"Listo ✓ Di de baja a {draft.staff_name}."
    if result.data["cancelled"]:
        told = ", ".join(result.data["notified"])
        text += f" Cancelé {result.data['cancelled']} citas" if result.data["cancelled"] > 1 else " Cancelé su cita"
        text += f" y les avisé a {told}." if told else "."
    elif result.data["kept"]:
        text += " Sus citas próximas se quedan como están; muévelas a alguien más cuando quieras."
    return [f"{text} {ANYTHING_ELSE}"]


def _sentence(text: str) -> str:
    """"te buscamos otro día con Carlos" -> "Te buscamos otro día con Carlos."."""
    clean = " ".join(text.replace("\x00", "").split()).strip(" .")[:400]
    return (clean[0].upper() + clean[1:] + ".") if clean else ""

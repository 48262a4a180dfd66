"""Flow 11, adding a team member by chat (example 7): name, WhatsApp number, services they perform,
permission level (staff unless said otherwise); a summary to confirm; then the welcome message is
offered. The new person is pre-registered: their first message starts staff onboarding."""

from __future__ import annotations

import re

from agent.spanish import extract_name, match_service, normalize
from agent.team.booking import format_phone_short
from agent.team.parse import find_phone, yes_no
from agent.team.state import StaffDraft
from agent.team.turn import ANYTHING_ELSE, NOTHING_CHANGED, Turn

LEVELS = {"admin": re.compile(r"\badmin\w*\b|\bencargad[oa]\b|\bgerente\b"), "viewer": re.compile(r"\bsolo (?:ver|consulta|lectura)\b|\brecepcion\w*\b|\bsolo lectura\b"),
          "owner": re.compile(r"\b(?:como )?(?:dueñ|duen|soci)[oa]\b")}
LEVEL_ES = {"owner": "dueño", "admin": "administrador", "staff": "empleado", "viewer": "de solo consulta"}
_ALL = re.compile(r"\b(?:todos|todas|todo|los tres|de todo|todos los servicios)\b")
_NAME_AFTER = re.compile(r"\b(?:se llama|llamad[oa]|nombre es|empleado|empleada|barbero|barbera|estilista)\s+([A-ZÁÉÍÓÚÑa-záéíóúñ]+(?:\s+[A-ZÁÉÍÓÚÑa-záéíóúñ]+)?)")


def _level(norm: str) -> str:
    for level, pattern in LEVELS.items():
        if pattern.search(norm):
            return level
    return "staff"


def _services_list(turn: Turn) -> str:
    return "\n".join(f"• {s['name']}" for s in turn.tools.services())


def _ask(turn: Turn, draft: StaffDraft) -> list[str]:
    turn.state.pending = draft
    if not draft.name:
        turn.state.step = "name"
        return ["¡Claro! Necesito algunos datos:\n1. ¿Cómo se llama?"]
    if not draft.phone:
        turn.state.step = "phone"
        return ["2. ¿Cuál es su número de WhatsApp?"]
    if not draft.services_given:
        turn.state.step = "services"
        return [f"3. ¿Qué servicios va a ofrecer {draft.name.split()[0]}?\n{_services_list(turn)}"]
    turn.state.step = "confirm"
    return [f"¿Agrego a {draft.name} ({format_phone_short(draft.phone)}) como {LEVEL_ES[draft.level]}, con {_services_text(turn, draft)}? Responde sí o no."]


def _services_text(turn: Turn, draft: StaffDraft) -> str:
    if draft.service_ids is None:
        return "todos los servicios"
    return ", ".join(turn.tools.service(s)["name"] for s in draft.service_ids)


def start_add_staff(turn: Turn) -> list[str]:
    if not turn.tools.can("add_staff"):
        return [turn.tools.refusal("add_staff")]
    draft = StaffDraft(level=_level(turn.norm), phone=find_phone(turn.text))
    match = _NAME_AFTER.search(turn.text)
    if match and normalize(match.group(1)) not in ("nuevo", "nueva", "que", "a"):
        draft.name = match.group(1).title()
    return _ask(turn, draft)


def _picked_services(turn: Turn, text: str) -> list[str] | None | bool:
    """Service ids named ("corte y barba"), None for all, False when nothing was understood."""
    norm = normalize(text)
    if _ALL.search(norm):
        return None
    pairs = [(str(s["id"]), s["name"]) for s in turn.tools.services()]
    picked = []
    for part in re.split(r",|\by\b|\be\b", text):
        found = match_service(part, pairs) if part.strip() else None
        if isinstance(found, str) and found not in picked:
            picked.append(found)
    return picked or False


def resume_add_staff(turn: Turn, draft: StaffDraft) -> list[str] | None:
    step, text = turn.state.step, turn.text
    if step == "welcome":
        answer = yes_no(text)
        turn.state.clear()
        if answer != "yes":
            return [f"Va, no le mando nada. Cuando {draft.name.split()[0]} me escriba, le doy la bienvenida. {ANYTHING_ELSE}"]
        result = turn.tools.call("send_welcome", {"staff_id": draft.staff_id})
        return ["Enviado ✓" if result.ok else result.error]
    if step == "confirm":
        answer = yes_no(text)
        if answer == "no":
            turn.state.clear()
            return [NOTHING_CHANGED]
        if answer != "yes":
            return None
        result = turn.tools.call("add_staff", {"name": draft.name, "phone_number": draft.phone, "permission_level": draft.level,
                                               "service_ids": draft.service_ids})
        if not result.ok:
            turn.state.clear()
            return [result.error]
        draft.staff_id = result.data["staff_id"]
        turn.state.step = "welcome"
        first = draft.name.split()[0]
        return [f"Perfecto. Agregué a {draft.name} ({format_phone_short(draft.phone)}) como {LEVEL_ES[draft.level]} ✓\n\n"
                f"Ahora {first} puede escribirme desde su WhatsApp para:\n- Ver su agenda\n- Bloquear tiempo\n"
                f"- Marcar citas completadas\n- Registrar walk-ins\n\n"
                f"¿Quieres que le mande un mensaje de bienvenida explicándole cómo usar Parlo?"]
    if step == "name":
        name = extract_name(text) or _plain(text)
        if not name:
            return None
        draft.name = name
    elif step == "phone":
        phone = find_phone(text)
        if not phone:
            return ["Pásame su WhatsApp a 10 dígitos, por ejemplo 55 1111 2222."]
        draft.phone = phone
    elif step == "services":
        picked = _picked_services(turn, text)
        if picked is False:
            return None
        draft.service_ids, draft.services_given = picked, True
        level = _level(turn.norm)
        if level != "staff":
            draft.level = level
    return _ask(turn, draft)


def _plain(text: str) -> str | None:
    words = [w for w in re.split(r"\s+", text.strip(" .!¡¿?")) if w]
    if 1 <= len(words) <= 4 and all(re.fullmatch(r"[A-Za-zÁÉÍÓÚáéíóúÑñÜü'\-]+", w) for w in words):
        return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)
    return None

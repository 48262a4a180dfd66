"""Messages to customers on the business's behalf: after a no-show or a cancellation (example 6), and
on request ("dile a Rosa que sí tenemos tinte"). Every message is signed with the business's name
(``send_message_to_customer`` adds the signature). What the staff member dictated goes out as
dictated; a message Parlo wrote itself is shown and confirmed first."""

from __future__ import annotations

import re

from agent.team.parse import find_phone, mentions_name, without_phone, yes_no
from agent.team.state import MessageDraft
from agent.team.turn import ANYTHING_ELSE, Turn, first

_LEAD = re.compile(
    r"^\s*(?:(?:s[ií]+|claro|ok|okey|va|dale|sale|[oó]rale|porfa|por favor|simon|sim[oó]n|s[ií] porfa|s[ií] por favor)[\s,.!]*)*"
    r"(?:(?:d[ií]le|m[aá]ndale|escr[ií]bele|av[ií]sale|ponle|p[oó]nle|env[ií]ale)(?:\s+(?:un\s+)?mensaje)?(?:\s+(?:a|al)\s+[^\s,:]+(?:\s+[A-ZÁÉÍÓÚ][^\s,:]*)?)?[\s,:]*)?"
    r"(?:que\s+)?",
    re.IGNORECASE,
)
_SAY = re.compile(r"^\s*(?:d[ií]le|m[aá]ndale|escr[ií]bele|av[ií]sale|env[ií]ale)\b", re.IGNORECASE)


def dictation(text: str) -> str:
    """What to tell the customer, from "Sí, dile que esperamos que esté bien" -> "esperamos que esté bien"."""
    body = _LEAD.sub("", text or "", count=1).strip()
    if ":" in body[:3]:
        body = body.split(":", 1)[1].strip()
    return body.strip(" \"'«»")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def compose(draft: MessageDraft, said: str | None) -> str:
    name = first(draft.customer_name)
    hello = f"Hola {name}," if name else "Hola,"
    context = {
        "no_show": " notamos que no pudiste llegar a tu cita de hoy.",
        "cancelled": " te avisamos que tu cita quedó cancelada.",
        "free": "",
    }[draft.context]
    if said:
        rest = _sentence(said)
        if draft.context == "free":
            return f"{hello} {rest[0].lower() + rest[1:] if not rest[:2].isupper() else rest}"
        return f"{hello}{context} {rest}"
    default = {
        "no_show": "Esperamos que todo esté bien. Cuando gustes, escríbenos para reagendar.",
        "cancelled": "Si quieres reagendar, escríbenos por aquí.",
        "free": "",
    }[draft.context]
    return f"{hello}{context} {default}".strip()


def offer_message(turn: Turn, item: dict, context: str) -> str:
    turn.state.pending = MessageDraft(customer_phone=item["customer_phone"], customer_name=item["customer"], context=context)
    turn.state.step = "offer_message"
    return f"¿Quieres que le envíe un mensaje a {first(item['customer']) or 'el cliente'}?"


def _send(turn: Turn, draft: MessageDraft, body: str) -> list[str]:
    result = turn.tools.call("send_message_to_customer", {"customer_phone": draft.customer_phone, "message": body})
    turn.state.clear()
    if not result.ok:
        return [result.error]
    return [f"Enviado ✓ Le mandé: \"{result.data['body']}\""]


def resume_message(turn: Turn, draft: MessageDraft) -> list[str] | None:
    answer = yes_no(turn.text)
    said = dictation(turn.text)
    dictated = len(said.split()) >= 2 and not re.fullmatch(r"(?:s[ií]|ok|va|dale|no|claro)[\s.!]*", said, re.IGNORECASE)
    if turn.state.step == "confirm_message":
        if answer == "yes" and not dictated:
            return _send(turn, draft, draft.body or compose(draft, None))
        if answer == "no" and not dictated:
            turn.state.clear()
            return [f"Va, no le mando nada. {ANYTHING_ELSE}"]
        if dictated:
            return _send(turn, draft, compose(draft, said))
        return [f"¿Le envío el mensaje a {first(draft.customer_name) or 'el cliente'}? Responde sí o no."]
    if turn.state.step == "dictate":
        if answer == "no" and not dictated:
            turn.state.clear()
            return [f"Va, no le mando nada. {ANYTHING_ELSE}"]
        if not said:
            return None
        return _send(turn, draft, compose(draft, said))
    # offer_message
    if answer == "no" and not dictated:
        turn.state.clear()
        return [f"Va, no le mando nada. {ANYTHING_ELSE}"]
    if dictated and (answer == "yes" or _SAY.match(turn.text) or answer is None):
        return _send(turn, draft, compose(draft, said))
    if answer == "yes":
        draft.body = compose(draft, None)
        turn.state.step = "confirm_message"
        return [f"Le mando esto:\n\"{draft.body}\"\n¿Se lo envío así? (o dime qué le digo)"]
    return None


# ---- "dile a Rosa que ..." --------------------------------------------------------------------

_TO = re.compile(r"\b(?:a|al|para)\s+(?:el\s+|la\s+)?(?:client[ea]\s+)?([a-záéíóúñü]+(?:\s+[a-záéíóúñü]+)?)", re.IGNORECASE)


def _recipient(turn: Turn) -> tuple[list[dict], str]:
    """Customers the message is for, and the words that named them."""
    phone = find_phone(turn.text)
    if phone:
        return turn.tools.find_customers(phone=phone), phone
    today = turn.tools.call("get_business_schedule", {"date_from": turn.today, "date_to": turn.today})
    if today.ok:
        seen, people = set(), []
        for day in today.data["days"]:
            for item in day["items"]:
                if item["kind"] == "appointment" and item.get("customer_phone") and mentions_name(turn.norm, item["customer"]) and item["customer_phone"] not in seen:
                    seen.add(item["customer_phone"])
                    people.append({"phone_number": item["customer_phone"], "name": item["customer"]})
        if people:
            return people, people[0]["name"]
    head = re.split(r"\bque\b|:", without_phone(turn.text), maxsplit=1)[0]
    match = _TO.search(head)
    if match:
        words = [w for w in match.group(1).split() if w.lower() not in {"que", "un", "mensaje"}]
        if words:
            return turn.tools.find_customers(name=" ".join(words)), " ".join(words)
    last = turn.state.last_customer
    if last and re.search(r"\b(?:al cliente|a la clienta|le)\b", turn.norm):
        return [{"phone_number": last["phone"], "name": last.get("name") or ""}], last.get("name") or ""
    return [], ""


def start_message(turn: Turn) -> list[str]:
    if not turn.tools.can("manage_customers"):
        return [turn.tools.refusal("manage_customers")]
    people, named = _recipient(turn)
    if not people:
        turn.state.clear()
        return [f"No encontré a {named or 'ese cliente'} entre los clientes del negocio. Dime su teléfono, por ejemplo «mándale un mensaje a 55 1234 5678: ya está tu pedido»."]
    if len(people) > 1:
        turn.state.clear()
        lines = "\n".join(f"• {p.get('name') or 'Sin nombre'}: {p['phone_number']}" for p in people[:5])
        return [f"Hay varios clientes que coinciden:\n{lines}\nDime a cuál con su teléfono."]
    person = people[0]
    draft = MessageDraft(customer_phone=person["phone_number"], customer_name=person.get("name") or "", context="free")
    rest = re.split(r"\bque\b|:", without_phone(turn.text), maxsplit=1)
    said = rest[1].strip(" \"'«»") if len(rest) > 1 else ""
    turn.state.pending = draft
    if not said:
        turn.state.step = "dictate"
        return [f"¿Qué le digo a {first(draft.customer_name) or 'el cliente'}?"]
    draft.body = compose(draft, said)
    turn.state.step = "confirm_message"
    return [f"Le voy a mandar a {draft.customer_name or draft.customer_phone}:\n\"{draft.body}\"\n¿Se lo envío?"]


__all__ = ["compose", "dictation", "offer_message", "resume_message", "start_message"]

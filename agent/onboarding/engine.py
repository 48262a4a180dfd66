"""The offline onboarding state machine: what an owner's message tells us, and what to ask next.

``read_message`` is pure: given the collected data and the question last asked, it returns the
changed fields (in any order the owner gives them, corrections included) and short notes of what
was understood. ``next_question`` picks the first thing still missing. The conversation itself
(commands, provisioning, replies) is ``agent/onboarding/service.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.onboarding import texts
from agent.onboarding.parsing import (
    DAYS,
    TYPE_LABELS,
    TYPICAL_SERVICES,
    business_type_of,
    fold,
    match_existing,
    parse_hours,
    service_mentions,
    team_mentions,
)
from agent.spanish.format import format_duration, format_price
from agent.spanish.intents import detect_intents, extract_name
from agent.spanish.text import normalize
from commands.phones import normalize_phone

_UNSURE = re.compile(r"\b(no se|sugier\w*|recomiend\w*|recomenda\w*|que me sugieres|ayudame|ayuda|los comunes|tipicos|lo normal)\b")
_NONE = re.compile(r"^(no|nop|nel|ninguno|ninguna|nadie|solo yo|yo solo|yo sola|sola|solo|trabajo solo|trabajo sola|no gracias|asi esta bien|paso|sin direccion|no tengo)\b")
_DONE_SERVICES = re.compile(r"\b(son todos|es todo|eso es todo|nada mas|ningun otro|ya son todos|listo|ya)\b")
_BUSINESS_NAME = re.compile(r"(?i)(?:se llama|nombre (?:del negocio |de mi negocio )?es|mi negocio es|mi negocio se llama)\s+(.+?)(?:[,.;!\n]|\s+y\s+(?:es|somos|tengo)\b|$)")
_OWNER_NAME = re.compile(r"(?i)\b(?:me llamo|mi nombre es|soy)\s+")
_ADDRESS = re.compile(r"(?i)(?:la direcci[oó]n es|estamos en|nos ubicamos en|direcci[oó]n:)\s*(.+)$")
_REMOVE = re.compile(r"\b(quita|quitale|elimina|borra|sin|ya no (?:hago|hacemos|ofrezco|ofrecemos))\b\s+(?:el|la|los|las)?\s*(.+)$")
_GREETING_ONLY = re.compile(r"^(hola|buenas|buenos dias|buenas tardes|buenas noches|que tal|quiero|me interesa|informes|info|registrar|registro|mi negocio|negocio|empezar|iniciar|un|una|el|la|de|por favor|parlo|y|a|en|me|gustaria|quisiera|dar de alta|alta|saber|mas|como|funciona|\s)+$")
_TYPE_WORDS = re.compile(r"(?i)^\s*(?:es\s+)?(?:una?\s+)?(?:barber[ií]a|sal[oó]n(?: de belleza| de u[nñ]as)?|est[eé]tica|spa|u[nñ]as)\s*$")


@dataclass
class Reading:
    changes: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    affirm: bool = False
    deny: bool = False
    unsure: bool = False
    understood: bool = False


def _clean_business_name(text: str) -> str:
    name = re.sub(r"(?i)^\s*(?:hola[,!.]?\s*)?(?:mi negocio (?:se llama|es)|se llama|es|somos)\s+", "", text.strip())
    name = re.split(r"[,;\n]|\s+y\s+(?:es|somos)\b", name)[0]
    return " ".join(name.split()).strip(" .!¡¿?")[:80]


def _services_update(text: str, services: list[dict], expecting: str | None, *, force_names: bool) -> tuple[list[dict] | None, list[str]]:
    """Apply service mentions to a copy of the list: a name already there is corrected in
    place (only the fields said), a new name is added. None when nothing changed."""
    mentions = service_mentions(text)
    if not mentions:
        return None, []
    updated = [dict(s) for s in services]
    notes = []
    pending = next((i for i, s in enumerate(updated) if s.get("price_cents") is None or not s.get("duration_minutes")), None)
    for mention in mentions:
        index = match_existing(mention.name, updated) if mention.name else None
        if index is None and mention.name is None and pending is not None and expecting in ("service_price", "service_duration"):
            index = pending
        if index is not None:
            service = updated[index]
            if mention.price_cents is not None and mention.price_cents != service.get("price_cents"):
                service["price_cents"] = mention.price_cents
                notes.append(f"{service['name']}: {format_price(mention.price_cents)}")
            if mention.duration_minutes and mention.duration_minutes != service.get("duration_minutes"):
                service["duration_minutes"] = mention.duration_minutes
                notes.append(f"{service['name']}: {format_duration(mention.duration_minutes)}")
            continue
        if mention.name is None:
            continue
        if mention.price_cents is None and mention.duration_minutes is None and not force_names:
            continue
        updated.append({"name": mention.name, "price_cents": mention.price_cents, "duration_minutes": mention.duration_minutes})
        notes.append(mention.name)
    return (updated, notes) if updated != services else (None, [])


def read_message(text: str, data: dict, context: dict, owner_phone: str) -> Reading:
    reading = Reading()
    expecting = context.get("expecting")
    norm = normalize(text)
    intents = detect_intents(text)
    reading.affirm = "affirm" in intents and "deny" not in intents
    reading.deny = bool(_NONE.match(norm)) or "deny" in intents
    reading.unsure = bool(_UNSURE.search(norm)) or (expecting == "services" and "?" in text and not service_mentions(text))
    changes = reading.changes

    # business name and type (said outright, or answering the question)
    named = _BUSINESS_NAME.search(text)
    if named and not _OWNER_NAME.search(text[: named.start()] + " "):
        changes["business_name"] = _clean_business_name(named.group(1))
    elif expecting == "business_name" and not _GREETING_ONLY.match(norm) and not reading.unsure and not _TYPE_WORDS.match(text):
        if not parse_hours(text) and not any(m.price_cents for m in service_mentions(text)):
            changes["business_name"] = _clean_business_name(text)
    kind = business_type_of(text)
    if kind and (not data.get("business_type") or expecting in ("business_name", "business_type") or re.search(r"\b(es|somos)\b", norm)):
        changes["business_type"] = kind
    elif expecting == "business_type" and not kind and norm and not reading.unsure:
        changes["business_type"] = "other"

    # services (a correction of an existing one works from any step)
    services = list(data.get("services") or [])
    removed = _REMOVE.search(norm)
    if removed and services:
        index = match_existing(removed.group(2), services)
        if index is not None:
            reading.notes.append(f"quité {services[index]['name']}")
            services = [s for i, s in enumerate(services) if i != index]
            changes["services"] = services
    force = expecting in ("services", "more_services") and not reading.unsure and not reading.deny and not _DONE_SERVICES.search(norm)
    if "business_name" not in changes and not parse_hours(text):
        updated, notes = _services_update(text, services, expecting, force_names=force and not team_mentions(text))
        if updated is not None:
            changes["services"] = updated
            reading.notes += notes
    if expecting == "suggestion" and reading.affirm and "services" not in changes:
        changes["services"] = [
            {"name": n, "duration_minutes": m, "price_cents": c} for n, m, c in TYPICAL_SERVICES[data.get("business_type") or "other"]
        ]

    # hours: the days said replace those days; on first mention the others are closed
    hours = parse_hours(text)
    if hours is not None and (expecting == "hours" or any(w in fold(text) for w in ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo", "diario", "semana"))):
        merged = dict(data.get("hours") or {day: [] for day in DAYS})
        merged.update(hours)
        if not data.get("hours"):
            merged = {day: hours.get(day, []) for day in DAYS}
        changes["hours"] = merged

    # the owner
    if _OWNER_NAME.search(text) or expecting == "owner_name":
        name = extract_name(text)
        if name and (expecting == "owner_name" or _OWNER_NAME.search(text)):
            changes["owner_name"] = name

    # the team: names with WhatsApp numbers
    members = []
    for name, raw in team_mentions(text):
        try:
            phone = normalize_phone(raw)
        except Exception:  # noqa: BLE001 - an unreadable number is asked again below
            reading.notes.append(f"no entendí el número de {name}")
            continue
        if phone != owner_phone:
            members.append({"name": name, "phone": phone})
    if members:
        team = [m for m in (data.get("team") or []) if m["phone"] not in {x["phone"] for x in members}] + members
        changes["team"] = team
        changes["team_asked"] = True
    elif expecting == "team" and reading.deny:
        changes["team_asked"] = True

    # the address
    said = _ADDRESS.search(text)
    if said:
        changes["address"] = said.group(1).strip()[:200]
        changes["address_asked"] = True
    elif expecting == "address":
        if reading.deny:
            changes["address_asked"] = True
        elif norm and not reading.affirm:
            changes["address"] = " ".join(text.split())[:200]
            changes["address_asked"] = True

    reading.changes = {k: v for k, v in changes.items() if data.get(k) != v}
    reading.understood = bool(reading.changes)
    return reading


def next_question(data: dict, context: dict) -> tuple[str, str, str]:
    """(step, expecting, question) for the first thing still missing; the summary when done."""
    if not data.get("business_name"):
        return "collecting_business_info", "business_name", texts.ASK_NAME
    if not data.get("business_type"):
        return "collecting_business_info", "business_type", texts.ASK_TYPE.format(name=data["business_name"])
    services = data.get("services") or []
    if not services:
        return "collecting_business_info", "services", texts.ASK_SERVICES
    for service in services:
        if service.get("price_cents") is None:
            return "collecting_business_info", "service_price", texts.ASK_PRICE.format(service=service["name"])
        if not service.get("duration_minutes"):
            return "collecting_business_info", "service_duration", texts.ASK_DURATION.format(service=service["name"])
    if not data.get("hours"):
        if len(services) == 1 and not context.get("asked_more_services"):
            return "collecting_business_info", "more_services", texts.ASK_MORE_SERVICES
        return "collecting_business_info", "hours", texts.ASK_HOURS
    if not data.get("owner_name"):
        return "collecting_owner_info", "owner_name", texts.ASK_OWNER
    if not data.get("team_asked"):
        return "collecting_owner_info", "team", texts.ASK_TEAM
    if not data.get("address_asked"):
        return "collecting_owner_info", "address", texts.ASK_ADDRESS
    return "confirming_summary", "confirm", "Así quedaría tu negocio:\n" + texts.summary(data) + "\n\n" + texts.CONFIRM_HINT


def suggestion(data: dict) -> str:
    kind = data.get("business_type") or "other"
    lines = "\n".join(
        texts.service_line({"name": n, "duration_minutes": m, "price_cents": c}) for n, m, c in TYPICAL_SERVICES[kind]
    )
    return texts.SUGGESTION.format(type=TYPE_LABELS[kind], lines=lines)


def ready_to_confirm(data: dict) -> bool:
    return next_question(data, {})[0] == "confirming_summary"

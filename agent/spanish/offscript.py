"""What customers say when they go off-script: ways out, acknowledgements, superlatives,
elongated greetings, months, "al rato", and questions about payment, parking and reminders.

Pure functions over text (``normalize``d here); the engine decides what each means in a flow.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .text import normalize

__all__ = [
    "is_exit",
    "is_bare_no",
    "is_acknowledgement",
    "is_greeting_like",
    "superlative",
    "month_range",
    "is_later_today",
    "topics",
    "asks_availability",
    "wants_all",
    "refers_back",
    "unknown_staff_name",
]


def _re(*phrases: str) -> re.Pattern[str]:
    alts = sorted({normalize(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, alts)) + r")(?![a-z0-9])")


# "Leave this": said inside a flow, the flow ends and nothing is booked, moved or cancelled.
_EXIT = _re(
    "olvidalo", "olvidala", "olvidelo", "olvida eso", "olvidate", "mejor olvidalo", "dejalo asi",
    "dejala asi", "dejalo", "dejala", "asi dejalo", "asi dejala", "asi dejemoslo", "dejemoslo asi",
    "mejor no", "mejor asi", "asi esta bien", "ya no", "ya no quiero", "no quiero nada",
    "no gracias", "mejor luego", "mejor despues", "luego te escribo", "despues te escribo",
    "luego veo", "lo pienso", "lo voy a pensar", "ahorita no", "por ahora no", "no por ahora",
    "nada", "nada mas", "mejor lo dejo", "lo dejo asi", "cancela todo", "cancela eso",
    "no importa", "ya no hace falta", "no hace falta", "asi dejalo",
)  # fmt: skip
_BARE_NO = frozenset({"no", "nel", "nop", "nope", "no no", "nel pastel", "nones", "no por favor", "no gracias"})
_LAUGH = re.compile(r"^(?:j[aeiou]){2,}j?$|^(?:h[ae]){2,}h?$|^xd+$|^lol$")
_ACK_WORDS = frozenset(
    {"ok", "va", "sale", "vale", "aja", "mmm", "mm", "ah", "oh", "ya", "ya veo", "entiendo",
     "orale", "okey", "bueno", "listo", "perfecto", "bien", "super", "genial", "chido", "vientos"}
)  # fmt: skip
_ACK_SIGNS = ("👍", "👌", "🙌", "👏", "😂", "🤣", "😅", "😊", "🙂", "😁", "✅", "💪", "🔥", "❤", "♥")
_GREETING_WORDS = frozenset(
    {"hola", "holi", "holis", "ola", "hla", "olis", "buenas", "wenas", "buenos", "buen", "buena",
     "dias", "tardes", "noches", "tarde", "noche", "dia", "que", "onda", "tal", "hey", "saludos"}
)  # fmt: skip
_GREETING_HEADS = frozenset({"hola", "holi", "holis", "ola", "hla", "olis", "buenas", "wenas", "buenos", "buen", "hey", "saludos", "que"})
_EARLIEST = _re(
    "lo mas temprano", "la mas temprano", "lo mas pronto", "la mas pronto", "lo antes posible",
    "cuanto antes", "lo mas rapido", "el primer horario", "la primera hora", "lo primero que tengas",
    "el mas temprano", "la mas temprana", "el primero que tengas", "la primera que tengas",
    "el mas pronto", "lo mas cercano",
)  # fmt: skip
_LATEST = _re(
    "lo mas tarde", "la mas tarde", "el mas tarde", "el ultimo horario", "la ultima hora",
    "lo ultimo que tengas", "la ultima que tengas", "el ultimo que tengas", "lo mas tardecito",
)  # fmt: skip
_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre")  # fmt: skip
_MONTH_RE = re.compile(r"(?<![a-z0-9])(" + "|".join(_MONTHS) + r")(?![a-z0-9])")
_DAY_NUMBER_RE = re.compile(r"\b\d{1,2}\s+(?:de\s+)?(?:" + "|".join(_MONTHS) + r")\b")
_LATER_TODAY = _re("al rato", "al ratito", "en un rato", "en un ratito", "orita", "horita", "mas al rato", "en la tardecita de hoy")
_PAYMENT = _re(
    "tarjeta", "tarjetas", "efectivo", "transferencia", "transferencias", "forma de pago",
    "formas de pago", "metodo de pago", "metodos de pago", "como se paga", "como pago", "pagar con",
    "aceptan pago", "pago con", "terminal", "meses sin intereses", "spei", "mercado pago", "paypal",
    "vales", "cobran con",
)  # fmt: skip
_PARKING = _re("estacionamiento", "estacionar", "estaciono", "estacionarme", "parking", "valet", "donde me paro", "donde dejo el carro", "donde dejo el coche")
_REMINDER = _re("recordatorio", "recordatorios", "no me llego", "no me avisaron", "no me llego el mensaje", "me recuerdas", "me recuerdan", "aviso de mi cita")
_AVAILABILITY = _re(
    "que horarios tienes", "que horarios tienen", "que horarios hay", "que horario tienes",
    "que horas tienes", "que horas tienen", "que horas hay", "horarios disponibles",
    "horarios libres", "horas disponibles", "horas libres", "a que hora tienes", "a que hora hay",
    "a que horas tienes", "que tienes disponible", "que tienen disponible", "que espacios tienes",
    "que espacios hay", "que espacios tienen", "cuando tienes espacio", "cuando hay espacio",
    "tienes espacio", "tienes lugar", "hay espacio", "hay lugar", "tienen espacio", "tienen lugar",
    "que lugares tienes", "disponibilidad", "que hay para", "que tienes para",
)  # fmt: skip
_ALL = _re("todo", "todas", "todos", "las dos", "los dos", "ambas", "ambos", "las tres", "todas mis citas")
_REFER = re.compile(r"(?<![a-z0-9])(?:uno|una|ese|esa|eso|lo mismo|el mismo|la misma)(?![a-z0-9])")


def _collapsed(norm: str) -> str:
    # "holaa", "buenaas", "tardess": doubled letters are emphasis in greetings (not in "llego").
    return re.sub(r"([a-z])\1+", r"\1", norm)


def is_exit(text: str) -> bool:
    """"olvídalo", "déjalo así", "mejor no", "ya no"...: leave the current flow."""
    norm = normalize(text)
    return bool(norm) and (bool(_EXIT.search(norm)) or norm in _BARE_NO)


def is_bare_no(text: str) -> bool:
    return normalize(text) in _BARE_NO


def is_acknowledgement(text: str) -> bool:
    """"ok", "jajaja ok", "👍", "va": the customer acknowledges; nothing is asked or ended."""
    raw = (text or "").strip()
    if not raw:
        return False
    norm = normalize(raw)
    if not norm:
        return any(sign in raw for sign in _ACK_SIGNS)
    words = norm.split()
    return all(_LAUGH.match(w) or w in _ACK_WORDS for w in words)


def is_laugh(text: str) -> bool:
    words = normalize(text).split()
    return bool(words) and all(_LAUGH.match(w) for w in words)


def is_greeting_like(text: str) -> bool:
    """"holaa", "buenaaas", "wenas", "buenas tardess": a greeting, elongated or misspelled."""
    words = _collapsed(normalize(text)).split()
    return bool(words) and words[0] in _GREETING_HEADS and all(w in _GREETING_WORDS for w in words) and words != ["que"]


def superlative(text: str) -> str | None:
    """"lo más temprano que tengas" -> "first"; "lo más tarde posible" -> "last"."""
    norm = normalize(text)
    if _EARLIEST.search(norm):
        return "first"
    if _LATEST.search(norm):
        return "last"
    return None


def month_range(text: str, today: date) -> tuple[date, date] | None:
    """"en febrero", "y para febrero?": the whole month (the coming one), when no day is given."""
    norm = normalize(text)
    match = _MONTH_RE.search(norm)
    if not match or _DAY_NUMBER_RE.search(norm):
        return None
    month = _MONTHS.index(match.group(1)) + 1
    year = today.year + (1 if month < today.month else 0)
    first = date(year, month, 1)
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    return max(first, today), last


def is_later_today(text: str) -> bool:
    """"al rato", "en un ratito": later today (never a time already past)."""
    return bool(_LATER_TODAY.search(normalize(text)))


def topics(text: str) -> set[str]:
    """Questions about the business beyond the agenda: payment, parking, reminders."""
    norm = normalize(text)
    found = set()
    if _PAYMENT.search(norm):
        found.add("payment")
    if _PARKING.search(norm):
        found.add("parking")
    if _REMINDER.search(norm):
        found.add("reminder")
    return found


def asks_availability(text: str) -> bool:
    """"¿qué horarios tienes el jueves?": free times, not the opening hours."""
    return bool(_AVAILABILITY.search(normalize(text)))


def wants_all(text: str) -> bool:
    """"cancela todo", "las dos": every one of the listed appointments."""
    return bool(_ALL.search(normalize(text)))


_WITH_NAME = re.compile(r"\bcon\s+(?:el\s+|la\s+)?([A-ZÁÉÍÓÚÑ][a-záéíóúñ]{2,})")


def unknown_staff_name(text: str, staff_names: list[str]) -> str | None:
    """"con Pedro" when nobody on the team is called Pedro (a capitalised name after "con")."""
    known = {normalize(part) for name in staff_names for part in name.split()}
    for match in _WITH_NAME.finditer(text or ""):
        word = match.group(1)
        if normalize(word) not in known and normalize(word) not in _NOT_STAFF:
            return word
    return None


_NOT_STAFF = frozenset({"barba", "corte", "tinte", "gusto", "cita", "todo", "mucho", "tiempo", "permiso", "mi", "el", "la"})


def refers_back(text: str) -> bool:
    """"agéndame uno", "ese": the customer points at what was just talked about."""
    return bool(_REFER.search(normalize(text)))

"""Reading an owner's onboarding answers: business type, services with price and duration,
weekly hours, team members. Pure functions, no I/O.

Text normalisation, names and service matching come from ``agent.spanish``; what is here is
only what onboarding reads and booking never does (menus of prices, opening-hours phrases).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from agent.spanish.matching import match_service
from agent.spanish.text import normalize, strip_accents

BUSINESS_TYPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nail_salon", ("unas", "manicure", "pedicure", "nail", "nails", "manicura")),
    ("barbershop", ("barberia", "barber", "barbero", "barbershop", "barberos")),
    ("spa", ("spa", "masajes", "masaje")),
    ("beauty_salon", ("salon de belleza", "estetica", "belleza", "pestanas", "cejas", "maquillaje")),
    ("hair_salon", ("salon", "peluqueria", "estilista", "cabello")),
)
TYPE_LABELS = {
    "barbershop": "barbería",
    "hair_salon": "salón de cabello",
    "nail_salon": "salón de uñas",
    "spa": "spa",
    "beauty_salon": "salón de belleza",
    "other": "negocio de belleza",
}
# Typical services per type: (name, minutes, price in cents), offered when the owner is unsure.
TYPICAL_SERVICES: dict[str, tuple[tuple[str, int, int], ...]] = {
    "barbershop": (("Corte de cabello", 30, 15000), ("Arreglo de barba", 20, 10000), ("Corte y barba", 45, 22000)),
    "hair_salon": (("Corte de dama", 45, 25000), ("Tinte", 120, 80000), ("Peinado", 45, 30000)),
    "nail_salon": (("Manicure", 45, 20000), ("Pedicure", 60, 25000), ("Uñas de gel", 90, 35000)),
    "spa": (("Masaje relajante", 60, 60000), ("Facial", 60, 50000), ("Exfoliación corporal", 45, 45000)),
    "beauty_salon": (("Corte de cabello", 45, 25000), ("Diseño de cejas", 30, 15000), ("Maquillaje", 60, 50000)),
    "other": (("Corte de cabello", 30, 15000), ("Manicure", 45, 20000), ("Facial", 60, 50000)),
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_WORDS = {
    "lunes": "mon", "martes": "tue", "miercoles": "wed", "jueves": "thu", "viernes": "fri",
    "sabado": "sat", "sabados": "sat", "domingo": "sun", "domingos": "sun",
}  # fmt: skip
DAY_LABELS = {"mon": "lunes", "tue": "martes", "wed": "miércoles", "thu": "jueves", "fri": "viernes", "sat": "sábado", "sun": "domingo"}

_PRICE = re.compile(r"\$\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?|(\d+)(?:\.(\d{1,2}))?\s*(?:pesos|varos|mxn|mx)\b")
_BARE_PRICE = re.compile(r"\b(?:cuesta|vale|cobro|cobramos|precio(?: es| de)?|a|en|son|por)\s+\$?\s*(\d{2,5})\b(?!\s*(?:min|hora|hr|h\b))")
_MINUTES = re.compile(r"(\d{1,3})\s*(?:minutos|minuto|mins|min|m)\b")
_HOURS = re.compile(r"(\d(?:[.,]5)?)\s*(?:horas|hora|hrs|hr|h)\b(?:\s+y\s+media)?")
_WORD_DURATIONS = (
    (re.compile(r"\bhora y media\b"), 90),
    (re.compile(r"\buna hora y media\b"), 90),
    (re.compile(r"\bmedia hora\b"), 30),
    (re.compile(r"\b(?:una|1) hora\b"), 60),
    (re.compile(r"\bdos horas\b"), 120),
    (re.compile(r"\bcuarto de hora\b"), 15),
)
_EDGE_WORDS = frozenset(
    "cuesta vale cobro cobramos precio de a en son por y dura duran tarda tardo como aprox aproximadamente el la los las "
    "un una con servicio servicios tenemos hacemos ofrecemos ofrezco hago no mejor es pesos varos mxn cada uno si "
    "tambien ademas otro otra agrega agregar pon ponle".split()
)


def fold(text: str) -> str:
    """Lowercase and accent-free, keeping $, digits and separators (``normalize`` drops them)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return strip_accents(text)


def business_type_of(text: str) -> str | None:
    norm = normalize(text)
    for business_type, words in BUSINESS_TYPE_WORDS:
        for word in words:
            if re.search(rf"\b{word}\b", norm):
                return business_type
    return None


# ---- services ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceMention:
    name: str | None
    price_cents: int | None
    duration_minutes: int | None


def _price(chunk: str) -> tuple[int | None, str]:
    match = _PRICE.search(chunk)
    if match:
        whole = (match.group(1) or match.group(3) or "0").replace(",", "")
        cents = match.group(2) or match.group(4) or "0"
        return int(whole) * 100 + int(cents.ljust(2, "0")), chunk[: match.start()] + " " + chunk[match.end() :]
    match = _BARE_PRICE.search(chunk)
    if match:
        return int(match.group(1)) * 100, chunk[: match.start()] + " " + chunk[match.end() :]
    return None, chunk


def _duration(chunk: str) -> tuple[int | None, str]:
    for pattern, minutes in _WORD_DURATIONS:
        match = pattern.search(chunk)
        if match:
            return minutes, chunk[: match.start()] + " " + chunk[match.end() :]
    match = _MINUTES.search(chunk)
    if match:
        return int(match.group(1)), chunk[: match.start()] + " " + chunk[match.end() :]
    match = _HOURS.search(chunk)
    if match:
        hours = float(match.group(1).replace(",", "."))
        minutes = int(hours * 60) + (30 if "media" in match.group(0) else 0)
        return minutes, chunk[: match.start()] + " " + chunk[match.end() :]
    return None, chunk


def _service_name(rest: str, original: str) -> str | None:
    """The words left once price and duration are gone, without filler at either end, in the
    owner's own spelling (accents) when it can be found in the original text."""
    words = [w for w in normalize(rest).split() if not w.isdigit()]
    while words and words[0] in _EDGE_WORDS:
        words.pop(0)
    while words and words[-1] in _EDGE_WORDS:
        words.pop()
    if not words:
        return None
    folded = " ".join(words)
    originals = re.findall(r"[^\W\d_]+", original)
    for i in range(len(originals) - len(words) + 1):
        window = originals[i : i + len(words)]
        if normalize(" ".join(window)) == folded:
            pretty = " ".join(window)
            return pretty[:1].upper() + pretty[1:]
    return folded[:1].upper() + folded[1:]


def _chunks(text: str) -> list[tuple[str, str]]:
    """(folded, original) pieces, one service each: split at commas, lines and semicolons, and at
    « y » only when both sides carry their own price."""
    out = []
    for piece in re.split(r"[;\n]+|,(?!\d{3}\b)|\s+\+\s+", text or ""):  # not the comma of "$1,200"
        if not piece.strip():
            continue
        folded = fold(piece)
        halves = re.split(r"\s+y\s+(?=[a-z])", folded)
        originals = re.split(r"\s+y\s+(?=[a-záéíóúñ])", piece, flags=re.IGNORECASE)
        if len(halves) > 1 and len(halves) == len(originals) and all(_price(h)[0] is not None for h in halves):
            out.extend(zip(halves, originals))
        else:
            out.append((folded, piece))
    return out


def service_mentions(text: str) -> list[ServiceMention]:
    """"corte $150 media hora, barba $100 20 min" -> two mentions; pieces with neither a price
    nor a duration are skipped unless they are the whole message (a name said alone)."""
    mentions = []
    chunks = _chunks(text)
    for folded, original in chunks:
        price, rest = _price(folded)
        minutes, rest = _duration(rest)
        name = _service_name(rest, original)
        if price is None and minutes is None and len(chunks) > 1:
            continue
        if name is None and price is None and minutes is None:
            continue
        mentions.append(ServiceMention(name, price, minutes))
    return mentions


def match_existing(name: str, services: list[dict]) -> int | None:
    """Index of the collected service this name means (loose matching), or None."""
    if not services or not name:
        return None
    for index, service in enumerate(services):
        if normalize(service["name"]) == normalize(name):
            return index
    # Loosely, but never a longer name onto a shorter one: "corte y barba" is not "Corte".
    said = set(normalize(name).split()) - {"el", "la", "de", "y", "los", "las"}
    fitting = [(str(i), s["name"]) for i, s in enumerate(services) if said <= set(normalize(s["name"]).split()) or len(said) == 1]
    found = match_service(name, fitting) if fitting else None
    if isinstance(found, list):
        # "corte" with "Corte de dama" and "Corte y barba": the shortest name is the one said.
        found = min(found, key=lambda i: len(services[int(i)]["name"]))
    if found is not None and len(said) > 1 and not said <= set(normalize(services[int(found)]["name"]).split()):
        return None
    return int(found) if found is not None else None


# ---- hours ---------------------------------------------------------------------------------

_TIME = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|de la manana|de la tarde|de la noche|hrs|h)?"
_RANGE = re.compile(rf"(?:de\s+)?(?:las\s+)?{_TIME}\s*(?:a|-|hasta|al?)\s*(?:las\s+)?{_TIME}")
_CLOSED = re.compile(r"\b(cerrado|cerramos|descansamos|descanso|no abrimos|no trabajamos|libre)\b")
_DAY_RANGE = re.compile(r"(?:de\s+)?(lunes|martes|miercoles|jueves|viernes|sabados?|domingos?)\s+(?:a|al)\s+(lunes|martes|miercoles|jueves|viernes|sabados?|domingos?)")
_EVERY_DAY = re.compile(r"\b(todos los dias|diario|toda la semana|de lunes a domingo)\b")
_WEEKDAYS = re.compile(r"\bentre semana\b")
_WEEKEND = re.compile(r"\b(fines? de semana)\b")


def _clock(hour: str, minute: str | None, marker: str | None, *, after: int | None) -> int | None:
    h, m = int(hour), int(minute or 0)
    if h > 24 or m > 59:
        return None
    if marker in ("pm", "de la tarde", "de la noche") and h < 12:
        h += 12
    elif marker in ("am", "de la manana") and h == 12:
        h = 0
    elif marker is None and after is None and h < 7:
        h += 12  # opening "a las 4": afternoon
    elif marker is None and after is not None and h * 60 + m <= after:
        h += 12  # "de 10 a 8": closing at 8 PM
    total = h * 60 + m
    return total if total <= 24 * 60 else None


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_in(clause: str) -> list[str]:
    if _EVERY_DAY.search(clause):
        return list(DAYS)
    days: list[str] = []
    if _WEEKDAYS.search(clause):
        days += ["mon", "tue", "wed", "thu", "fri"]
    if _WEEKEND.search(clause):
        days += ["sat", "sun"]
    for match in _DAY_RANGE.finditer(clause):
        start, end = DAYS.index(DAY_WORDS[match.group(1)]), DAYS.index(DAY_WORDS[match.group(2)])
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        days += [DAYS[i] for i in span]
    stripped = _DAY_RANGE.sub(" ", clause)
    for word in re.findall(r"[a-z]+", stripped):
        if word in DAY_WORDS:
            days.append(DAY_WORDS[word])
    return list(dict.fromkeys(days))


def parse_hours(text: str) -> dict[str, list[list[str]]] | None:
    """"de lunes a sábado de 10 a 8, domingo cerrado" -> {"mon": [["10:00", "20:00"]], ... "sun": []}.

    Days not mentioned are closed. None when no day-and-time is found at all."""
    folded = fold(text)
    hours: dict[str, list[list[str]]] = {}
    last_days: list[str] = []
    found_any = False
    for clause in re.split(r"[,;\n]+|\s+y\s+(?=(?:el |los )?(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|entre|fin))", folded):
        clause = clause.strip()
        if not clause:
            continue
        days = _days_in(clause) or last_days
        time_match = _RANGE.search(_DAY_RANGE.sub(" ", clause))
        if _CLOSED.search(clause) and days:
            for day in days:
                hours[day] = []
            found_any = True
        elif time_match and days:
            opening = _clock(time_match.group(1), time_match.group(2), time_match.group(3), after=None)
            closing = _clock(time_match.group(4), time_match.group(5), time_match.group(6), after=opening) if opening is not None else None
            if opening is None or closing is None or closing <= opening:
                continue
            for day in days:
                hours.setdefault(day, []).append([_hhmm(opening), _hhmm(closing)])
            found_any = True
        elif time_match and not days:
            # "de 10 a 8" with no day at all: every day but Sunday is the common case, so ask? We
            # take it as Monday to Saturday and the summary shows it for confirmation.
            opening = _clock(time_match.group(1), time_match.group(2), time_match.group(3), after=None)
            closing = _clock(time_match.group(4), time_match.group(5), time_match.group(6), after=opening) if opening is not None else None
            if opening is None or closing is None or closing <= opening:
                continue
            for day in DAYS[:6]:
                hours.setdefault(day, []).append([_hhmm(opening), _hhmm(closing)])
            found_any = True
        last_days = days
    if not found_any:
        return None
    return {day: hours.get(day, []) for day in DAYS}


# ---- team ----------------------------------------------------------------------------------

_PHONE = re.compile(r"(\+?\d[\d\s\-().]{8,18}\d)")


def team_mentions(text: str) -> list[tuple[str, str]]:
    """"Miguel 55 2222 3333, Ana +52 55 3333 4444" -> [(name, raw number), ...]."""
    found = []
    for piece in re.split(r"[,;\n]+|\s+y\s+", text or ""):
        match = _PHONE.search(piece)
        if not match:
            continue
        name_part = (piece[: match.start()] + " " + piece[match.end() :]).strip(" :-")
        name_part = re.sub(r"(?i)\b(su|el|mi|numero|número|whatsapp|whats|cel|celular|tel|es|con|de)\b", " ", name_part)
        name = " ".join(w for w in name_part.split() if w.isalpha())
        if name:
            found.append((name.title() if name.islower() else name, match.group(1)))
    return found

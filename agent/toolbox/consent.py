"""Reading the customer's own words: did they accept, do they want to change a booking, whom did they name.

Deliberately small and conservative: an acceptance needs a clear "yes" and nothing that changes
or questions the proposal (a different hour, another day, "pero", "mejor", "no"). When in doubt
the answer is "not accepted", and the model has to ask again: a lost turn is cheap, a wrong
booking is not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

from vocabulary.weekdays import WEEKDAY_WORDS

_WORD = re.compile(r"[a-z0-9ñ]+")
_YES_WORDS = frozenset(
    "si sip simon va vale sale dale ok okay oki okey perfecto perfect correcto confirmo confirmado confirmada "
    "confirma confirmala confirmalo claro excelente genial listo listos adelante orale sipi afirmativo exacto "
    "agendala agendalo agendame apartala apartalo reservala hazlo hagamoslo bien cancelala cancelalo cambiala "
    "cambialo muevela movela".split()
)
_YES_PHRASES = ("de acuerdo", "esta bien", "me parece", "me late", "asi esta bien", "no hay problema", "por que no", "con gusto")
_YES_EMOJI = ("👍", "👌", "✅", "🙌", "👍🏻", "👍🏼", "👍🏽", "👍🏾")
# Words that question or change the proposal (checked after the "yes" phrases are removed).
_CHANGE_WORDS = frozenset(
    "no pero mejor cambia cambiar cambiamos otro otra otros otras espera esperame aun todavia antes despues "
    "luego temprano tarde noche manana hoy pasado semana aunque mmm nel nop nope ni tampoco "
    "lunes martes miercoles jueves viernes sabado domingo".split()
)
_WEEKDAYS = WEEKDAY_WORDS
_CHANGE_STEMS = ("cambi", "mover", "muev", "movam", "reagend", "reprogram", "recorr", "adelant(?!e\\b)", "pospon", "pasarl", "pasar mi")


def fold(text: str) -> str:
    """Lowercase without accents (ñ kept), spaces collapsed; emoji are kept."""
    text = unicodedata.normalize("NFKD", str(text or "").lower().replace("ñ", "\x00"))
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("\x00", "ñ")
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _strip_yes_phrases(folded: str) -> str:
    for phrase in _YES_PHRASES:
        folded = folded.replace(phrase, " si ")
    return folded


def is_acceptance(text: str, local_start: datetime | None = None, today: datetime | None = None, kind: str = "book") -> bool:
    """True when ``text`` is a clear yes to the proposal (and names nothing that contradicts it)."""
    folded = _strip_yes_phrases(fold(text))
    tokens = _WORD.findall(folded)
    has_yes = any(t in _YES_WORDS for t in tokens) or any(e in text for e in _YES_EMOJI)
    if not has_yes or "?" in text or "¿" in text:
        return False
    allowed_day_words: set[str] = set()
    if local_start is not None:
        allowed_day_words.add(_WEEKDAYS[local_start.weekday()])
        if today is not None and local_start.date() == today.date():
            allowed_day_words.add("hoy")
        if today is not None and local_start.date() == (today + timedelta(days=1)).date():
            allowed_day_words.add("manana")
        allowed_day_words.add("tarde" if 12 <= local_start.hour < 19 else "noche" if local_start.hour >= 19 else "manana")
    for token in tokens:
        if token in _CHANGE_WORDS and token not in allowed_day_words:
            return False
        if kind != "cancel" and token.startswith("cancel"):
            return False
        if token.isdigit() and not _number_fits(int(token), local_start):
            return False
    return True


def _number_fits(number: int, local_start: datetime | None) -> bool:
    """A number in a "yes" must be the proposal's hour, minutes or day of the month."""
    if local_start is None:
        return False
    hour12 = local_start.hour % 12 or 12
    return number in {local_start.hour, hour12, local_start.minute, local_start.day}


def is_change_request(text: str) -> bool:
    """The customer asks to move an existing appointment ("cambiar mi cita", "¿la puedo pasar al sábado?")."""
    folded = fold(text)
    if re.search(r"\b(otra|nueva|segunda) cita\b", folded):
        return False
    return any(re.search(r"\b" + stem, folded) for stem in _CHANGE_STEMS)


def named_staff(text: str, staff: Iterable[dict]) -> dict | None:
    """The staff member the text names by first name (or full name), when exactly one matches."""
    tokens = set(words(text))
    found = []
    for row in staff:
        parts = [p for p in words(row.get("name") or "") if len(p) >= 3]
        if parts and parts[0] in tokens:
            found.append(row)
    return found[0] if len(found) == 1 else None


def preferred_staff(customer_texts: Iterable[str], staff: list[dict]) -> dict | None:
    """The staff member the customer named most recently in this conversation (newest message wins)."""
    for text in reversed(list(customer_texts)):
        row = named_staff(text, staff)
        if row is not None:
            return row
    return None

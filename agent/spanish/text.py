"""Text normalisation for matching what customers type on WhatsApp.

Everything downstream (dates, intents, service matching) compares *normalised* text, so the
rules here decide what counts as "the same words". Normalised text is lowercase ASCII-ish:
accents are stripped (``ñ`` becomes ``n`` too: customers type "manana" as often as "mañana",
so both sides must meet in the middle).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["normalize", "strip_accents", "contains_any", "clauses", "tokens"]

# "4 p.m.", "4pm", "4 p. m." must survive punctuation stripping as one "pm" token, so they are
# rewritten before dots disappear. Only after a digit: "a mi casa" must not become "am".
_AMPM = re.compile(r"(?<=\d)\s*([ap])\s*\.?\s*m\b\.?")
# "16hrs" -> "16 hrs" so the shorthand table can see the unit as its own token.
_GLUED_UNIT = re.compile(r"(?<=\d)(?=(?:hrs?|horas|hras)\b)")
# Any letter written three or more times is emphasis ("siii", "holaaa"); Spanish never
# triples a letter, while doubles ("lleno", "carro", "lee") are real and stay.
_REPEATS = re.compile(r"([a-z])\1{2,}")
# Punctuation and emoji go, except ':' '/' '.' between digits: they carry times ("4:30"),
# dates ("15/01") and decimals ("150.50").
_PUNCT = re.compile(r"(?!(?<=\d)[:/.](?=\d))[^\w\s]|_")
_SPACES = re.compile(r"\s+")
# Clause boundaries for callers that care about "hoy no, mejor mañana": commas and sentence
# punctuation, but not a dot inside a number.
_CLAUSE_BREAK = re.compile(r"[,;!?¿¡\n]+|(?<!\d)\.|\.(?!\d)")

# WhatsApp shorthand seen in Mexican chats, keyed by the *accent-stripped* form
# ("mñn" arrives here as "mnn").
_SHORTHANDS: dict[str, str] = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "xk": "porque",
    "pk": "porque",
    "porq": "porque",
    "tmb": "tambien",
    "tmbn": "tambien",
    "tb": "tambien",
    "tbn": "tambien",
    "porfa": "por favor",
    "porfis": "por favor",
    "porfas": "por favor",
    "porfavor": "por favor",
    "xfa": "por favor",
    "xfavor": "por favor",
    "pfa": "por favor",
    "pls": "por favor",
    "plis": "por favor",
    "mnn": "manana",
    "mnna": "manana",
    "mnana": "manana",
    "hrs": "horas",
    "hr": "horas",
    "hras": "horas",
    "ntp": "no te preocupes",
    "dnd": "donde",
    "xa": "para",
    "bn": "bien",
    "vdd": "verdad",
    "grax": "gracias",
    "grx": "gracias",
    "grasias": "gracias",
    "okey": "ok",
    "okay": "ok",
    "oki": "ok",
    "okis": "ok",
    "okas": "ok",
    "oka": "ok",
    "ola": "hola",
    "weno": "bueno",
    "wueno": "bueno",
    "kiero": "quiero",
    "aki": "aqui",
    "tons": "entonces",
    "x": "por",
    "noo": "no",
    "sii": "si",
    "kambiar": "cambiar",
    "mober": "mover",
    "pal": "para el",
    "kambio": "cambio",
    "sita": "cita",
    "cita": "cita",
    "nesesito": "necesito",
    "nececito": "necesito",
    "ora": "hora",
    "wenas": "buenas",
    "wenos": "buenos",
}


def strip_accents(text: str) -> str:
    """Remove combining marks (á→a, ñ→n, ü→u); other characters are left alone."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _fix_ampm(text: str) -> str:
    return _AMPM.sub(r" \1m", text)


def _normalize_fragment(text: str) -> str:
    # NFKC first: WhatsApp and Babel output contain narrow no-break spaces and full-width forms.
    text = unicodedata.normalize("NFKC", text).lower()
    text = _GLUED_UNIT.sub(" ", _fix_ampm(text))
    text = strip_accents(text)
    text = _REPEATS.sub(r"\1", text)
    text = _PUNCT.sub(" ", text)
    words = [_SHORTHANDS.get(word, word) for word in text.split()]
    return _SPACES.sub(" ", " ".join(words)).strip()


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lowercase, accent-free, punctuation-free, single-spaced text with shorthands expanded.

    >>> normalize("¡Mñn a las 4:30 p.m. porfa! 🙏")
    'manana a las 4:30 pm por favor'
    """
    return _normalize_fragment(text or "")


def tokens(text: str) -> list[str]:
    """Words of the normalised text."""
    return normalize(text).split()


def clauses(text: str) -> list[str]:
    """Normalised clauses, split where the customer put a comma or sentence punctuation.

    Negation reads differently across a comma ("hoy no, mañana" vs "hoy no mañana"), so callers
    that care keep the boundaries this returns.
    """
    # am/pm first: "p.m." contains dots that would otherwise split the clause.
    text = _fix_ampm(unicodedata.normalize("NFKC", text or "").lower())
    parts = (_normalize_fragment(part) for part in _CLAUSE_BREAK.split(text))
    return [part for part in parts if part]


@lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    norm = normalize(phrase)
    if not norm:
        return None
    return re.compile(r"(?<![a-z0-9])" + re.escape(norm) + r"(?![a-z0-9])")


def contains_any(text: str, phrases: Iterable[str]) -> bool:
    """True when any phrase occurs in ``text`` as whole words, both sides normalised.

    Word boundaries matter: "va" must not match inside "nueva", nor "no" inside "noche".
    """
    norm = normalize(text)
    if not norm:
        return False
    for phrase in phrases:
        pattern = _phrase_pattern(phrase)
        if pattern is not None and pattern.search(norm):
            return True
    return False

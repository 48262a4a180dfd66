"""Picking an offered option by number: "la 2", "el segundo", "opción 3", "la última"."""

from __future__ import annotations

from .text import normalize

_ORDINALS = {
    "primer": 1, "primero": 1, "primera": 1, "1ro": 1, "1ra": 1, "1er": 1, "1era": 1, "1o": 1,
    "segundo": 2, "segunda": 2, "2do": 2, "2da": 2, "2o": 2,
    "tercer": 3, "tercero": 3, "tercera": 3, "3ro": 3, "3ra": 3, "3er": 3, "3era": 3, "3o": 3,
    "cuarto": 4, "cuarta": 4, "4to": 4, "4ta": 4, "4o": 4,
    "quinto": 5, "quinta": 5, "5to": 5, "5ta": 5,
    "sexto": 6, "sexta": 6, "6to": 6, "6ta": 6,
    "septimo": 7, "septima": 7, "setimo": 7, "setima": 7, "7mo": 7, "7ma": 7,
    "octavo": 8, "octava": 8, "8vo": 8, "8va": 8,
    "noveno": 9, "novena": 9, "9no": 9, "9na": 9,
    "decimo": 10, "decima": 10, "10mo": 10, "10ma": 10,
}  # fmt: skip
_CARDINALS = {
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10,
}  # fmt: skip
_LAST = frozenset({"ultimo", "ultima"})
_PENULTIMATE = frozenset({"penultimo", "penultima"})
_CHOICE_ANCHORS = frozenset({"la", "el", "lo", "opcion", "numero", "num", "con", "op", "de"})
_CHOICE_FILLER = frozenset(
    {"la", "el", "lo", "opcion", "numero", "num", "op", "por", "favor", "gracias", "quiero",
     "dame", "me", "quedo", "con", "esa", "ese", "esta", "este", "si", "ok", "va", "sale",
     "mejor", "pues", "de", "prefiero", "porfa", "agenda", "agendame", "perfecto", "una", "un"}
)  # fmt: skip


def parse_choice_number(text: str, max_n: int) -> int | None:
    """The 1-based option number a customer picked ("la 2", "el segundo", "opción 3", "1",
    "la última"), or None. Returns None when the text reads as a time ("a las 4", "4pm")
    or names several different options.
    """
    from .dates import parse_time  # here: dates re-exports this module

    if max_n < 1 or parse_time(text) is not None:
        return None
    words = normalize(text).split()
    if not words:
        return None
    content = [w for w in words if w not in _CHOICE_FILLER]
    short = len(content) <= 2
    found: set[int] = set()
    for i, word in enumerate(words):
        anchored = i > 0 and words[i - 1] in _CHOICE_ANCHORS
        if word.isdigit() and len(word) <= 2:
            if anchored or len(content) == 1:
                found.add(int(word))
        elif word in _ORDINALS and (anchored or short):
            found.add(_ORDINALS[word])
        elif word in _CARDINALS and (anchored or len(content) == 1):
            found.add(_CARDINALS[word])
        elif word in _LAST and (anchored or short):
            found.add(max_n)
        elif word in _PENULTIMATE and (anchored or short) and max_n >= 2:
            found.add(max_n - 1)
    if len(found) != 1:
        return None
    (choice,) = found
    return choice if 1 <= choice <= max_n else None

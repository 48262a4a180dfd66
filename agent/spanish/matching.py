"""Loose matching of what a customer wrote against service names and offered options.

The rule, in order:

1. Both sides become *concepts*: normalised words minus filler ("quiero un", "de", "la"),
   with synonyms folded ("uñas"/"manicura" -> mani, "pelo" -> cabello, "manipedi" -> mani +
   pedi) and, on the customer's side only, typos corrected by difflib against the catalogue
   vocabulary ("cortr" -> corte).
2. A service scores the weight of its concepts the customer mentioned, minus half the weight of
   those they did not. Qualifier words ("cabello", "arreglo", "dama", "clásico") weigh a quarter:
   "un corte" means "Corte de cabello" more than "Corte y barba", because the missing "barba" is
   a different service while the missing "cabello" is implied.
3. The best score wins. Services within ``TIE_MARGIN`` of the best are ambiguous: all their ids are
   returned, best first. A service needs at least one non-qualifier concept in common to count.
4. When the winner leaves one of the customer's service words unexplained and another service
   explains it ("corte y tinte" with separate "Corte" and "Tinte"), the customer asked for
   several services: those ids are returned too, best first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .dates import parse_time
from .text import normalize

__all__ = ["match_service", "match_option", "TIE_MARGIN"]

QUALIFIER_WEIGHT = 0.25
MISSING_PENALTY = 0.5
# Narrower than the gap one missing qualifier makes (0.125), so "corte" picks "Corte" over
# "Corte niño", while "Corte dama"/"Corte caballero" (equal scores) stay ambiguous.
TIE_MARGIN = 0.1
_FUZZY_CUTOFF = 0.8
_FUZZY_MIN_LEN = 4

# Word -> concept(s). Keys are normalised (no accents).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("corte", "cortes", "cortar", "cortarme", "cortarle", "cortada", "recorte",
         "cortecito", "cortesito"),
        ("corte",),
    ),
    **dict.fromkeys(("cabello", "pelo", "cabellos"), ("cabello",)),
    **dict.fromkeys(("barba", "barbas", "barbita"), ("barba",)),
    **dict.fromkeys(
        ("arreglo", "arreglar", "arreglarme", "arreglada", "arreglito", "perfilado", "perfilar"),
        ("arreglo",),
    ),
    **dict.fromkeys(
        ("manicure", "manicura", "mani", "manos", "manicur", "unas", "una"), ("mani",)
    ),
    **dict.fromkeys(("pedicure", "pedicura", "pedi", "pies", "pedicur"), ("pedi",)),
    **dict.fromkeys(("manipedi", "manipedicure", "manipedic"), ("mani", "pedi")),
    **dict.fromkeys(
        ("tinte", "tintes", "tenir", "tenirme", "pintar", "pintarme", "color", "coloracion",
         "colorear"),
        ("tinte",),
    ),
    **dict.fromkeys(("peinado", "peinados", "peinar", "peinarme"), ("peinado",)),
    **dict.fromkeys(("ceja", "cejas"), ("ceja",)),
    **dict.fromkeys(("pestana", "pestanas"), ("pestana",)),
    **dict.fromkeys(("alaciado", "alisado", "alaciar", "planchado"), ("alaciado",)),
    **dict.fromkeys(("mechas", "rayitos", "luces", "highlights"), ("mechas",)),
    **dict.fromkeys(("maquillaje", "maquillar", "maquillarme"), ("maquillaje",)),
    **dict.fromkeys(("lavado", "lavar", "lavarme"), ("lavado",)),
    **dict.fromkeys(("masaje", "masajes"), ("masaje",)),
}  # fmt: skip
# "una"/"unas" are also articles; they only mean nails in the cases handled in _concepts.
_NAIL_WORDS = frozenset({"una", "unas"})

# Words that refine a service rather than name one.
_QUALIFIERS = frozenset(
    {"cabello", "arreglo", "caballero", "caballeros", "dama", "damas", "hombre", "mujer", "nino",
     "nina", "ninos", "sencillo", "sencilla", "clasico", "clasica", "basico", "basica", "normal",
     "regular", "tradicional", "completo", "completa", "express", "servicio", "corto", "largo",
     "mediano"}
)  # fmt: skip

_STOPWORDS = frozenset(
    {"de", "del", "la", "las", "el", "los", "un", "unos", "y", "e", "o", "con", "para",
     "por", "a", "al", "en", "mi", "me", "te", "se", "le", "lo", "que", "quiero", "quisiera",
     "queria", "necesito", "agendar", "agendame", "agenda", "cita", "hacer", "hacerme", "favor",
     "hola", "buenas", "buenos", "tardes", "dias", "noches", "si", "solo", "nomas", "tambien",
     "otro", "otra", "puro", "pura", "es", "esa", "ese", "este", "esta", "gracias", "ok",
     "porfa", "pues", "bien", "mas", "seria", "puedo", "puede", "pueden", "tienen", "hay",
     "me", "gustaria", "sacar", "reservar", "un", "opcion", "ver"}
)  # fmt: skip


def _lookup(word: str, vocabulary: frozenset[str]) -> tuple[str, ...] | None:
    # Try the word, then naive singulars ("cejas" -> "ceja", "colores" -> "color").
    for candidate in (word, word[:-1] if word.endswith("s") else None,
                      word[:-2] if word.endswith("es") else None):  # fmt: skip
        if not candidate:
            continue
        if candidate in _SYNONYMS:
            return _SYNONYMS[candidate]
        if candidate in vocabulary:
            return (candidate,)
    return None


def _concepts(
    text: str, vocabulary: frozenset[str] = frozenset(), *, fuzzy: bool = False
) -> list[str]:
    words = normalize(text).split()
    # "uñas" typed with ñ is unambiguous; without it, "unas" is also the article "unas".
    nails_spelled = re.search(r"uñas?\b", text.lower()) is not None
    known = frozenset(_SYNONYMS) | vocabulary
    out: list[str] = []
    for i, word in enumerate(words):
        if word in _NAIL_WORDS:
            following = words[i + 1] if i + 1 < len(words) else ""
            is_article = following not in _STOPWORDS and _lookup(following, vocabulary) is not None
            if nails_spelled or (word == "unas" and not is_article):
                out.append("mani")
            continue
        if word in _STOPWORDS:
            continue
        found = _lookup(word, vocabulary)
        if found is None and fuzzy and len(word) >= _FUZZY_MIN_LEN and word.isalpha():
            close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=_FUZZY_CUTOFF)
            if close:
                found = _lookup(close[0], vocabulary)
        out.extend(found if found is not None else (word,))
    return out


def _weight(concept: str) -> float:
    return QUALIFIER_WEIGHT if concept in _QUALIFIERS else 1.0


@dataclass(frozen=True)
class _Candidate:
    score: float
    index: int
    hit: frozenset[str]


def _rank(text: str, names: Sequence[str]) -> list[_Candidate]:
    """Every name sharing a real (non-qualifier) concept with the text, best first."""
    name_concepts = [frozenset(_concepts(name)) for name in names]
    vocabulary = frozenset().union(*name_concepts) if name_concepts else frozenset()
    said = frozenset(_concepts(text, vocabulary, fuzzy=True))
    ranked: list[_Candidate] = []
    for index, (name, concepts) in enumerate(zip(names, name_concepts)):
        hit = concepts & said
        if not hit - _QUALIFIERS:
            continue
        score = sum(_weight(c) for c in hit) - MISSING_PENALTY * sum(
            _weight(c) for c in concepts - said
        )
        ranked.append(_Candidate(score, index, hit))
    if not ranked:
        # Last resort for names the concept rules cannot see (one-word typos of long names).
        norm = normalize(text)
        for index, name in enumerate(names):
            ratio = difflib.SequenceMatcher(None, norm, normalize(name)).ratio()
            if ratio >= _FUZZY_CUTOFF:
                ranked.append(_Candidate(ratio, index, frozenset()))
    ranked.sort(key=lambda c: (-c.score, c.index))
    return ranked


def _winners(ranked: list[_Candidate]) -> list[int]:
    """Indexes to return: one winner, or several when tied or when several were asked for."""
    if not ranked:
        return []
    best = ranked[0]
    tied = [c.index for c in ranked if best.score - c.score < TIE_MARGIN]
    if len(tied) > 1:
        return tied
    # "corte y tinte" against separate "Corte" and "Tinte": the winner leaves a service word
    # unexplained, so the candidates that explain it are returned too.
    chosen, covered = [best.index], set(best.hit)
    for cand in ranked[1:]:
        if cand.hit - covered - _QUALIFIERS:
            chosen.append(cand.index)
            covered |= cand.hit
    return chosen


def match_service(text: str, services: Sequence[tuple[str, str]]) -> str | list[str] | None:
    """Id of the service the customer means, given ``(id, name)`` pairs.

    Returns None when nothing matches, and a list of ids (best first) when several match about
    equally well ("corte" with both "Corte dama" and "Corte caballero"; "corte y tinte").
    """
    winners = _winners(_rank(text, [name for _id, name in services]))
    if not winners:
        return None
    if len(winners) == 1:
        return services[winners[0]][0]
    return [services[i][0] for i in winners]


def match_option(text: str, options: Sequence[str]) -> int | None:
    """0-based index of the offered option the text names by fragment, or None.

    Only names, words and times ("el de las 4" against "4:00 PM"): for "la 2" / "la segunda"
    use ``parse_choice_number`` (1-based). Ambiguous fragments return None.
    """
    wanted = parse_time(text)
    if wanted is not None:
        same_time = [i for i, option in enumerate(options) if parse_time(option) == wanted]
        if len(same_time) == 1:
            return same_time[0]
    winners = _winners(_rank(text, list(options)))
    return winners[0] if len(winners) == 1 else None

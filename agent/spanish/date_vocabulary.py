"""Vocabulary and patterns of ``agent.spanish.dates`` (weekdays, months, hour words and the
regular expressions the scanner applies, most specific first)."""

from __future__ import annotations

import re
from typing import Literal

PartOfDay = Literal["morning", "afternoon", "evening"]

# --------------------------------------------------------------------------------------------
# Vocabulary

WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
    "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip
_MONTH_NUMBER = {name: i + 1 for i, name in enumerate(MONTHS)}
# Abbreviations are only trusted right after a day number ("15 de ene"): alone, "mar" is the sea.
_MONTH_ABBR = {
    "ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6, "jul": 7, "ago": 8,
    "sep": 9, "sept": 9, "set": 9, "setiembre": 9, "oct": 10, "nov": 11, "dic": 12,
}  # fmt: skip

# Token rewrites applied before matching, so patterns only need the canonical names.
_CANONICAL_WORDS = {
    "sabados": "sabado",
    "sab": "sabado",
    "domingos": "domingo",
    "dom": "domingo",
    "miercole": "miercoles",
    "mier": "miercoles",
    "juev": "jueves",
    "vier": "viernes",
    "vierne": "viernes",
}
# Misspellings ("mircoles", "vienes", "febreo") are corrected by similarity against these.
# Only words of 6+ letters: short words are too easily confused with ordinary Spanish.
_FUZZY_TARGETS = WEEKDAYS + MONTHS
_FUZZY_MIN_LEN = 6
_FUZZY_CUTOFF = 0.83
# Ordinary words close enough to a weekday/month to be "corrected" by mistake.
_NOT_TYPOS = frozenset({"semana", "manana", "vienen", "tienen", "tienes", "juntos", "quiero"})

_HOUR_WORDS = {
    "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
}  # fmt: skip
_COUNT_WORDS = {"un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
                "siete": 7, "ocho": 8, "quince": 15}  # fmt: skip

_WD = "(?:" + "|".join(WEEKDAYS) + ")"
_MONTH_ALT = "|".join(sorted([*MONTHS, *_MONTH_ABBR], key=len, reverse=True))

# --------------------------------------------------------------------------------------------
# Patterns. Named groups are read by the handlers below.

_H = r"(?P<h>\d{1,2}|" + "|".join(_HOUR_WORDS) + r")"
_MIN = r"(?:[:.](?P<m>\d{2}))?(?![\d:/])"
_FRAC = (
    r"(?:\s+(?P<frac>y\s+media|y\s+cuarto|menos\s+cuarto"
    r"|y\s+(?P<fm>[0-5]\d)(?:\s+min(?:utos)?)?))?"
)
_MARK = (
    r"(?:\s*(?P<ampm>am|pm)\b|\s+(?P<hrs>horas|h)\b"
    r"|\s+de\s+la\s+(?P<mk>manana|tarde|noche|madrugada)\b|\s+del\s+(?P<dia>dia)\b)?"
)
# "a las", "las", "como a las", "a eso de las", "tipo 5"... The singular "la" is only a time
# before one o'clock ("a la una"); "la 2" is how people pick option 2 (checked in the handler).
_PREFIX = (
    r"(?P<pre>(?:(?:como|tipo|mas\s+o\s+menos|aprox|aproximadamente|despues\s+de|antes\s+de"
    r"|desde|hasta|entre|para|por)\s+)?(?:a\s+eso\s+de\s+|a\s+)?las?|tipo)"
)

_NOW_RE = re.compile(r"\b(?:ahorita|ahora)(?:\s+mismo)?\b|\ben\s+este\s+momento\b|\bya\s+mismo\b")
_NOW_WHOLE = frozenset({"ya", "ya ya", "para ya", "ya mismo", "ahorita ya", "ya por favor"})

_PART_RES: tuple[tuple[PartOfDay, re.Pattern[str]], ...] = (
    (
        "morning",
        re.compile(
            r"\b(?:(?:en|por|para)\s+la\s+manana(?:ita)?|en\s+las\s+mananas|temprano|tempranito"
            r"|mananita|(?:a\s+)?primera\s+hora)\b"
        ),
    ),
    (
        "afternoon",
        re.compile(
            r"\b(?:(?:en|por|a|para)\s+la\s+tarde(?:cita)?|en\s+las\s+tardes|tardecita"
            r"|despues\s+de\s+(?:comer|la\s+comida)|despues\s+del?\s+medio\s*dia)\b"
        ),
    ),
    (
        "evening",
        re.compile(
            r"\b(?:(?:en|por|a|para)\s+la\s+noche(?:cita)?|en\s+las\s+noches|nochecita|de\s+noche)\b"
        ),
    ),
)

_TIME_RES = (
    re.compile(rf"\b{_PREFIX}\s+{_H}{_MIN}{_FRAC}{_MARK}"),
    re.compile(rf"\b(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?![\d:/]){_MARK}"),
    re.compile(r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm)\b"),
    re.compile(rf"\b{_H}{_MIN}{_FRAC}\s+de\s+la\s+(?P<mk>manana|tarde|noche|madrugada)\b"),
    re.compile(r"\b(?P<h>1[3-9]|2[0-3]|0\d)\s+(?P<hrs>horas|h)\b"),
    re.compile(r"\b(?:(?:al|a|del|como\s+al?)\s+)?(?P<noon>medio\s*dia)\b"),
    re.compile(r"\b(?:(?:a\s+la|como\s+a\s+la)\s+)?(?P<midnight>media\s*noche)\b"),
)

_REL_WITH_WD_RE = re.compile(
    rf"\b(?P<rel>pasado\s+manana|hoy|manana)\s+(?:es\s+)?(?:el\s+)?{_WD}\b"
)
_OR_PASADO_RE = re.compile(r"(?<=\bo )pasado\b(?!\s+manana)|(?<=\by )pasado\b(?!\s+manana)")
_PASADO_MANANA_RE = re.compile(r"\bpasado\s+manana\b")
_DAY_MONTH_RE = re.compile(
    rf"\b(?:(?:el|este|para\s+el|del|al)\s+)?(?:{_WD}\s+)?(?:(?:el\s+)?dia\s+)?"
    rf"(?P<d>\d{{1,2}})\s+(?:de\s+)?(?P<mon>{_MONTH_ALT})\b"
    r"(?:\s+(?:de\s+|del\s+)?(?P<y>\d{4})\b)?"
)
_MONTH_DAY_RE = re.compile(
    rf"\b(?P<mon>{'|'.join(MONTHS)})\s+(?P<d>\d{{1,2}})\b(?![:/.]\d)"
)
_NUMERIC_DATE_RE = re.compile(
    rf"\b(?:(?:el|este|para\s+el|del|al)\s+)?(?:{_WD}\s+)?"
    r"(?P<d>\d{1,2})/(?P<mo>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?\b"
)
_WD_DAY_RE = re.compile(
    rf"\b(?:(?:el|este|para\s+el|del|al|proximo)\s+)?{_WD}\s+(?:(?:el\s+)?dia\s+)?"
    r"(?P<d>\d{1,2})\b(?![:/.]\d)"
)
_ANCHORED_DAY_RE = re.compile(
    r"\b(?:(?:el|del|al|para\s+el)\s+(?:dia\s+)?|dia\s+)(?P<d>\d{1,2})\b(?![:/.]\d)"
)
_NEXT_WEEK = r"(?:(?:proxima|siguiente|otra)\s+semana|semana\s+(?:que\s+viene|proxima|entrante))"
_WD_NEXT_WEEK_RE = re.compile(
    rf"\b(?:(?:el|para\s+el)\s+)?(?P<wd>{_WD})\s+de\s+la\s+{_NEXT_WEEK}\b"
)
_NEXT_WEEK_RE = re.compile(rf"\b(?:(?:la|para\s+la)\s+)?{_NEXT_WEEK}\b")
_THIS_WEEK_RE = re.compile(r"\b(?:en\s+)?est[ae]\s+semana\b")
_WEEKEND_RE = re.compile(
    r"\b(?:(?:el|este|para\s+el)\s+)?(?P<prox>(?:proximo|siguiente)\s+)?(?:fin\s+de\s+semana|finde)"
    r"(?P<qv>\s+(?:que\s+viene|proximo|entrante))?\b"
)
_NEXT_MONTH_RE = re.compile(
    r"\b(?:el\s+)?(?:(?:proximo|siguiente)\s+mes|mes\s+(?:que\s+viene|proximo|entrante))\b"
)
_THIS_MONTH_RE = re.compile(r"\beste\s+mes\b")
_IN_N_DAYS_RE = re.compile(
    rf"\b(?:en|dentro\s+de)\s+(?P<n>\d{{1,2}}|{'|'.join(_COUNT_WORDS)})"
    r"\s+(?P<unit>dias?|semanas?)\b"
)
_WEEKDAY_RE = re.compile(
    r"\b(?:(?P<este>este|esta)\s+|(?:(?:el|para\s+el)\s+)?(?P<prox>proximo|siguiente)\s+"
    r"|(?:el|los|para\s+el|para\s+los)\s+)?"
    rf"(?P<wd>{_WD})(?P<qv>\s+(?:que\s+viene|proximo|entrante))?\b"
)
_HOY_RE = re.compile(r"\b(?:el\s+dia\s+de\s+)?hoy(?:\s+mismo)?\b")
_MANANA_RE = re.compile(r"\bmanana\b")

# Negation: what follows "no" in these phrases is not being refused ("no hay problema").
_NEG_WORDS = frozenset({"no", "ni"})
_NEG_NOT_REALLY = frozenset(
    {"hay", "importa", "pasa", "te", "tienen", "tienes", "tiene", "habra", "tendran", "seria",
     "podria", "podrian", "abren", "trabajan", "atienden"}
)  # fmt: skip
# A contrast word ends the reach of a preceding "no": "no, mejor el sábado".
_NEG_BLOCKERS = frozenset({"mejor", "sino", "pero", "entonces", "aunque", "si", "mas"})

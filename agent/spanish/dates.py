"""Conversational dates and times in Mexican Spanish ("mañana en la tarde", "el viernes a las 4").

Generic parsers (dateparser) get these phrases wrong in ways that matter for booking ("a las 4"
becomes the 4th of the month), so this is a small rule-based scanner instead:

1. The message is normalised clause by clause (commas matter for negation: "hoy no, mañana").
2. Patterns are applied from most to least specific. Each match *consumes* its span, so
   "en la mañana" is read as a part of day before "mañana" could be read as tomorrow, and
   "a las 4" is read as a time before "4" could be read as a day of the month.
3. A "no"/"ni"/"tampoco" next to a mention discards it ("hoy no puedo, el viernes").
4. What is left is combined: several dates become one inclusive range ("lunes o martes").
"""

from __future__ import annotations

import calendar
import datetime as _dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .text import clauses, normalize

__all__ = [
    "When",
    "PartOfDay",
    "PART_OF_DAY_MINUTES",
    "parse_when",
    "parse_time",
    "parse_choice_number",
    "invalid_date",
]

PartOfDay = Literal["morning", "afternoon", "evening"]

# Windows as minutes from midnight, end exclusive; minutes because "24:00" is not a datetime.time.
PART_OF_DAY_MINUTES: dict[str, tuple[int, int]] = {
    "morning": (0, 12 * 60),
    "afternoon": (12 * 60, 19 * 60),
    "evening": (19 * 60, 24 * 60),
}


@dataclass(frozen=True)
class When:
    """What a customer said about *when*. Every field is optional; an empty When means "no idea"."""

    date_from: _dt.date | None = None
    date_to: _dt.date | None = None  # inclusive; equal to date_from for a single day
    part_of_day: PartOfDay | None = None
    time: _dt.time | None = None  # an exact clock time, e.g. "a las 4" -> 16:00
    is_now: bool = False  # "ahorita", "ya": as soon as possible, today

    @property
    def is_empty(self) -> bool:
        return (
            self.date_from is None
            and self.part_of_day is None
            and self.time is None
            and not self.is_now
        )

    @property
    def is_single_day(self) -> bool:
        return self.date_from is not None and self.date_from == self.date_to


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


# --------------------------------------------------------------------------------------------
# Calendar helpers


def _next_weekday(today: _dt.date, weekday: int, *, allow_today: bool) -> _dt.date:
    delta = (weekday - today.weekday()) % 7
    if delta == 0 and not allow_today:
        delta = 7
    return today + _dt.timedelta(days=delta)


def _safe_date(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def _next_day_of_month(ref: _dt.date, day: int) -> _dt.date | None:
    """The first date on or after ``ref`` whose day of month is ``day`` (skips short months)."""
    if not 1 <= day <= 31:
        return None
    year, month = ref.year, ref.month
    for _ in range(13):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= ref:
            return candidate
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return None


def _next_day_month(today: _dt.date, day: int, month: int) -> _dt.date | None:
    """This year's date if still ahead (or today), else next year's (29 Feb: next leap year)."""
    for year in range(today.year, today.year + 5):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _month_range(year: int, month: int) -> tuple[_dt.date, _dt.date]:
    last = calendar.monthrange(year, month)[1]
    return _dt.date(year, month, 1), _dt.date(year, month, last)


# --------------------------------------------------------------------------------------------
# Scanner


@dataclass
class _Mention:
    kind: Literal["now", "part", "time", "date"]
    start: int
    end: int
    part: PartOfDay | None = None
    raw_time: _RawTime | None = None
    date_from: _dt.date | None = None
    date_to: _dt.date | None = None
    day_of_month: int | None = None  # set for "el 15": re-resolved inside ranges ("del 28 al 3")
    negated: bool = False
    invalid: str | None = None  # "31 de febrero": a date that does not exist, as the customer said it


@dataclass(frozen=True)
class _RawTime:
    hour: int
    minute: int
    marker: str | None  # am/pm/manana/tarde/noche/madrugada/dia/24h
    delta: int = 0  # applied after resolving the hour ("menos cuarto")


def _canonical_token(token: str) -> str:
    if token in _CANONICAL_WORDS:
        return _CANONICAL_WORDS[token]
    if len(token) < _FUZZY_MIN_LEN or token in _NOT_TYPOS or not token.isalpha():
        return token
    if token in _FUZZY_TARGETS:
        return token
    close = difflib.get_close_matches(token, _FUZZY_TARGETS, n=1, cutoff=_FUZZY_CUTOFF)
    return close[0] if close else token


def _prepare(text: str) -> str:
    # Clauses are joined with a "|" token: no pattern matches across it (they need \s between
    # words), and negation uses it to stop at the customer's comma.
    parts = [" ".join(_canonical_token(t) for t in clause.split()) for clause in clauses(text)]
    return " " + " | ".join(parts) + " "


class _Scanner:
    def __init__(self, text: str, today: _dt.date) -> None:
        self.today = today
        self.original = _prepare(text)
        self.work = self.original
        self.mentions: list[_Mention] = []

    def consume(
        self, pattern: re.Pattern[str], handler: Callable[[re.Match[str]], _Mention | None]
    ) -> None:
        spans: list[tuple[int, int]] = []
        for match in pattern.finditer(self.work):
            mention = handler(match)
            if mention is None:
                continue
            mention.start, mention.end = match.start(), match.end()
            self.mentions.append(mention)
            spans.append((match.start(), match.end()))
        for start, end in spans:
            # Blank with spaces of equal length so later matches keep their positions.
            self.work = self.work[:start] + " " * (end - start) + self.work[end:]

    # -- handlers ----------------------------------------------------------------------------

    def _date(self, start: _dt.date | None, end: _dt.date | None = None, **kw: Any) -> _Mention:
        # A mention is recorded even when the date is invalid ("31 de febrero") so its digits
        # are consumed and not re-read as something else; it is dropped at assembly (and
        # ``invalid_date`` reports it).
        return _Mention("date", 0, 0, date_from=start, date_to=end or start, **kw)

    def time_handler(self, m: re.Match[str]) -> _Mention | None:
        groups = m.groupdict()
        if groups.get("noon"):
            return _Mention("time", 0, 0, raw_time=_RawTime(12, 0, "24h"))
        if groups.get("midnight"):
            return _Mention("time", 0, 0, raw_time=_RawTime(0, 0, "24h"))
        h_text = groups["h"]
        hour = _HOUR_WORDS.get(h_text)
        if hour is None:
            hour = int(h_text)
        pre = groups.get("pre")
        if (
            pre is not None
            and re.search(r"\bla$", pre)
            and not re.search(r"\ba\s+la$", pre)
            and h_text not in ("una", "uno")
        ):
            return None  # "la 2" / "la 1" pick an option; "a la 1" and "la una" are times
        minute = int(groups["m"]) if groups.get("m") else 0
        delta = 0
        frac = groups.get("frac")
        if frac:
            if frac.endswith("media"):
                minute = 30
            elif frac.startswith("y") and frac.endswith("cuarto"):
                minute = 15
            elif frac.startswith("menos"):
                delta = -15
            elif groups.get("fm") and not groups.get("m"):
                minute = int(groups["fm"])
        if hour > 23 or minute > 59:
            return None
        marker: str | None
        if groups.get("ampm"):
            marker = groups["ampm"]
        elif groups.get("mk"):
            marker = groups["mk"]
        elif groups.get("dia"):
            marker = "dia"
        elif groups.get("hrs") and hour >= 13:
            marker = "24h"
        elif len(h_text) == 2 and h_text.startswith("0"):
            marker = "24h"  # "08:00" is written on a 24-hour clock
        else:
            marker = None
        return _Mention("time", 0, 0, raw_time=_RawTime(hour, minute, marker, delta))

    def day_month_handler(self, m: re.Match[str]) -> _Mention:
        mon = m.group("mon")
        month = _MONTH_NUMBER.get(mon) or _MONTH_ABBR.get(mon, 0)
        day = int(m.group("d"))
        year = m.groupdict().get("y")
        said = f"{day} de {MONTHS[month - 1]}" if 1 <= month <= 12 else None
        if year:
            found = _safe_date(int(year), month, day)
            return self._date(found, invalid=None if found else f"{said} de {year}")
        found = _next_day_month(self.today, day, month)
        return self._date(found, invalid=None if found else said)

    def numeric_date_handler(self, m: re.Match[str]) -> _Mention:
        day, month, year = int(m.group("d")), int(m.group("mo")), m.group("y")
        valid_month = 1 <= month <= 12
        said = f"{day} de {MONTHS[month - 1]}" if valid_month else f"{m.group('d')}/{m.group('mo')}"
        if year:
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            found = _safe_date(full_year, month, day)
            said_year = f"{said} de {full_year}" if valid_month else f"{said}/{year}"
            return self._date(found, invalid=None if found else said_year)
        if not 1 <= month <= 12:
            return self._date(None, invalid=said)
        found = _next_day_month(self.today, day, month)
        return self._date(found, invalid=None if found else said)

    def day_of_month_handler(self, m: re.Match[str]) -> _Mention:
        day = int(m.group("d"))
        return self._date(_next_day_of_month(self.today, day), day_of_month=day)

    def weekday_next_week_handler(self, m: re.Match[str]) -> _Mention:
        monday = self.today - _dt.timedelta(days=self.today.weekday()) + _dt.timedelta(days=7)
        return self._date(monday + _dt.timedelta(days=WEEKDAYS.index(m.group("wd"))))

    def next_week_handler(self, m: re.Match[str]) -> _Mention:
        monday = self.today - _dt.timedelta(days=self.today.weekday()) + _dt.timedelta(days=7)
        return self._date(monday, monday + _dt.timedelta(days=6))

    def this_week_handler(self, m: re.Match[str]) -> _Mention:
        sunday = self.today + _dt.timedelta(days=6 - self.today.weekday())
        return self._date(self.today, sunday)

    def weekend_handler(self, m: re.Match[str]) -> _Mention:
        wd = self.today.weekday()
        explicit_next = bool(m.group("prox") or m.group("qv"))
        if wd == 6 and not explicit_next:
            return self._date(self.today)  # on Sunday, "este fin de semana" is what is left: today
        saturday = _next_weekday(self.today, 5, allow_today=True)
        if explicit_next and wd >= 5:
            saturday = _next_weekday(self.today, 5, allow_today=False)
        return self._date(saturday, saturday + _dt.timedelta(days=1))

    def next_month_handler(self, m: re.Match[str]) -> _Mention:
        year, month = self.today.year, self.today.month + 1
        if month == 13:
            year, month = year + 1, 1
        return self._date(*_month_range(year, month))

    def this_month_handler(self, m: re.Match[str]) -> _Mention:
        return self._date(self.today, _month_range(self.today.year, self.today.month)[1])

    def in_n_days_handler(self, m: re.Match[str]) -> _Mention:
        n_text = m.group("n")
        n = _COUNT_WORDS.get(n_text) or int(n_text)
        if m.group("unit").startswith("semana"):
            days = 7 * n
        else:
            # "en ocho días" / "en quince días" are idioms for one and two weeks.
            days = {8: 7, 15: 14}.get(n, n)
        return self._date(self.today + _dt.timedelta(days=days))

    def weekday_handler(self, m: re.Match[str]) -> _Mention:
        weekday = WEEKDAYS.index(m.group("wd"))
        # "este viernes" may be today; a bare or "próximo" weekday is always ahead.
        allow_today = bool(m.group("este"))
        return self._date(_next_weekday(self.today, weekday, allow_today=allow_today))

    def relative_handler(self, m: re.Match[str]) -> _Mention:
        word = m.group("rel") if "rel" in m.groupdict() else m.group(0)
        word = re.sub(r"\s+", " ", word).strip()
        if "pasado" in word:
            offset = 2
        elif "manana" in word:
            offset = 1
        else:
            offset = 0
        return self._date(self.today + _dt.timedelta(days=offset))

    # -- driver ------------------------------------------------------------------------------

    def run(self) -> None:
        whole = self.original.replace("|", " ").split()
        if " ".join(whole) in _NOW_WHOLE:
            self.mentions.append(_Mention("now", 1, len(self.original) - 1))
            return
        self.consume(_NOW_RE, lambda m: _Mention("now", 0, 0))
        # Parts of day before times (they disambiguate "a las 8"), and before "mañana".
        for part, pattern in _PART_RES:
            self.consume(pattern, lambda m, p=part: _Mention("part", 0, 0, part=p))
        for pattern in _TIME_RES:
            self.consume(pattern, self.time_handler)
        self.consume(_REL_WITH_WD_RE, self.relative_handler)
        self.consume(_OR_PASADO_RE, lambda m: self._date(self.today + _dt.timedelta(days=2)))
        self.consume(_PASADO_MANANA_RE, self.relative_handler)
        self.consume(_DAY_MONTH_RE, self.day_month_handler)
        self.consume(_MONTH_DAY_RE, self.day_month_handler)
        self.consume(_NUMERIC_DATE_RE, self.numeric_date_handler)
        self.consume(_WD_DAY_RE, self.day_of_month_handler)
        self.consume(_ANCHORED_DAY_RE, self.day_of_month_handler)
        self.consume(_WD_NEXT_WEEK_RE, self.weekday_next_week_handler)
        self.consume(_WEEKEND_RE, self.weekend_handler)
        self.consume(_NEXT_WEEK_RE, self.next_week_handler)
        self.consume(_THIS_WEEK_RE, self.this_week_handler)
        self.consume(_NEXT_MONTH_RE, self.next_month_handler)
        self.consume(_THIS_MONTH_RE, self.this_month_handler)
        self.consume(_IN_N_DAYS_RE, self.in_n_days_handler)
        self.consume(_WEEKDAY_RE, self.weekday_handler)
        self.consume(_HOY_RE, self.relative_handler)
        self.consume(_MANANA_RE, self.relative_handler)
        self.apply_negation()

    def apply_negation(self) -> None:
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", self.original)]
        ordered = sorted(self.mentions, key=lambda x: x.start)
        for i, (word, start, _end) in enumerate(words):
            is_post = word == "tampoco"
            if word not in _NEG_WORDS and not is_post:
                continue
            nxt = words[i + 1][0] if i + 1 < len(words) else ""
            after = words[i + 2][0] if i + 2 < len(words) else ""
            if word == "no" and (nxt in _NEG_NOT_REALLY or (nxt == "se" and after != "puede")):
                continue
            # "hoy no", "el viernes tampoco": the word right before is refused.
            before = [
                x for x in ordered if x.end <= start and not self.original[x.end : start].strip()
            ]
            if before:
                before[-1].negated = True
                continue
            if is_post:
                continue
            # "no puedo mañana a las 4": everything after, up to a contrast word or a comma.
            for mention in ordered:
                if mention.start < start:
                    continue
                between = self.original[start : mention.start].split()[1:]
                if "|" in between or _NEG_BLOCKERS.intersection(between):
                    break
                mention.negated = True


def _resolve_time(raw: _RawTime, part: PartOfDay | None) -> _dt.time | None:
    h, marker = raw.hour, raw.marker
    if marker == "24h" or h == 0 or h >= 13:
        hour = h
    elif marker == "am":
        hour = 0 if h == 12 else h
    elif marker == "pm":
        hour = h if h == 12 else h + 12
    elif marker == "manana":
        hour = h  # "12 de la mañana" is said meaning noon, not midnight
    elif marker == "madrugada":
        hour = 0 if h == 12 else h
    elif marker == "tarde":
        hour = h if h == 12 else h + 12
    elif marker == "noche":
        # "11 de la noche" is 23:00, but "2 de la noche" is still the small hours.
        hour = 0 if h == 12 else (h if h <= 4 else h + 12)
    elif part == "morning":
        hour = h
    elif part == "afternoon":
        hour = h if h == 12 else h + 12
    elif part == "evening":
        hour = 0 if h == 12 else h + 12
    else:
        # No marker: business hours decide. Nobody books a haircut at 4 AM, so 1-7 are PM;
        # 8-11 are mornings; 12 is noon.
        hour = h + 12 if 1 <= h <= 7 else h
    if hour > 23:
        return None
    total = (hour * 60 + raw.minute + raw.delta) % (24 * 60)
    return _dt.time(total // 60, total % 60)


def _assemble(scanner: _Scanner) -> When:
    today = scanner.today
    live = sorted((m for m in scanner.mentions if not m.negated), key=lambda m: m.start)
    parts = [m.part for m in live if m.kind == "part" and m.part]
    part = parts[0] if parts else None
    raw_times = [m.raw_time for m in live if m.kind == "time" and m.raw_time]
    clock = _resolve_time(raw_times[0], part) if raw_times else None

    dated = [m for m in live if m.kind == "date" and m.date_from is not None]
    # Inside a range, a bare day of month counts from the previous date: "del 28 al 3".
    for prev, cur in zip(dated, dated[1:]):
        if cur.day_of_month and prev.date_from and cur.date_from and cur.date_from < prev.date_from:
            cur.date_from = cur.date_to = _next_day_of_month(prev.date_from, cur.day_of_month)
    dated = [m for m in dated if m.date_from is not None]

    now_said = any(m.kind == "now" for m in live)
    date_from = min((m.date_from for m in dated if m.date_from), default=None)
    date_to = max((m.date_to for m in dated if m.date_to), default=None)
    is_now = False
    if now_said:
        if date_from is None:
            date_from = date_to = today
        # "ahorita en la tarde" / "ahora a las 5" mean later today, not right now.
        is_now = clock is None and part is None and date_from == date_to == today
    return When(date_from=date_from, date_to=date_to, part_of_day=part, time=clock, is_now=is_now)


def parse_when(text: str, today: _dt.date) -> When:
    """Parse what a customer said about when they want to come.

    >>> parse_when("mañana en la tarde como a las 5", _dt.date(2026, 1, 14))
    When(date_from=datetime.date(2026, 1, 15), date_to=datetime.date(2026, 1, 15), \
part_of_day='afternoon', time=datetime.time(17, 0), is_now=False)
    """
    if isinstance(today, _dt.datetime):
        today = today.date()
    scanner = _Scanner(text or "", today)
    scanner.run()
    return _assemble(scanner)


def invalid_date(text: str, today: _dt.date) -> str | None:
    """A calendar date the customer wrote that does not exist ("el 31 de febrero" ->
    "31 de febrero", "30/02" -> "30 de febrero"), else None. ``parse_when`` ignores such dates.
    """
    if isinstance(today, _dt.datetime):
        today = today.date()
    scanner = _Scanner(text or "", today)
    scanner.run()
    for mention in sorted(scanner.mentions, key=lambda m: m.start):
        if mention.kind == "date" and mention.date_from is None and mention.invalid and not mention.negated:
            return mention.invalid
    return None


# A fixed reference day: parse_time must not depend on the clock; dates are discarded anyway.
_ANY_DAY = _dt.date(2000, 1, 3)


def parse_time(text: str) -> _dt.time | None:
    """An exact clock time in the text ("A las 4" -> 16:00, "4:30 pm", "las 11:30"), else None.

    A bare number ("4") is *not* a time: it is more likely an option number.
    """
    return parse_when(text, _ANY_DAY).time


# --------------------------------------------------------------------------------------------
# Picking an option by number

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

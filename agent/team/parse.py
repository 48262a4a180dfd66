"""What staff say, read the way staff say it: intents, time ranges, phones, "todo el día".

Built on the shared toolkit (``agent.spanish``): text is normalised with ``normalize`` (no
accents, shorthands expanded), single clock times are resolved with ``parse_time`` and dates
with ``parse_when``; this module only adds what a team member says and a customer does not
("de 2 a 4", "de 5 en adelante", "el de las 3", "55 1234 5678").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from agent.spanish import detect_intents, normalize, parse_time, parse_when

# ---- intents ------------------------------------------------------------------------------------

_INTENT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("unblock", r"\bdesbloque\w*|\bdesbloke\w*|\b(?:quit|kit|elimin|borr|cancel|remuev|retir)\w*\s+(?:\w+\s+){0,2}(?:bloqueo|bloque|bloqueos|bloke\w*)|\bya no (?:me )?bloquees\b|\blibera\w*\s+(?:mi|el)\s+horario"),
    ("no_show", r"\bno (?:me )?(?:llego|llegaron|vino|vinieron|se presento|aparecio|asistio|se aparecio|llega)\b|\bfalto\b|\bme (?:dejo )?planto\b|\bme dejo plantad[oa]\b|\bnunca llego\b|\bno show\b|\bnoshow\b"),
    ("completed", r"\b(?:ya )?(?:termine|acabe|finalice|atendi|termino)\b|\bya (?:quedo|se fue|salio|acabo)\b|\bcompletad[ao]\b|\bmarca\w* (?:como )?complet\w*|\bya lo atendi\b|\bya la atendi\b"),
    ("cancel", r"\bcancel\w*\s+(?:\w+\s+){0,3}cita\b|\bcancelale\b|\bcancela la de\b|\bcancela (?:a|lo de)\b"),
    ("walk_in", r"\bacaba de (?:llegar|entrar)\b|\bllego (?:alguien|un|una|una senora|un senor|un chavo|una chava)\b|\bviene llegando\b|\bwalk ?in\b|\bsin cita\b|\btengo (?:a )?(?:un|una|alguien) (?:client\w+ )?aqui\b|\bentro (?:alguien|un|una)\b|\besta aqui (?:un|una)\b|\bllegaron\b|\bllego otr[oa]\b"),
    ("note", r"\banota\w*\s+(?:que|en)\b|\bapunta\w*\s+que\b|\bagrega\w* (?:una )?nota\b|\bnota para\b|\bponle (?:una )?nota\b|\bguarda\w* (?:una )?nota\b"),
    ("book", r"\bagend(?:ale|arle|ales|ame a)\b|\b(?:agendar?|apunta(?:le)?|anota(?:le)?)\s+(?:a|al)\b(?!\s+(?:las?|que)\b)|\bhazle (?:una )?cita\b|\bregistra\w* (?:una )?cita\b|\breserva\w*\s+(?:a|para)\b|\bcita (?:para|a nombre de)\s+(?!hoy|manana|el|la|las)\w+|\bapartale\b|\bmete\w* (?:una )?cita\b"),
    ("message", r"\bdile (?:a|que)\b|\bmanda\w* (?:un )?(?:mensaje|whats|wha)\w*\b|\bmandale\b|\bavisale\b|\bescribele\b|\benviale\b|\bmensaje (?:a|para)\b"),
    ("history", r"\bhistorial\b|\bha venido\b|\bhan venido\b|\bquien es\b|\bque sabes de\b|\binfo(?:rmacion)? de\b|\bdatos de\b|\bes client\w+\b|\bes nuev[oa]\b|\bconoces a\b|\bviene seguido\b|\bbusca\w* (?:a|al) client\w*|\bexpediente\b"),
    ("block", r"(?<!des)\bbloque\w*|\bbloke\w*|\bapartame\b|\bno voy a estar\b|\bme voy a (?:ir|salir)\b|\bcierra\w* mi agenda\b|\btengo que salir\b|\bvoy a comer\b|\bme tomo (?:el|la)\b"),
    ("next", r"\bque (?:me )?sigue\b|\bquien sigue\b|\b(?:mi )?siguiente (?:cita|cliente)\b|\bproxim[oa] (?:cita|cliente)\b|\bque me toca\b|\ba quien (?:me )?toca\b|\bquien (?:me )?toca\b|\bquien viene ahora\b"),
    ("agenda", r"\bque tengo\b|\bagenda\b|\bmis citas\b|\btengo citas\b|\btengo algo\b|\bcuantas citas\b|\bcitas (?:de|para|del) \w+|\bcomo (?:esta|viene|va|anda|vamos) (?:el dia|la semana|hoy|manana)\b|\bque hay (?:hoy|manana|para)\b|\bquien(?:es)? viene\w*\b|\bmi dia\b|\bcomo estoy\b|\bque citas\b|\bhorario de hoy\b|\bpendientes\b"),
    ("services_info", r"\bque servicios\b|\bcuanto (?:cuesta|sale|vale|cobramos|cobran)\b|\blista de (?:servicios|precios)\b|\bprecios\b|\bservicios tenemos\b"),
    ("owner_permissions", r"\bpermisos?\b|\bhaz(?:lo|la|me)? (?:admin|administrador\w*|dueñ\w*)\b"),
    ("owner_staff", r"\b(?:agreg|añad|anad|registr|d\w* de alta|contrat|quit|elimin|d\w* de baja|corr)\w*\s+(?:a\s+)?(?:un\s+|una\s+|al\s+|el\s+|la\s+)?(?:nuev[oa]\s+)?(?:emplead[oa]|barber[oa]|estilista|manicurista|persona|staff|trabajador\w*)\b"),
    ("owner_hours", r"\b(?:abrimos|cerramos|abrir|cerrar|cerrado|abierto)\b|\bhorario del negocio\b|\bcambi\w* (?:el )?horario\b"),
    ("owner_services", r"\b(?:agreg|añad|anad|cambi|sub|baj|quit|desactiv)\w*\s+(?:el\s+|un\s+)?(?:servicio|precio|duracion)\b|\bnuevo servicio\b"),
    ("owner_stats", r"\bcomo nos (?:fue|va|esta yendo)\b|\bresumen de la semana\b|\bcomo vamos\b|\bestadisticas\b|\bventas\b|\bcuanto (?:llevamos|vendimos|hicimos|ganamos)\b|\bnumeros de la semana\b"),
    ("help", r"\bayuda\b|\bque (?:puedes|sabes) hacer\b|\bcomo funciona\b|\bcomo te uso\b|\bmenu\b|\bopciones\b"),
)
_COMPILED = tuple((name, re.compile(pattern)) for name, pattern in _INTENT_PATTERNS)
_GREETING = re.compile(r"^(?:hola\w*|buen[oa]s?(?: dias| tardes| noches)?|que onda|que tal|hey|quiubo)\b")
_STOP = re.compile(r"^(?:no|nop|nel|mejor no|olvidalo|olvidalo mejor|olvida eso|cancela(?: eso)?|ya no|nada|dejalo|dejalo asi|asi dejalo|no gracias|no importa|no ya no|ninguno|ninguna|ya no quiero)$")
_STOP_ANY = re.compile(r"\b(?:olvidalo|olvida(?:lo)? eso|mejor no|ya no quiero|dejalo asi|mejor dejalo|no hagas nada|no gracias|ya no)\b")


def team_intent(norm: str) -> str | None:
    for name, pattern in _COMPILED:
        if pattern.search(norm):
            return name
    return None


def is_greeting(norm: str) -> bool:
    return bool(_GREETING.match(norm))


def is_stop(text: str) -> bool:
    """"no", "mejor no", "olvídalo": leave the flow without changing anything."""
    norm = normalize(text)
    return bool(_STOP.match(norm) or _STOP_ANY.search(norm))


_BARE_NO = frozenset({"no", "nop", "nel", "nope", "no no"})


def is_bare_no(text: str) -> bool:
    """A plain "no": a flow may take it as an answer ("¿tienes su teléfono?" - "no")."""
    return normalize(text) in _BARE_NO


def yes_no(text: str) -> str | None:
    """"yes" / "no" / None. A thumbs-up counts as yes; a bare "listo" does too."""
    if "👍" in text or "👌" in text or "✅" in text:
        return "yes"
    norm = normalize(text)
    if is_stop(text):
        return "no"
    intents = detect_intents(text)
    if "deny" in intents:
        return "no"
    if "affirm" in intents or re.match(r"^(?:si+|sip|sii|simon|orale|ok|okey|okay|va|dale|sale|hazlo|adelante|procede|correcto|eso|exacto|ajam|aja|asi es|por favor|porfa|andale|confirmo|claro)\b", norm):
        return "yes"
    return None


# ---- time ranges --------------------------------------------------------------------------------

_T = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?(?:\s+de la\s+(manana|tarde|noche))?"
_RANGE = re.compile(rf"\b(?:de|desde|entre)\s+(?:las?\s+)?{_T}\s+(?:a|hasta|y)\s+(?:las?\s+)?{_T}")
_BARE_RANGE = re.compile(rf"(?<![\d:])\b{_T}\s*(?:a|-|hasta)\s*(?:las?\s+)?{_T}\b")
_FROM = re.compile(rf"\b(?:de|desde|a partir de)\s+(?:las?\s+)?{_T}\s+(?:en adelante|para adelante|pa delante|hasta (?:el )?(?:cierre|que cierre|la hora de salida))|\ba partir de (?:las?\s+)?{_T}|\bdesde (?:las?\s+)?{_T}")
_UNTIL = re.compile(rf"\b(?:hasta|antes de)\s+(?:las?\s+)?{_T}")
_SINGLE = re.compile(rf"\b(?:a\s+)?las?\s+{_T}|\b(\d{{1,2}})(?:[:.](\d{{2}}))?\s*(am|pm)\b|\b(\d{{1,2}})[:.](\d{{2}})\b")
_ALL_DAY = re.compile(r"\btodo el dia\b|\bel dia completo\b|\bdia completo\b|\bdia libre\b|\btoda la jornada\b|\btodo el viernes|\btodo el sabado|\btodo el lunes|\btodo el martes|\btodo el miercoles|\btodo el jueves|\btodo el domingo\b|\bno vengo\b|\bno voy a (?:venir|ir|trabajar)\b")


def _clock(h: str, m: str | None, ampm: str | None, part: str | None) -> time | None:
    hour = int(h)
    if hour > 23 or (m and int(m) > 59):
        return None
    suffix = f" {ampm}" if ampm else (f" de la {part}" if part else "")
    return parse_time(f"a las {hour}:{m or '00'}{suffix}")


@dataclass(frozen=True)
class TimeSpan:
    start: time | None = None
    end: time | None = None  # None with start: a single time ("las 4") or open end ("de 5 en adelante")
    open_end: bool = False
    open_start: bool = False
    all_day: bool = False
    part: str | None = None  # morning | afternoon | evening

    @property
    def is_empty(self) -> bool:
        return self.start is None and self.end is None and not self.all_day and self.part is None


def time_span(text: str) -> TimeSpan:
    norm = normalize(text)
    for pattern in (_RANGE, _BARE_RANGE):
        match = pattern.search(norm)
        if match:
            g = match.groups()
            start, end = _clock(g[0], g[1], g[2] or g[6], g[3] or g[7]), _clock(g[4], g[5], g[6], g[7])
            if start and end:
                if end <= start and end.hour + 12 < 24 and time(end.hour + 12, end.minute) > start:
                    end = time(end.hour + 12, end.minute)
                if end > start:
                    return TimeSpan(start, end)
    match = _FROM.search(norm)
    if match:
        g = [x for x in match.groups()]
        for i in (0, 4, 8):
            if g[i]:
                start = _clock(g[i], g[i + 1], g[i + 2], g[i + 3])
                if start:
                    return TimeSpan(start, None, open_end=True)
    match = _UNTIL.search(norm)
    if match and not _SINGLE.search(norm[: match.start()]):
        end = _clock(*match.groups())
        if end:
            return TimeSpan(None, end, open_start=True)
    if _ALL_DAY.search(norm):
        return TimeSpan(all_day=True)
    match = _SINGLE.search(norm)
    if match:
        g = match.groups()
        if g[0]:
            start = _clock(g[0], g[1], g[2], g[3])
        elif g[4]:
            start = _clock(g[4], g[5], g[6], None)
        else:
            start = _clock(g[7], g[8], None, None)
        if start:
            return TimeSpan(start)
    match = _PART.search(norm)
    if match:
        return TimeSpan(part={"manana": "morning", "tarde": "afternoon", "noche": "evening"}[match.group(1)])
    return TimeSpan()


_PART = re.compile(r"\b(?:toda la|en la|por la|la)\s+(tarde|manana|noche)\b")


def dates_in(text: str, today: date) -> tuple[date | None, date | None]:
    """The date or date range mentioned ("mañana", "el jueves", "del 1 al 5"), else (None, None)."""
    when = parse_when(text, today)
    return when.date_from, when.date_to


_WEEK = re.compile(r"\b(?:esta|la)\s+semana\b|\btoda la semana\b|\bla semana\b")
_NEXT_WEEK = re.compile(r"\b(?:proxima|siguiente|otra)\s+semana\b|\bsemana que viene\b")


def week_range(text: str, today: date) -> tuple[date, date] | None:
    from datetime import timedelta

    norm = normalize(text)
    if _NEXT_WEEK.search(norm):
        monday = today + timedelta(days=7 - today.weekday())
        return monday, monday + timedelta(days=6)
    if _WEEK.search(norm):
        return today, today + timedelta(days=6 - today.weekday())
    return None


# ---- phones and people --------------------------------------------------------------------------

_PHONE = re.compile(r"(?<!\d)(?:\+?\s*52[\s\-.]*1?[\s\-.]*)?(?:\(?\d{2,3}\)?[\s\-.]*)(?:\d[\s\-.]*){6,7}\d(?!\d)")


def find_phone(text: str) -> str | None:
    """A 10-digit Mexican number (with or without +52 / spaces / dashes), as written, else None."""
    for match in _PHONE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) == 10 or (len(digits) == 12 and digits.startswith("52")) or (len(digits) == 13 and digits.startswith("521")):
            return match.group(0).strip()
    return None


def without_phone(text: str) -> str:
    phone = find_phone(text)
    return text.replace(phone, " ") if phone else text


def mentions_name(norm: str, name: str) -> bool:
    """Whether a person's first name (or full name) appears as whole words in the text."""
    parts = [p for p in normalize(name or "").split() if len(p) >= 3]
    if not parts:
        return False
    words = set(norm.split())
    return parts[0] in words or " ".join(parts[:2]) in norm


_NAME_AFTER = re.compile(r"\b(?:historial de|quien es|que sabes de|info(?:rmacion)? de|datos de|conoces a|busca(?:me)? a|expediente de|cliente)\s+(.+)$")


def person_query(text: str) -> str | None:
    """The name a staff member asks about ("¿quién es Rosa Luna?" -> "rosa luna")."""
    norm = normalize(without_phone(text))
    match = _NAME_AFTER.search(norm)
    if not match:
        return None
    words = [w for w in match.group(1).split() if w not in {"el", "la", "de", "del", "cliente", "clienta", "senor", "senora", "sr", "sra", "ha", "venido", "antes", "es", "por", "favor"}]
    return " ".join(words[:3]) or None

"""Keyword intent detection and name extraction for the offline conversation engine.

Intents are a *set*: "sí, perfecto, gracias" is affirm + thanks, and "no, mejor el sábado" is
deny (the date is the date parser's business). Phrases are matched on normalised text with word
boundaries; the short, slippery words ("si", "va", "sale", "no") get positional rules below
because they mean other things mid-sentence ("si hay lugar" = "if", "cuánto sale" = price).
"""

from __future__ import annotations

import re
import unicodedata

from .offscript import is_greeting_like
from .text import clauses, normalize

__all__ = ["INTENTS", "detect_intents", "extract_name"]

INTENTS = frozenset(
    {"greeting", "book", "reschedule", "cancel", "my_appointments", "prices", "hours",
     "services", "human", "thanks", "affirm", "deny", "bye", "location"}
)  # fmt: skip

_GREETING = (
    "hola", "holi", "holis", "buenas", "buenos dias", "buen dia", "buenas tardes",
    "buenas noches", "que onda", "quiubo", "hey", "saludos", "buenas buenas",
)  # fmt: skip
# "Que tenga(s) buen día" closes a conversation; it must not also count as a greeting.
_BYE = (
    "adios", "bye", "bai", "hasta luego", "hasta pronto", "hasta manana", "nos vemos",
    "cuidate", "cuidese", "chao", "chau", "bonito dia", "lindo dia", "excelente dia",
    "tengas buen dia", "tenga buen dia", "tengan buen dia", "hasta la proxima", "bendiciones",
    "buen fin de semana", "bonita tarde", "bonita noche", "linda tarde",
)  # fmt: skip
_BOOK = (
    "agendar", "agendarme", "agendame", "agendo", "agendas", "me agendas", "me agenda",
    "reservar", "reservacion", "reserva", "reservame", "apartar", "apartame", "aparto",
    "una cita", "nueva cita", "otra cita", "sacar cita", "hacer cita", "quiero cita",
    "cita para", "tienen lugar", "hay lugar", "tienes lugar", "tienen espacio", "hay espacio",
    "tienes espacio", "tienen disponible", "disponibilidad", "hay citas", "tienen citas",
    "me pueden atender", "me puedes atender", "pueden atenderme", "anotame", "me anotas",
    "apuntame", "quiero ir", "puedo ir", "puedo pasar", "quiero pasar", "turno",
)  # fmt: skip
_RESCHEDULE = (
    "cambiar", "cambiarla", "cambiarlo", "cambio de cita", "cambio de hora", "cambio de dia",
    "mover", "moverla", "mueve", "muevo", "muevas", "reagendar", "reagenda", "reagendarla",
    "reprogramar", "reprogramarla", "otro dia", "otra hora", "otro horario", "otra fecha",
    "recorrer", "recorrerla", "posponer", "pospon", "adelantar", "adelantarla", "atrasar",
    "pasar mi cita", "pasarla", "cambia", "cambiame", "cambiala", "cambialo", "cambiamela",
    "cambias", "me la cambias", "me la pasas", "me la pases", "me la mueves", "pasala", "pasamela",
    "la quiero pasar", "la puedo pasar", "muevela", "muevemela", "recorrela", "recorremela",
    "reagendala", "reprogramala", "cambiar la hora", "cambio la hora",
)  # fmt: skip
_CANCEL_STRONG = (
    "cancelar", "cancela", "cancelo", "cancelame", "cancelarla", "cancelarlo", "cancelacion",
    "cancele", "anular", "anula", "ya no quiero la cita", "borra mi cita", "quitar mi cita",
    "cancelala", "cancelalo", "cancelamela", "cancelamelo", "anulala",
)  # fmt: skip
# Saying you can't make it usually means cancel, unless the same message asks to move it.
_CANCEL_SOFT = (
    "ya no voy a poder ir", "no voy a poder ir", "no voy a poder asistir", "no voy a poder",
    "no podre ir", "no podre asistir", "ya no puedo ir", "no puedo ir", "no puedo asistir",
    "ya no voy a ir", "no voy a ir", "ya no voy", "no voy a llegar", "no llego",
    "ya no podre", "surgio algo", "se me complico", "me surgio algo",
)  # fmt: skip
_MY_APPOINTMENTS_EXPLICIT = (
    "que citas tengo", "mis citas", "cuando es mi cita", "a que hora es mi cita",
    "a que hora era mi cita", "que dia es mi cita", "tengo alguna cita",
    "para cuando es mi cita", "confirmar mi cita", "cuando me toca", "a que hora me toca",
)  # fmt: skip
# Mentions of an existing appointment that are only context when changing or cancelling it.
_MY_APPOINTMENT = ("mi cita", "la cita que tengo", "tengo cita", "tengo una cita",
                   "mi reservacion", "mi reserva")  # fmt: skip
_PRICES = (
    "cuanto cuesta", "cuanto cuestan", "cuanto sale", "cuanto salen", "cuanto cobran",
    "cuanto cobras", "cuanto me cobras", "cuanto es", "cuanto seria", "cuanto vale",
    "cuanto esta", "en cuanto", "precio", "precios", "costo", "costos", "cuesta", "cuestan",
    "tarifa", "tarifas", "que precio", "lista de precios",
)  # fmt: skip
_HOURS = (
    "horario", "horarios", "a que hora abren", "a que hora cierran", "que hora abren",
    "abren", "abre", "cierran", "cierra", "estan abiertos", "esta abierto", "abierto",
    "que dias trabajan", "que dias abren", "hasta que hora", "horas de atencion",
    "que dias atienden", "trabajan el", "trabajan los",
)  # fmt: skip
_SERVICES = (
    "que servicios", "servicios", "que hacen", "que mas hacen", "que ofrecen",
    "que manejan", "catalogo", "menu", "lista de servicios",
)  # fmt: skip
_LOCATION = (
    "donde estan", "donde se encuentran", "donde se ubican", "donde quedan", "donde queda",
    "donde los encuentro", "donde las encuentro", "donde esta el local", "donde esta la barberia",
    "donde esta el salon", "donde esta la estetica", "donde es el local", "en donde estan",
    "direccion", "su direccion", "la direccion", "ubicacion", "ubicados", "ubicadas",
    "como llego", "como llegar", "como le llego", "domicilio", "en que calle", "que calle",
)  # fmt: skip
_HUMAN = (
    # Not "una persona" alone: "cita para una persona" is a party size.
    "hablar con alguien", "hablar con una persona", "con una persona", "persona real",
    "con el dueno", "con la duena", "el dueno", "la duena", "encargado",
    "encargada", "gerente", "humano", "humana", "asesor", "asesora", "agente", "operador",
    "operadora", "alguien real", "me pueden llamar", "llamame", "llamenme", "marcame",
    "hablar con",
)  # fmt: skip
_THANKS = (
    "gracias", "muchas gracias", "mil gracias", "te agradezco", "le agradezco", "agradecido",
    "agradecida", "thank you", "thanks", "muy amable",
)  # fmt: skip

# Affirmations that are safe anywhere, unless directly negated ("no está bien").
_AFFIRM_STRONG = (
    "perfecto", "perfecta", "de acuerdo", "esta bien", "esta perfecto", "correcto", "confirmo",
    "confirmado", "por supuesto", "me parece bien", "me parece perfecto", "asi es", "exacto",
    "exactamente", "claro que si", "me late", "con gusto", "no hay problema", "no hay bronca",
    "simon", "sip", "afirmativo", "yes", "de una", "si por favor", "ok", "excelente",
)  # fmt: skip
# Short words that affirm only when they open a clause ("va, a las 4"), never mid-sentence
# ("¿cómo va?", "¿cuánto sale?").
_AFFIRM_OPENERS = frozenset(
    {"si", "claro", "va", "sale", "dale", "ok", "listo", "vale", "orale", "andale", "bueno",
     "simon", "sip", "seguro", "eso", "okey"}
)  # fmt: skip
# After an opening "va"/"sale"/"si", these make it a verb or a conditional, not a yes.
_NOT_AFFIRM_AFTER = {
    "si": frozenset({"hay", "tienen", "tienes", "tiene", "fuera", "pudiera", "pudieran", "no",
                     "es", "puedo", "pueden", "quieres", "habra", "abren"}),  # fmt: skip
    "va": frozenset({"a", "al", "para", "en", "hacer", "ser", "estar"}),
    "sale": frozenset({"a", "al", "en", "el", "la", "cuanto"}),
    "bueno": frozenset({"para", "en"}),
}
# Words that may accompany an affirmation without changing it ("sí, perfecto, muchas gracias").
_AFFIRM_FILLER = frozenset(
    {"si", "claro", "va", "sale", "dale", "ok", "listo", "vale", "orale", "andale", "bueno",
     "perfecto", "perfecta", "gracias", "muchas", "mil", "pues", "entonces", "esta", "bien",
     "por", "favor", "me", "parece", "eso", "es", "muy", "amable", "excelente", "genial",
     "super", "confirmo", "ah", "oh", "mmm", "ajá", "aja", "que"}
)  # fmt: skip
_DENY_PHRASES = (
    "nel", "nop", "nope", "nones", "nanay", "mejor no", "no gracias", "para nada", "negativo",
    "claro que no", "por supuesto que no", "creo que no", "tampoco", "ninguno", "ninguna",
    "no me queda", "no me funciona", "no me sirve", "no puedo", "no quiero", "no me acomoda",
    "no me late", "no me gusta", "no es correcto", "no esta bien", "no por ahora",
)  # fmt: skip
# "no" at the start does not refuse anything in these.
_NO_BUT_NOT_DENY = ("no hay problema", "no hay bronca", "no pasa nada", "no se", "no importa",
                    "no te preocupes", "no hay de que")  # fmt: skip
_QUESTION_AFTER_NO = frozenset(
    {"tienen", "tienes", "tiene", "hay", "habra", "abren", "trabajan", "atienden", "seria",
     "podria", "podrian"}
)  # fmt: skip


def _phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str]:
    normed = sorted({normalize(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, normed)) + r")(?![a-z0-9])")


_RES = {
    "greeting": _phrase_re(_GREETING),
    "bye": _phrase_re(_BYE),
    "book": _phrase_re(_BOOK),
    "reschedule": _phrase_re(_RESCHEDULE),
    "cancel_strong": _phrase_re(_CANCEL_STRONG),
    "cancel_soft": _phrase_re(_CANCEL_SOFT),
    "my_appointments_explicit": _phrase_re(_MY_APPOINTMENTS_EXPLICIT),
    "my_appointment": _phrase_re(_MY_APPOINTMENT),
    "prices": _phrase_re(_PRICES),
    "hours": _phrase_re(_HOURS),
    "services": _phrase_re(_SERVICES),
    "location": _phrase_re(_LOCATION),
    "human": _phrase_re(_HUMAN),
    "thanks": _phrase_re(_THANKS),
    "affirm_strong": _phrase_re(_AFFIRM_STRONG),
    "deny": _phrase_re(_DENY_PHRASES),
    "no_but_not_deny": _phrase_re(_NO_BUT_NOT_DENY),
}
_NEGATED_BEFORE = re.compile(r"(?<![a-z0-9])(?:no|no es|no me|nunca)\s+$")
# "¿Qué tal el sábado?" proposes a day; only a short opening "qué tal" greets.
_QUE_TAL_GREETING = re.compile(
    r"^(?:(?:hola|buenas|buenos dias|buenas tardes)\s+)?que tal(?:\s+\w+)?$"
)


def _affirm_in_clause(words: list[str], is_question: bool) -> bool:
    if not words:
        return False
    first = words[0]
    if first in _AFFIRM_OPENERS:
        nxt = words[1] if len(words) > 1 else ""
        if nxt in _NOT_AFFIRM_AFTER.get(first, frozenset()):
            return False
        # "¿si hay lugar?" is a question; "sí, ¿a qué hora?" was split off by the comma.
        if first == "si" and is_question and len(words) > 1:
            return False
        return True
    # "creo que sí", "pues sí": a clause that ends in sí.
    if words[-1] == "si" and len(words) >= 2 and words[-2] in {"que", "pues", "ah", "ok", "bueno"}:
        return not (len(words) >= 3 and words[-3] == "no")
    return all(w in _AFFIRM_FILLER for w in words) and any(w in _AFFIRM_OPENERS for w in words)


def _strong_affirm(norm: str) -> bool:
    for match in _RES["affirm_strong"].finditer(norm):
        if match.group(0).startswith("no "):
            return True  # "no hay problema"
        if not _NEGATED_BEFORE.search(norm[: match.start()]):
            return True
    return False


def _starts_with_no(clause_words: list[list[str]], norm: str, is_question: bool) -> bool:
    """A refusal opening the message: "No", "No, mejor el sábado", "nel"."""
    if not clause_words or not clause_words[0] or clause_words[0][0] not in {"no", "nel", "nop"}:
        return False
    first = clause_words[0]
    if first[0] != "no" or len(first) == 1:
        return True
    if _RES["no_but_not_deny"].match(norm) or _RES["cancel_soft"].match(norm):
        return False  # "no hay problema"; "no voy a poder ir" is the cancellation itself
    # "¿No tienen lugar el sábado?" asks; it does not refuse.
    return not (is_question or first[1] in _QUESTION_AFTER_NO)


def detect_intents(text: str) -> set[str]:
    """Every intent the message expresses (possibly none). See ``INTENTS``."""
    norm = normalize(text)
    if not norm:
        return set()
    found: set[str] = set()
    is_question = "?" in text or "¿" in text
    clause_words = [c.split() for c in clauses(text)]

    # Closings first, then greetings on what is left: "que tengas buen día" is not a hello.
    without_bye = _RES["bye"].sub(" ", norm)
    if without_bye != norm:
        found.add("bye")
    if _RES["greeting"].search(without_bye) or is_greeting_like(text) or (
        clause_words and _QUE_TAL_GREETING.match(" ".join(clause_words[0]))
    ):
        found.add("greeting")
    for intent in ("prices", "hours", "services", "location", "human", "thanks", "reschedule", "book"):
        if _RES[intent].search(norm):
            found.add(intent)

    cancel_strong = bool(_RES["cancel_strong"].search(norm))
    cancel_soft = bool(_RES["cancel_soft"].search(norm))
    if cancel_strong or (cancel_soft and "reschedule" not in found):
        found.add("cancel")
    if _RES["my_appointments_explicit"].search(norm):
        found.add("my_appointments")
    elif _RES["my_appointment"].search(norm) and not found & {"book", "reschedule", "cancel"}:
        found.add("my_appointments")
    # "Cita" words also appear when changing or cancelling one: that is not a new booking.
    if found & {"reschedule", "cancel"}:
        found.discard("book")

    leading_no = _starts_with_no(clause_words, norm, is_question)
    deny = leading_no or bool(_RES["deny"].search(norm))
    if deny and not leading_no and found & {"cancel", "reschedule"}:
        deny = False  # "ya no puedo ir" is the cancellation itself, not a "no" to a question
    if _RES["no_but_not_deny"].match(norm) and not _RES["deny"].search(norm):
        deny = False
    if deny:
        found.add("deny")

    strong = _strong_affirm(norm)
    affirm = strong or any(_affirm_in_clause(words, is_question) for words in clause_words)
    # A refusal outweighs a loose "claro"/"va" ("claro que no"), but not an explicit affirmation.
    refused = leading_no or (bool(_RES["deny"].search(norm)) and not strong)
    if affirm and not refused:
        found.add("affirm")
    return found


# --------------------------------------------------------------------------------------------
# Names

_NAME_PREFIX = re.compile(
    r"(?:^|[\s,.!¡¿?])(?:me\s+llamo|mi\s+nombre\s+es|soy|a\s+nombre\s+de|ponla\s+a\s+nombre\s+de"
    r"|ponlo\s+a\s+nombre\s+de|nombre\s*:|con\s+el\s+nombre\s+de)\s+(?P<rest>.+)",
    re.IGNORECASE,
)
_NAME_STOP = re.compile(r"[,.;:!?¿¡()\n\"]|\s+y\s+(?=[a-záéíóúñ])|\s+-\s+", re.IGNORECASE)
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "van", "von", "da", "dos"})
# Normalised words that are never part of a name: replies, dates, booking vocabulary.
_NOT_NAME = frozenset(
    {"si", "no", "ok", "gracias", "hola", "buenas", "buenos", "dias", "tardes", "noches",
     "claro", "perfecto", "va", "sale", "dale", "listo", "bueno", "vale", "nel", "sip",
     "quiero", "quisiera", "necesito", "cita", "agendar", "cancelar", "cambiar", "corte",
     "tinte", "barba", "manicure", "pedicure", "precio", "cuanto", "cuando", "que", "donde",
     "como", "porque", "hoy", "manana", "pasado", "lunes", "martes", "miercoles", "jueves",
     "viernes", "sabado", "domingo", "semana", "hora", "horas", "por", "favor", "para", "con",
     "en", "a", "el", "un", "una", "mi", "tu", "su", "yo", "me", "te", "se", "es", "esta",
     "este", "eso", "esa", "ese", "puedo", "tengo", "tienen", "hay", "ya", "tambien", "pero",
     "nuevo", "nueva", "cliente", "el", "ella", "aqui", "alla", "mismo", "misma", "igual",
     "bien", "mal", "gusto", "mucho", "encantado", "encantada", "pues", "entonces", "ahorita",
     "ahora", "despues", "luego", "antes", "temprano", "tarde", "noche", "las", "los", "lo",
     "del", "al", "perdon", "disculpa", "oye", "hey", "saludos", "adios", "bye", "nombre",
     "llamo", "soy"}
)  # fmt: skip
_POLITE = frozenset({"por", "favor", "gracias", "please", "pls", "saludos"})
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['’\-][^\W\d_]+)*$")
_MAX_NAME_WORDS = 5


def _title(word: str, first: bool) -> str:
    if not first and word.lower() in _PARTICLES:
        return word.lower()  # "María de la Luz", not "María De La Luz"
    # Respect deliberate mixed case ("McArthur", "DeLuna"); fix all-lower and ALL-CAPS.
    if word.islower() or word.isupper():
        return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))
    return word


def _strip_symbols(text: str) -> str:
    # Emoji and other symbols are not part of a name.
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("S", "C")))


def extract_name(text: str) -> str | None:
    """A person's name from an answer like "Juan Pérez", "me llamo Ana", "soy Luis Ramírez" or
    "a nombre de Pedro", title-cased; None when the text is clearly not a name.
    """
    cleaned = _strip_symbols(text or "").strip()
    if not cleaned:
        return None
    match = _NAME_PREFIX.search(cleaned)
    candidate = match.group("rest") if match else cleaned
    candidate = _NAME_STOP.split(candidate, maxsplit=1)[0]
    words = candidate.split()
    if not match:
        # A bare answer may open with a greeting: "Hola, Ana López" (comma split kept "Hola").
        segments = [s.strip() for s in re.split(r"[,.;!?¿¡\n]", cleaned) if s.strip()]
        if segments and all(normalize(w) in {"hola", "buenas", "buenos", "dias", "tardes", "si"}
                            for w in segments[0].split()) and len(segments) > 1:  # fmt: skip
            words = _NAME_STOP.split(segments[1], maxsplit=1)[0].split()
    # Keep words up to the first one that cannot be part of a name ("Ana porfa").
    kept: list[str] = []
    for word in words:
        norm = normalize(word).split()  # shorthands may expand: "porfa" -> "por favor"
        if not _NAME_WORD.match(word) or any(n in _NOT_NAME and n not in _PARTICLES for n in norm):
            break
        kept.append(word)
    while kept and normalize(kept[-1]) in _PARTICLES:
        kept.pop()  # "Luis de" is a name cut short, not a name
    if not kept or len(kept) > _MAX_NAME_WORDS or len(words) > _MAX_NAME_WORDS + 2:
        return None
    if normalize(kept[0]) in _PARTICLES:
        return None
    trailing = normalize(" ".join(words[len(kept) :])).split()
    if not match and not set(trailing) <= _POLITE:
        return None  # a bare answer with trailing non-name words is not an answer to "¿nombre?"
    return " ".join(_title(w, i == 0) for i, w in enumerate(kept))

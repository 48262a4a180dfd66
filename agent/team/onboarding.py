"""Flow 2, staff onboarding, on a pre-registered team member's first message: welcome, confirm or give
their display name, their working hours ("de lunes a viernes de 10 a 7, los sábados no"), a
short tutorial; then the owners are told they are ready. An abandoned onboarding resumes where
it stopped; a clear request in the middle ("¿qué tengo hoy?") is answered and the onboarding
question is asked again after it."""

from __future__ import annotations

import re

from agent.spanish import extract_name, normalize
from agent.team.parse import time_span, yes_no
from agent.team.state import OnboardingState
from agent.team.turn import Turn

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_WORDS = {"lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "sabados": 5, "domingo": 6, "domingos": 6}
DAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_DAY = r"(lunes|martes|miercoles|jueves|viernes|sabados?|domingos?)"
_DAY_RANGE = re.compile(rf"\b(?:de\s+)?{_DAY}\s+a\s+{_DAY}\b")
_BUSINESS = re.compile(r"\b(?:del negocio|el mismo|igual que el negocio|el de siempre|el horario normal|normal|el de la barberia|el del salon)\b")
_OFF = re.compile(r"\b(?:no|descanso|descanso los|libre|no trabajo|cerrado)\b")
ASK_HOURS = ("¿Qué días y en qué horario trabajas? Por ejemplo: «de lunes a viernes de 10 a 7, los sábados no». "
             "Si trabajas el horario del negocio, dime «el del negocio».")


def _days_in(clause: str) -> list[int]:
    days: list[int] = []
    for match in _DAY_RANGE.finditer(clause):
        a, b = DAY_WORDS[match.group(1)], DAY_WORDS[match.group(2)]
        days += list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(0, b + 1)]
    rest = _DAY_RANGE.sub(" ", clause)
    if re.search(r"\bentre semana\b", rest):
        days += [0, 1, 2, 3, 4]
    if re.search(r"\bfin(?:es)? de semana\b", rest):
        days += [5, 6]
    if re.search(r"\b(?:diario|todos los dias|toda la semana)\b", rest):
        days += list(range(7))
    days += [DAY_WORDS[w] for w in re.findall(_DAY, rest)]
    return sorted(set(days))


def parse_week(text: str) -> dict | None:
    """Weekly hours from what a person says, or None when no time was understood."""
    hours: dict[str, list] = {key: [] for key in DAY_KEYS}
    understood = False
    last_days: list[int] = []
    for clause in re.split(r"[,;.\n]|\by\s+(?=(?:los|el|de|entre|fines?)\b)", normalize_keep(text)):
        clause = clause.strip()
        if not clause:
            continue
        days = _days_in(clause) or last_days
        span = time_span(clause)
        if span.start and span.end and days:
            for day in days:
                hours[DAY_KEYS[day]] = [[span.start.strftime("%H:%M"), span.end.strftime("%H:%M")]]
            understood = True
        elif span.start and span.end and not days:
            for day in range(6):  # "de 10 a 7" alone: Monday to Saturday
                hours[DAY_KEYS[day]] = [[span.start.strftime("%H:%M"), span.end.strftime("%H:%M")]]
            understood = True
        elif _days_in(clause) and _OFF.search(clause):
            for day in _days_in(clause):
                hours[DAY_KEYS[day]] = []
        last_days = days
    return hours if understood else None


def normalize_keep(text: str) -> str:
    """Normalised, with the commas kept (they separate the days' clauses)."""
    return ",".join(normalize(part) for part in re.split(r"[,;\n]", text or ""))


def describe_week(hours: dict) -> str:
    from datetime import time

    from agent.spanish import format_time

    lines = []
    for index, key in enumerate(DAY_KEYS):
        ranges = hours.get(key) or []
        text = ", ".join(f"{format_time(time.fromisoformat(a))} a {format_time(time.fromisoformat(b))}" for a, b in ranges) or "no trabajas"
        lines.append(f"• {DAY_NAMES[index].capitalize()}: {text}")
    return "\n".join(lines)


def tutorial(turn: Turn) -> str:
    lines = [
        "Esto es lo que puedes pedirme por aquí:",
        "• «¿Qué tengo hoy?» o «¿qué sigue?»",
        "• «¿Cómo está la agenda de hoy?»",
        "• «Historial de 55 1234 5678»",
    ]
    if turn.tools.can("book"):
        lines += ["• «Bloquea mañana de 2 a 4»", "• «El de las 11 no llegó» / «ya terminé con Juan»",
                  "• «Acaba de llegar alguien para corte»"]
    lines.append("¿Todo claro? Dime «sí» y quedas listo.")
    return "\n".join(lines)


def start_onboarding(turn: Turn) -> list[str]:
    turn.state.onboarding = OnboardingState()
    name = turn.tools.me.get("name") or ""
    return [f"¡Hola! 👋 Soy Parlo, la asistente de {turn.tools.business_name}. Ya estás registrado en el equipo.\n"
            f"Para dejar listo tu registro: ¿cómo quieres que te llame? Tengo «{name}»: si está bien, dime «sí»."]


def question(turn: Turn) -> str:
    step = turn.state.onboarding.step if turn.state.onboarding else None
    return {
        "collecting_name": f"¿Cómo quieres que te llame? Tengo «{turn.tools.me.get('name')}» (dime «sí» si está bien).",
        "collecting_availability": ASK_HOURS,
        "confirming_availability": "¿Guardo ese horario? Responde sí o no.",
        "showing_tutorial": "¿Todo claro con el tutorial? Dime «sí» y quedas listo.",
    }.get(step or "", "")


def resume_onboarding(turn: Turn) -> list[str] | None:
    flow = turn.state.onboarding
    text, norm = turn.text, turn.norm
    if flow.step == "collecting_name":
        answer = yes_no(text)
        if answer != "yes":
            name = extract_name(text) or _plain(text)
            if not name:
                return None
            result = turn.tools.call("update_my_profile", {"name": name})
            if not result.ok:
                return [result.error]
        flow.step = "collecting_availability"
        return [f"Mucho gusto, {turn.first_name} 🙌 {ASK_HOURS}"]
    if flow.step == "collecting_availability":
        if _BUSINESS.search(norm):
            flow.business_hours, flow.hours = True, None
            flow.step = "confirming_availability"
            return ["Perfecto: trabajas el horario del negocio. ¿Lo guardo así? Responde sí o no."]
        hours = parse_week(text)
        if hours is None:
            return None
        flow.hours, flow.business_hours = hours, False
        flow.step = "confirming_availability"
        return [f"Entendí este horario:\n{describe_week(hours)}\n¿Lo guardo así? Responde sí o no."]
    if flow.step == "confirming_availability":
        answer = yes_no(text)
        if answer == "no":
            flow.step = "collecting_availability"
            return [f"Va, dímelo otra vez. {ASK_HOURS}"]
        if answer != "yes":
            hours = parse_week(text)
            if hours is None:
                return None
            flow.hours = hours
            return [f"Entendí este horario:\n{describe_week(hours)}\n¿Lo guardo así? Responde sí o no."]
        result = turn.tools.call("update_my_profile", {"working_hours": flow.hours, "follow_business_hours": flow.business_hours})
        if not result.ok:
            flow.step = "collecting_availability"
            return [f"{result.error} {ASK_HOURS}"]
        flow.step = "showing_tutorial"
        return [f"Listo, guardé tu horario ✓\n\n{tutorial(turn)}"]
    # showing_tutorial: any answer finishes it
    turn.state.onboarding, turn.state.onboarded = None, True
    result = turn.tools.call("announce_ready", {})
    told = " Ya le avisé a " + " y ".join(n.split()[0] for n in result.data.get("notified", [])) + "." if result.ok and result.data.get("notified") else ""
    return [f"¡Listo, {turn.first_name}! Ya quedó tu registro ✓{told} Escríbeme cuando quieras."]


def _plain(text: str) -> str | None:
    words = [w for w in re.split(r"\s+", text.strip(" .!¡¿?")) if w]
    if 1 <= len(words) <= 4 and all(re.fullmatch(r"[A-Za-zÁÉÍÓÚáéíóúÑñÜü'\-]+", w) for w in words):
        return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)
    return None

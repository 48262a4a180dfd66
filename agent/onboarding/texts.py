"""What the onboarding assistant says (natural Mexican Spanish, tú)."""

from __future__ import annotations

import datetime as _dt

from agent.onboarding.parsing import DAY_LABELS, DAYS, TYPE_LABELS
from agent.spanish.format import format_duration, format_phone, format_price, format_time

WELCOME = (
    "¡Hola! 👋 Soy Parlo. Te ayudo a registrar tu negocio para que tus clientes agenden citas por WhatsApp en unos minutos.\n"
    "Para empezar, ¿cómo se llama tu negocio y qué es (barbería, salón, uñas, spa...)?"
)
HELLO = "¡Hola! 👋 Soy Parlo; te ayudo a registrar tu negocio para que tus clientes agenden citas por WhatsApp en minutos."
ASK_NAME = "¿Cómo se llama tu negocio?"
ASK_TYPE = "¿Qué tipo de negocio es {name}? Por ejemplo: barbería, salón de cabello, uñas, spa o salón de belleza."
ASK_SERVICES = (
    "¿Qué servicios ofreces? Dime cada uno con su precio y cuánto dura, por ejemplo:\n"
    "«corte $150 media hora, barba $100 20 min»\n"
    "Si no estás seguro, escribe «sugiéreme» y te propongo los más comunes."
)
ASK_MORE_SERVICES = "Anotado. ¿Algún otro servicio? Si ya son todos, escribe «son todos»."
ASK_PRICE = "¿Cuánto cuesta {service}?"
ASK_DURATION = "¿Cuánto dura {service}? (por ejemplo: 30 min, 1 hora)"
ASK_HOURS = "¿Qué horario tienes? Por ejemplo: «de lunes a sábado de 10 a 8, domingo cerrado»."
ASK_OWNER = "¡Muy bien! Ahora sobre ti: ¿cómo te llamas?"
ASK_TEAM = (
    "¿Trabaja alguien más contigo? Mándame su nombre y su WhatsApp (por ejemplo: «Miguel 55 2222 3333») "
    "y les aviso para que se unan. Si trabajas solo, escribe «no»."
)
ASK_ADDRESS = "¿Cuál es la dirección del negocio? Se la daré a tus clientes. Si prefieres no ponerla, escribe «no»."
SUGGESTION = "Para un {type} lo más común es:\n{lines}\n¿Te los dejo así? Responde «sí», o mándame tus servicios con sus precios."
CONFIRM_HINT = "¿Está todo bien? Responde «sí» para activar tu número, o dime qué cambiar (por ejemplo: «el corte cuesta 180»)."
NOT_UNDERSTOOD = "Perdón, no te entendí bien. "
RESUME = "¡Qué gusto verte de nuevo! Seguimos donde nos quedamos. Hasta ahora tengo:\n{recap}\n\n"
PROVISIONING = "¡Listo! Estoy activando el número de WhatsApp de {name}. Tarda unos minutos; te escribo aquí en cuanto esté."
PROVISIONING_RETRY = (
    "Sigo activando el número de {name}; Twilio tardó en responder. Lo vuelvo a intentar en unos minutos "
    "y te aviso aquí. Tus datos están guardados."
)
PROVISIONING_FAILED = (
    "Lo siento, no pude activar el número de {name}. Ya avisé al equipo de Parlo y te escribiremos muy pronto. "
    "No te preocupes: todos los datos de tu negocio están guardados."
)
LIVE = (
    "🎉 ¡{name} ya está en línea!\n"
    "Tu número de WhatsApp para clientes es {number}.\n\n"
    "Compártelo con tus clientes con este enlace: {wa_link}\n\n"
    "Texto listo para compartir:\n«¡Ya puedes agendar tu cita en {name} por WhatsApp! Escríbenos aquí: {wa_link}»\n\n"
    "En un momento te mando tu enlace para entrar al panel web."
)
ALREADY_LIVE = "{name} ya está activo en el número {number}. Tus clientes pueden escribir ahí para agendar."


def _time(hhmm: str) -> str:
    hour, minute = (int(part) for part in hhmm.split(":"))
    if hour == 24:
        return "12:00 AM"
    return format_time(_dt.time(hour, minute))


def hours_lines(hours: dict) -> list[str]:
    """Consecutive days with the same hours together: «Lunes a sábado: 10:00 AM a 8:00 PM»."""
    groups: list[tuple[list[str], list]] = []
    for day in DAYS:
        ranges = hours.get(day) or []
        if groups and groups[-1][1] == ranges:
            groups[-1][0].append(day)
        else:
            groups.append(([day], ranges))
    lines = []
    for days, ranges in groups:
        label = DAY_LABELS[days[0]] if len(days) == 1 else f"{DAY_LABELS[days[0]]} a {DAY_LABELS[days[-1]]}"
        shown = ", ".join(f"{_time(a)} a {_time(b)}" for a, b in ranges) if ranges else "cerrado"
        lines.append(f"• {label[:1].upper() + label[1:]}: {shown}")
    return lines


def service_line(service: dict) -> str:
    price = format_price(service["price_cents"]) if service.get("price_cents") is not None else "precio por definir"
    minutes = format_duration(service["duration_minutes"]) if service.get("duration_minutes") else "duración por definir"
    return f"• {service['name']}: {price}, {minutes}"


def summary(data: dict) -> str:
    lines = []
    if data.get("business_name"):
        kind = TYPE_LABELS.get(data.get("business_type") or "", "")
        lines.append(f"*{data['business_name']}*" + (f" ({kind})" if kind else ""))
    if data.get("services"):
        lines.append("Servicios:")
        lines += [service_line(s) for s in data["services"]]
    if data.get("hours"):
        lines.append("Horario:")
        lines += hours_lines(data["hours"])
    if data.get("owner_name"):
        lines.append(f"Dueño: {data['owner_name']}")
    if data.get("team"):
        lines.append("Equipo: " + ", ".join(f"{m['name']} ({format_phone(m['phone'])})" for m in data["team"]))
    if data.get("address"):
        lines.append(f"Dirección: {data['address']}")
    return "\n".join(lines) if lines else "(todavía nada)"


def wa_link(number: str) -> str:
    return "https://wa.me/" + number.lstrip("+")

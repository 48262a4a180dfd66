"""What a state-changing team tool WILL do, in Spanish, before it is done (the LLM path's proposals).

``describe_change(tools, name, args)`` looks everything up inside the sender's organization (the
appointment, the block, the customer, the person) and returns a ``Change``: the summary the person
is asked to confirm, the facts a reply must mention for the summary to count as shown, and the
past-tense line reported once it is done. A lookup that fails raises ``TeamToolError`` (Spanish),
so a change that cannot happen is never offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.spanish.format import format_date, format_price, format_time
from agent.team.booking import format_phone_short
from agent.team.roster_tools import LEVEL_ES
from agent.team.specs import TOOLS, TeamToolError, as_utc
from commands.phones import normalize_phone

STATUS_ES = {"completed": "completada", "no_show": "no-show", "cancelled": "cancelada"}
DAYS_ES = {"mon": "lunes", "tue": "martes", "wed": "miércoles", "thu": "jueves", "fri": "viernes", "sat": "sábado", "sun": "domingo"}


@dataclass
class Change:
    summary: str  # "Bloqueo tu agenda el jueves 15 de enero de 2:00 PM a 4:00 PM."
    facts: list[str]  # what a reply must name (a time, a person) to count as showing it
    done: str  # "Bloqueé tu agenda ..." (reported if the turn breaks after doing it)
    local_start: datetime | None = None
    cancels: bool = False  # an acceptance may then say "cancélala"


def _when(tools: Any, moment: datetime) -> tuple[str, str, datetime]:
    local = tools.local(as_utc(moment.replace(tzinfo=tools.tz) if moment.tzinfo is None else moment))
    return format_date(local.date()), format_time(local), local


def _who(tools: Any, staff_id: Any) -> dict:
    return tools.me if staff_id is None or str(staff_id) == str(tools.staff_id) else tools.member(staff_id)


def _customer(tools: Any, phone: str | None, name: str | None) -> str:
    if name:
        return f"{name} ({format_phone_short(phone)})" if phone else name
    if phone:
        found = tools.find_customers(phone=phone)
        label = format_phone_short(normalize_phone(phone)) if found or phone else phone
        return f"{found[0]['name']} ({label})" if found and found[0].get("name") else label
    return "un cliente sin registro"


def describe_change(tools: Any, name: str, args: Any) -> Change:
    build = _BUILDERS.get(name)
    if build is None:
        text = TOOLS[name].description.rstrip(".")
        return Change(f"{text}.", [], f"Listo ✓ {text}.")
    return build(tools, args)


def _block(tools: Any, args: Any) -> Change:
    person = _who(tools, args.staff_id)
    day, start, local = _when(tools, args.start)
    _, end, _ = _when(tools, args.end)
    whose = "tu agenda" if person is tools.me else f"la agenda de {person['name']}"
    reason = f" ({args.reason})" if args.reason else ""
    return Change(f"Bloqueo {whose} el {day} de {start} a {end}{reason}.", [start],
                  f"Listo, bloqueé {whose} el {day} de {start} a {end} ✓", local)


def _unblock(tools: Any, args: Any) -> Change:
    person = _who(tools, args.staff_id)
    rows = [b for b in tools._reads.list_blocks(tools.organization_id, staff_id=person["id"]) if str(b["id"]) == str(args.block_id)]
    if not rows:
        raise TeamToolError("No encontré ese bloqueo.")
    block = tools._describe_block(rows[0])
    return Change(f"Quito el bloqueo del {block['date_text']} de {block['time']} a {block['end_time']}.", [block["time"]],
                  f"Listo, quité el bloqueo del {block['date_text']} de {block['time']} a {block['end_time']} ✓")


def _status(tools: Any, args: Any) -> Change:
    appointment = tools.describe_appointment(tools._appointment(args.appointment_id))
    what = f"la cita de {appointment['customer']} del {appointment['date_text']} a las {appointment['time']} ({appointment['service']})"
    status = STATUS_ES[args.status]
    verb = "Cancelo" if args.status == "cancelled" else "Marco"
    summary = f"{verb} {what}." if args.status == "cancelled" else f"{verb} {what} como {status}."
    return Change(summary, [appointment["time"]], f"Listo ✓ {what[0].upper() + what[1:]} quedó {status}.",
                  datetime.fromisoformat(appointment["start"]), cancels=args.status == "cancelled")


def _walk_in(tools: Any, args: Any) -> Change:
    service = tools.service(args.service_id)
    person = _who(tools, args.staff_id)
    start = format_time(tools.walk_in_start())
    who = _customer(tools, args.customer_phone, args.customer_name)
    with_whom = "contigo" if person is tools.me else f"con {person['name']}"
    return Change(f"Registro a {who} para {service['name']} ahora a las {start} {with_whom}.", [service["name"]],
                  f"Listo ✓ Registré a {who} para {service['name']} a las {start} {with_whom}.")


def _on_behalf(tools: Any, args: Any) -> Change:
    service = tools.service(args.service_id)
    day, start, local = _when(tools, args.start)
    who = _customer(tools, args.customer_phone, args.customer_name)
    staff = f" con {tools.member(args.staff_id)['name']}" if args.staff_id else ""
    return Change(f"Agendo a {who}: {service['name']} ({format_price(int(service['price_cents']))}) el {day} a las {start}{staff}. "
                  "Le mando la confirmación por WhatsApp.", [start], f"Listo ✓ Agendé a {who} el {day} a las {start}.", local)


def _message(tools: Any, args: Any) -> Change:
    who = _customer(tools, args.customer_phone, None)
    text = " ".join(args.message.split())
    signature = f"- {tools.business_name}"
    body = text if text.endswith(signature) else f"{text} {signature}"
    return Change(f"Le mando a {who}: «{body}»", [text[:25]], f"Enviado ✓ Le mandé a {who}: «{body}»")


def _note(tools: Any, args: Any) -> Change:
    who = _customer(tools, args.customer_phone, None)
    return Change(f"Anoto en la ficha de {who}: «{args.note}».", [args.note[:25]], f"Listo ✓ Anoté en la ficha de {who}: «{args.note}».")


def _add_staff(tools: Any, args: Any) -> Change:
    services = "todos los servicios" if args.service_ids is None else ", ".join(tools.service(s)["name"] for s in args.service_ids)
    who = f"{args.name} ({format_phone_short(args.phone_number)})"
    return Change(f"Agrego a {who} como {LEVEL_ES[args.permission_level]}, con {services}.", [args.name.split()[0]],
                  f"Listo ✓ Agregué a {who} como {LEVEL_ES[args.permission_level]}.")


def _welcome(tools: Any, args: Any) -> Change:
    person = tools.member(args.staff_id)
    return Change(f"Le mando a {person['name']} el mensaje de bienvenida de Parlo.", ["bienvenida"], "Enviado ✓")


def _remove(tools: Any, args: Any) -> Change:
    person = tools.member(args.staff_id)
    upcoming = tools.future_appointments_of(person["id"])
    if upcoming and args.future_appointments is None:
        lines = "\n".join(f"• {a['date_text']}, {a['time']} - {a['service']} - {a['customer']}" for a in upcoming[:10])
        count = f"{len(upcoming)} citas próximas" if len(upcoming) > 1 else "1 cita próxima"
        raise TeamToolError(f"{person['name']} tiene {count}:\n{lines}\nPregúntale a la persona si se quedan como "
                            "están (future_appointments=keep) o se cancelan avisando a cada cliente (future_appointments=cancel).")
    summary = f"Doy de baja a {person['name']}: ya no podrá escribirme ni recibir citas nuevas."
    many = len(upcoming) > 1
    if upcoming and args.future_appointments == "keep":
        summary += f" Sus {len(upcoming)} citas próximas se quedan como están." if many else " Su cita próxima se queda como está."
    elif upcoming:
        summary += f" Cancelo sus {len(upcoming)} citas próximas y le aviso a cada cliente." if many else " Cancelo su cita próxima y le aviso al cliente."
    return Change(summary, [person["name"].split()[0]], f"Listo ✓ Di de baja a {person['name']}.",
                  cancels=bool(upcoming) and args.future_appointments == "cancel")


def _permissions(tools: Any, args: Any) -> Change:
    person = tools.member(args.staff_id)
    before = LEVEL_ES.get(person.get("permission_level") or "staff", "empleado")
    after = LEVEL_ES[args.permission_level]
    return Change(f"Cambio a {person['name']} de {before} a {after}.", [person["name"].split()[0]], f"Listo ✓ {person['name']} ahora es {after}.")


def _add_service(tools: Any, args: Any) -> Change:
    return Change(f"Agrego el servicio {args.name}: {args.duration_minutes} min, {format_price(args.price_cents)}.", [args.name],
                  f"Listo ✓ Agregué {args.name}.")


def _update_service(tools: Any, args: Any) -> Change:
    service = tools._reads.get_service(tools.organization_id, args.service_id)
    if service is None:
        raise TeamToolError("Ese servicio no está en la lista del negocio.")
    parts = []
    if args.price_cents is not None:
        parts.append(f"el precio de {format_price(int(service['price_cents']))} a {format_price(args.price_cents)}")
    if args.duration_minutes is not None:
        parts.append(f"la duración de {service['duration_minutes']} a {args.duration_minutes} min")
    if args.is_active is False:
        parts.append("lo desactivo (ya no se podrá agendar)")
    if args.is_active is True:
        parts.append("lo vuelvo a activar")
    if not parts:
        raise TeamToolError("No me dijiste qué cambiar del servicio.")
    return Change(f"{service['name']}: cambio {' y '.join(parts)}.", [service["name"]], f"Listo ✓ Actualicé {service['name']}.")


def _hours(tools: Any, args: Any) -> Change:
    days = []
    for key, label in DAYS_ES.items():
        spans = args.hours.get(key) or []
        days.append(f"{label} " + (", ".join(f"{a}–{b}" for a, b in spans) if spans else "cerrado"))
    return Change("Cambio el horario del negocio a: " + "; ".join(days) + ".", [], "Listo ✓ Cambié el horario del negocio.")


def _close(tools: Any, args: Any) -> Change:
    last = args.end_date or args.start_date
    span = f"el {format_date(args.start_date)}" if last == args.start_date else f"del {format_date(args.start_date)} al {format_date(last)}"
    affected = tools.live_appointments_on(args.start_date, last)
    note = f" Ojo: hay {len(affected)} citas esos días y siguen agendadas." if affected else ""
    return Change(f"Cierro el negocio {span}{' (' + args.reason + ')' if args.reason else ''}.{note}", [], f"Listo ✓ Cerrado {span}.")


def _profile(tools: Any, args: Any) -> Change:
    parts = [f"tu nombre a {args.name}"] if args.name else []
    if args.follow_business_hours:
        parts.append("tu horario al del negocio")
    elif args.working_hours:
        parts.append("tu horario de trabajo")
    if not parts:
        raise TeamToolError("No me dijiste qué cambiar.")
    return Change(f"Cambio {' y '.join(parts)}.", [], "Listo ✓ Actualicé tus datos.")


_BUILDERS = {
    "block_time": _block, "unblock_time": _unblock, "mark_appointment_status": _status, "book_walk_in": _walk_in,
    "book_on_behalf": _on_behalf, "send_message_to_customer": _message, "add_customer_note": _note, "add_staff": _add_staff,
    "send_welcome": _welcome, "remove_staff": _remove, "change_permissions": _permissions, "add_service": _add_service,
    "update_service": _update_service, "set_business_hours": _hours, "close_business": _close, "update_my_profile": _profile,
}

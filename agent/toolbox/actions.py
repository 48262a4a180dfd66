"""The tool handlers: each takes the turn's ``ToolSession`` and its validated arguments.

Rules enforced here rather than left to the prompt:
- a booking, move or cancellation happens only through ``confirm_proposal``, for a proposal shown
  in an EARLIER turn, when the customer's current message accepts it, and exactly as proposed;
- a customer asking to change an appointment never gets a new one instead (``propose_booking``
  refuses while their message asks for a change);
- the staff member the customer named is the one proposed; someone else only when the proposal
  says so in words, and never when the accepting message names a different person;
- appointment ids are only ever this customer's own (``CustomerTools.own_appointment``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from agent.spanish.format import format_date, format_time
from agent.toolbox.consent import is_acceptance, is_change_request, named_staff, preferred_staff, words
from agent.toolbox.proposals import Proposal
from agent.tools import ToolError, as_utc, first_name

if TYPE_CHECKING:
    from agent.toolbox.registry import ToolSession

_SHOW = (
    "Muéstrale este resumen al cliente tal cual y espera su respuesta. Solo si en su siguiente mensaje dice que sí, "
    "usa confirm_proposal con este proposal_id."
)
_SHOW_ASKING_NAME = (
    "Muéstrale este resumen al cliente tal cual; te falta su nombre. Cuando en su siguiente mensaje te lo dé, "
    "usa confirm_proposal con este proposal_id y su nombre en customer_name."
)


def list_services(session: ToolSession, args: Any) -> list[dict]:
    return session.tools.list_services()


def list_my_appointments(session: ToolSession, args: Any) -> dict:
    return {"appointments": session.tools.list_my_appointments()}


def handoff(session: ToolSession, args: Any) -> dict:
    return session.tools.handoff(args.reason)


def _preferred(session: ToolSession) -> dict | None:
    return preferred_staff(session.customer_texts, session.tools.staff())


def check_availability(session: ToolSession, args: Any) -> dict:
    tools = session.tools
    date_to = args.date_to or args.date_from
    if date_to < args.date_from:
        raise ToolError("date_to no puede ser antes de date_from.")
    date_to = min(date_to, args.date_from + timedelta(days=14))
    staff_id, note = args.staff_id, None
    preferred = _preferred(session)
    if staff_id is None and preferred is not None:
        staff_id = preferred["id"]
        note = f"Son los horarios de {preferred['name']}, a quien pidió el cliente."
    result = tools.check_availability(args.service_id, args.date_from, date_to, staff_id=staff_id, limit=12, part_of_day=args.part_of_day)
    for slot in result["slots"]:
        slot["start"] = slot["start"][:16]  # local wall time, what the propose tools expect
    if not result["slots"]:
        note = ((note + " ") if note else "") + "No hay horarios libres en esas fechas. Ofrece buscar otro día."
    if note:
        result["note"] = note
    return result


def _local_start(session: ToolSession, start: datetime) -> datetime:
    return session.tools.aware(start)


def _day_fact(session: ToolSession, local: datetime) -> str:
    """What a reply must name for the day to be unmistakable: the weekday this week, else the date."""
    days_ahead = (local.date() - session.tools.today).days
    return format_date(local.date()).split()[0] if 0 <= days_ahead <= 6 else format_date(local.date())


def _offer(session: ToolSession, proposal: Proposal) -> dict:
    if not session.proposals.add(proposal):
        raise ToolError("Ya propusiste varias opciones en este mensaje: espera a que el cliente elija una.")
    instructions = _SHOW_ASKING_NAME if proposal.asks_name else _SHOW
    return {"proposal_id": proposal.id, "summary": proposal.summary, "instructions": instructions}


def propose_booking(session: ToolSession, args: Any) -> dict:
    tools = session.tools
    mine = tools.list_my_appointments()
    if mine and is_change_request(session.text):
        raise ToolError(
            "El cliente quiere cambiar una cita que ya tiene: usa propose_reschedule con el id de esa cita "
            "(list_my_appointments). No le crees una cita nueva."
        )
    service = tools.service(args.service_id)
    preferred = _preferred(session)
    staff = tools.staff_member(args.staff_id) if args.staff_id else preferred
    local = _local_start(session, args.start)
    tools.check_slot(service["id"], local, staff_id=staff["id"] if staff else None)

    known, verified = tools.known_name()
    name = args.customer_name or known
    day = format_date(local.date())
    lines = ["Te propongo esta cita:", f"📅 {day[0].upper()}{day[1:]}", f"⏰ {_time(local)}", f"💇 {service['name']} - {tools.service_info(service)['price']}"]
    if staff:
        lines.append(f"👤 Con {staff['name']}")
    facts = [_day_fact(session, local), _time(local), service["name"]]
    if staff:
        facts.append(first_name(staff["name"]))
    if preferred and staff and str(preferred["id"]) != str(staff["id"]):
        lines.append(f"Ojo: sería con {first_name(staff['name'])}, no con {first_name(preferred['name'])}.")
        facts.append(first_name(preferred["name"]))
    if mine and any(is_change_request(text) for text in session.customer_texts):
        first = mine[0]
        lines.append(f"Sería una cita nueva; tu cita del {first['date_text']} a las {first['time']} se queda igual.")
        facts.append("cita nueva")
    if name:
        lines.append(f"¿Te la agendo a nombre de {name}?")
        if not (verified and name == known):
            facts.append(first_name(name))  # a name nobody confirmed yet is part of what is accepted
    else:
        lines.append("Si está bien, ¿me dices tu nombre para la cita?")
    proposal = Proposal(
        id=session.proposals.new_id("book", str(service["id"]), local.isoformat()),
        kind="book",
        turn=session.message_id,
        created_at=tools.now.isoformat(),
        summary="\n".join(lines),
        key_facts=facts,
        local_start=local.isoformat(),
        service_id=str(service["id"]),
        start=as_utc(local).isoformat(),
        staff_id=str(staff["id"]) if staff else None,
        staff_name=staff["name"] if staff else None,
        customer_name=name,
        asks_name=not name,
    )
    return _offer(session, proposal)


def propose_reschedule(session: ToolSession, args: Any) -> dict:
    tools = session.tools
    row = tools.own_appointment(args.appointment_id)
    before = tools.describe_appointment(row)
    local = _local_start(session, args.new_start)
    if as_utc(local) == as_utc(row["scheduled_start"]):
        raise ToolError("Esa ya es la hora de la cita; pregúntale al cliente a qué hora la quiere.")
    staff_id = row.get("staff_id")
    preferred = _preferred(session)
    if preferred is not None and staff_id is not None and str(preferred["id"]) != str(staff_id):
        raise ToolError(
            f"La cita es con {before['staff'] or 'otra persona'} y el cliente pidió a {preferred['name']}: al cambiar la hora "
            "no se cambia de persona. Explícaselo y ofrécele cancelar esta cita y agendar otra con quien pidió."
        )
    tools.check_slot(before["service_id"], local, staff_id=staff_id, own_appointment_id=row["id"])
    facts = [_day_fact(session, local), _time(local)]
    if len(tools.list_my_appointments()) > 1:  # which appointment moves must be just as clear
        facts += [_day_fact(session, tools.local(row["scheduled_start"])), before["time"]]
    day = format_date(local.date())
    with_whom = f" con {before['staff']}" if before["staff"] else ""
    summary = (
        f"Cambiaría tu cita de {before['service'].lower()} del {before['date_text']} a las {before['time']} a:\n"
        f"📅 {day[0].upper()}{day[1:]}\n⏰ {_time(local)}{with_whom}\n¿Confirmo el cambio?"
    )
    proposal = Proposal(
        id=session.proposals.new_id("reschedule", str(row["id"]), local.isoformat()),
        kind="reschedule",
        turn=session.message_id,
        created_at=tools.now.isoformat(),
        summary=summary,
        key_facts=facts,
        local_start=local.isoformat(),
        service_id=before["service_id"],
        start=as_utc(local).isoformat(),
        staff_id=str(staff_id) if staff_id else None,
        staff_name=before["staff"] or None,
        appointment_id=str(row["id"]),
    )
    return _offer(session, proposal)


def propose_cancel(session: ToolSession, args: Any) -> dict:
    tools = session.tools
    row = tools.own_appointment(args.appointment_id)
    info = tools.describe_appointment(row)
    local = tools.local(row["scheduled_start"])
    summary = f"¿Confirmas que cancele tu cita de {info['service'].lower()} del {info['date_text']} a las {info['time']}?"
    proposal = Proposal(
        id=session.proposals.new_id("cancel", str(row["id"])),
        kind="cancel",
        turn=session.message_id,
        created_at=tools.now.isoformat(),
        summary=summary,
        key_facts=[_day_fact(session, local), info["time"], "cancel"],
        local_start=local.isoformat(),
        appointment_id=str(row["id"]),
        reason=args.reason,
    )
    return _offer(session, proposal)


def confirm_proposal(session: ToolSession, args: Any) -> dict:
    tools = session.tools
    proposal = session.proposals.get(args.proposal_id)
    if proposal is None:
        raise ToolError(
            "No encontré esa propuesta. Haz una propuesta (propose_booking, propose_reschedule o propose_cancel), "
            "muéstrasela al cliente y espera su respuesta."
        )
    if proposal.turn == session.message_id:
        raise ToolError(
            "Esta propuesta la acabas de hacer en este mismo mensaje: muéstrale el resumen al cliente y espera "
            "su respuesta. No se agendó nada."
        )
    local = datetime.fromisoformat(proposal.local_start)
    today = tools.now.astimezone(tools.tz)
    name = proposal.customer_name
    if proposal.asks_name:
        name = _name_answer(session.text, args.customer_name)
        if name is None:
            raise ToolError("La propuesta pedía el nombre del cliente y su mensaje no lo trae: pídeselo antes de confirmar.")
    elif not is_acceptance(session.text, local, today, proposal.kind):
        raise ToolError(
            "El cliente no aceptó esta propuesta en su mensaje actual. Pregúntale si la confirma o qué quiere cambiar; "
            "no se hizo ningún cambio."
        )
    others = [p for p in session.proposals.confirmable() if p.id != proposal.id]
    if others and not _picks(session.text, proposal, others):
        raise ToolError("Le mostraste varias opciones y su respuesta no dice cuál: pregúntale cuál quiere.")
    named = named_staff(session.text, tools.staff())
    if named is not None and str(named["id"]) != str(proposal.staff_id):
        raise ToolError(f"El cliente acaba de mencionar a {named['name']}: haz una nueva propuesta con esa persona.")
    if proposal.kind == "book":
        start = datetime.fromisoformat(proposal.start or "")
        info = tools.book(proposal.service_id, start, staff_id=proposal.staff_id, customer_name=name)
        done = "booked"
    elif proposal.kind == "reschedule":
        info = tools.reschedule(proposal.appointment_id, datetime.fromisoformat(proposal.start or ""))
        done = "rescheduled"
    else:
        info = tools.cancel(proposal.appointment_id, proposal.reason or "")
        done = "cancelled"
    session.proposals.take(proposal)
    summary = tools.actions[-1].summary if tools.actions else ""
    return {done: True, **info, "confirmation": summary}


def _marks(proposal: Proposal) -> set[str]:
    local = datetime.fromisoformat(proposal.local_start)
    marks = {str(local.hour), str(local.hour % 12 or 12), words(format_date(local.date()))[0]}
    if local.minute:
        marks.add(str(local.minute))
    if proposal.staff_name:
        marks.add(words(proposal.staff_name)[0])
    return marks


def _picks(text: str, proposal: Proposal, others: list[Proposal]) -> bool:
    """With several alternatives on the table, the answer must name something only this one has."""
    unique = _marks(proposal) - set().union(*(_marks(p) for p in others))
    return bool(unique & set(words(text)))


def _name_answer(text: str, name: str | None) -> str | None:
    """The customer's name, when their message gives it (and does not change the proposal)."""
    if not name:
        return None
    said = set(words(text))
    given = [w for w in words(name) if len(w) >= 2]
    if not given or not all(w in said for w in given):
        return None
    if {"no", "pero", "mejor", "cambia", "espera", "otra", "otro"} & said:
        return None
    return name


def _time(local: datetime) -> str:
    return format_time(local)

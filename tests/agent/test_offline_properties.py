"""Properties of the offline engine, checked systematically (every state x every phrase class).

* Ways out: every step of every flow x every way-out phrase leaves the flow with a reply and
  changes nothing.
* No silence: every step x odd messages (empty, emoji, laughs, gibberish, side questions) gets a
  reply; nothing changes unless the message accepts a yes/no question the engine asked.
* Inferred means confirmed: a day the engine assumed, a remembered service, a superlative pick or
  a named barber's time is stated back (service, date, time, barber) before anything is booked.
* Staff preference: "con X" books with X, or books nothing and names X.
* A change request never becomes a new appointment.
* The typed state round-trips and tolerates anything stored before.
* "al rato"/"ahorita" never offer a past time; availability questions list real slots.

Clock: Wed 14 Jan 2026 12:00 Mexico City unless a test moves it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from agent.offline.state import DialogueState
from agent.service import FALLBACK_REPLY
from dialogue_harness import BARBA, CARLOS, CORTE, JUAN, MIGUEL, NEW, book_for

MX = ZoneInfo("America/Mexico_City")
WED, THU, FRI, SAT = date(2026, 1, 14), date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 17)

# (name, setup, messages that reach the state, expected (flow, step))
STATES = [
    ("booking: which service", None, ["quiero una cita"], ("booking", "collecting_service")),
    ("booking: which day", None, ["quiero un corte"], ("booking", "collecting_datetime")),
    ("booking: times offered", None, ["corte mañana"], ("booking", "collecting_datetime")),
    ("booking: proposal", None, ["quiero un corte a las 5"], ("booking", "confirming_booking")),
    ("booking: someone else offered", "busy_miguel", ["corte mañana a las 4 con Miguel"], ("booking", "collecting_datetime")),
    ("modify: which appointment", "juan2", ["quiero cambiar mi cita"], ("modify", "identifying_booking")),
    ("modify: which day", "juan", ["cambiar mi cita"], ("modify", "collecting_new_datetime")),
    ("modify: times offered", "juan", ["cambiar mi cita al viernes"], ("modify", "collecting_new_datetime")),
    ("cancel: which appointment", "juan2", ["quiero cancelar"], ("cancel", "identifying_booking")),
    ("cancel: confirm", "juan", ["cancela mi cita"], ("cancel", "confirming_cancellation")),
]
WAY_OUT = ["no", "mejor no", "olvídalo", "déjalo así", "ya no, gracias", "nel"]
ODD = ["", "👍", "jajaja", "ok", "???", "🎤", "asdf qwerty", "gracias", "holaa", "aceptan tarjeta?", "¿dónde están?"]


def prepare(world, setup: str | None):
    if setup in ("juan", "juan2"):
        book_for(world, JUAN, THU, time(16), staff=CARLOS, name="Juan Pérez")
    if setup == "juan2":
        book_for(world, JUAN, SAT, time(12), service=BARBA, name="Juan Pérez")
    if setup == "busy_miguel":
        book_for(world, "+525577770099", THU, time(16), staff=MIGUEL, name="Otro")
    return world.chat(JUAN if setup in ("juan", "juan2") else NEW)


def snapshot(world) -> dict:
    return {str(r["id"]): (r["scheduled_start"], r["staff_id"], r["status"]) for r in world.appointments()}


def reach(world, setup, messages, expected):
    chat = prepare(world, setup)
    for message in messages:
        chat.say(message)
    offline = chat.state["offline"]
    assert (offline["flow"], offline["step"]) == expected, chat.dump()
    return chat


@pytest.mark.parametrize("phrase", WAY_OUT)
@pytest.mark.parametrize("name,setup,messages,expected", STATES, ids=[s[0] for s in STATES])
def test_every_way_out_leaves_every_flow(world, name, setup, messages, expected, phrase):
    chat = reach(world, setup, messages, expected)
    before = snapshot(world)
    reply = chat.say(phrase)
    assert reply.strip(), chat.dump()
    assert "no te entendí" not in reply.lower(), chat.dump()
    assert snapshot(world) == before, chat.dump()
    offline = chat.state["offline"]
    if expected[1] == "confirming_booking" and phrase in ("no", "nel", "mejor no"):
        # "no" to "¿Te agendo ... ?": nothing booked, and the customer is asked for another time.
        assert offline["step"] == "collecting_datetime" and "otro día" in reply, chat.dump()
    else:
        assert offline["flow"] is None, chat.dump()


@pytest.mark.parametrize("message", ODD, ids=lambda m: m or "<empty>")
@pytest.mark.parametrize("name,setup,messages,expected", STATES, ids=[s[0] for s in STATES])
def test_every_message_in_every_state_gets_a_reply(world, name, setup, messages, expected, message):
    chat = reach(world, setup, messages, expected)
    before = snapshot(world)
    reply = chat.say(message)
    assert reply.strip() and reply != FALLBACK_REPLY, chat.dump()
    accepting = message in ("👍", "ok") and expected[1] in ("confirming_booking", "confirming_cancellation")
    if not accepting:
        assert snapshot(world) == before, chat.dump()
    if message in ("👍", "ok", "jajaja"):
        assert "que tengas" not in reply.lower(), chat.dump()  # an acknowledgement is not a goodbye


# ---- inferred means confirmed ---------------------------------------------------------------------

INFERRED = [
    # (name, messages before the yes, service, day, time, staff)
    ("time without a day", ["quiero un corte a las 5"], CORTE, WED, time(17), None),
    ("remembered service", ["cuanto cuesta la barba?", "y el viernes a las 11?"], BARBA, FRI, time(11), None),
    ("latest on saturday", ["corte el sabado lo mas tarde que tengas"], CORTE, SAT, time(17, 30), None),
    ("as soon as possible", ["quiero un corte", "lo antes posible"], CORTE, WED, time(13), None),
    ("time without a day, with miguel", ["barba a las 6 con miguel"], BARBA, WED, time(18), MIGUEL),
]


@pytest.mark.parametrize("yes", ["si", "ok", "👍", "sí, perfecto"])
@pytest.mark.parametrize("name,messages,service,day,at,staff", INFERRED, ids=[i[0] for i in INFERRED])
def test_what_was_inferred_is_stated_and_confirmed_before_booking(world, name, messages, service, day, at, staff, yes):
    chat = world.chat(NEW)
    for message in messages:
        chat.say(message)
    proposal = chat.last.replies[-1]
    assert world.appointments() == [], chat.dump()
    assert service.lower() in proposal.lower() and proposal.rstrip().endswith("(sí / no)"), chat.dump()
    assert f"{day.day} de enero" in proposal, chat.dump()
    assert at.strftime("%I:%M").lstrip("0") in proposal, chat.dump()
    if staff:
        assert staff.split()[0] in proposal, chat.dump()
    chat.say(yes)
    rows = world.appointments()
    assert len(rows) == 1, chat.dump()
    start = rows[0]["scheduled_start"].astimezone(MX)
    assert (rows[0]["service_name"], start.date(), start.time()) == (service, day, at), chat.dump()
    if staff:
        assert rows[0]["staff_name"] == staff, chat.dump()


# ---- staff preference -----------------------------------------------------------------------------


@pytest.mark.parametrize("busy", [False, True], ids=["free", "busy"])
@pytest.mark.parametrize("request_text,day,at", [("corte mañana a las 11 con {}", THU, time(11)), ("corte el viernes a las 5 con {}", FRI, time(17))])
@pytest.mark.parametrize("staff", [CARLOS, MIGUEL])
def test_staff_preference_is_honoured_or_named(world, staff, request_text, day, at, busy):
    if busy:
        book_for(world, "+525577770098", day, at, staff=staff, name="Otro")
    before = snapshot(world)
    chat = world.chat(NEW)
    reply = chat.say(request_text.format(staff.split()[0].lower()))
    new = [r for r in world.appointments() if str(r["id"]) not in before]
    if new:
        assert all(r["staff_name"] == staff for r in new), chat.dump()
        assert not busy
    else:
        assert busy and staff.split()[0] in reply, chat.dump()


# ---- a change request is never a new booking ---------------------------------------------------------

CHANGES = [
    "necesito cambiar mi cita", "kiero kambiar mi sita", "me la pasas para el viernes?", "quiero mover mi cita",
    "reagendar", "puedo cambiar la hora?", "la quiero pasar a otro dia", "cambia mi cita para el viernes a las 10",
    "oye se me complico, la puedo pasar a otro dia?", "cámbiamela para el lunes con miguel",
]  # fmt: skip


@pytest.mark.parametrize("setup", ["juan", "juan2"])
@pytest.mark.parametrize("opening", CHANGES)
def test_a_change_request_never_creates_an_appointment(world, opening, setup):
    chat = prepare(world, setup)
    count = len([r for r in world.appointments() if r["status"] == "confirmed"])
    for message in (opening, "el viernes a las 12", "la primera", "si", "corte"):
        chat.say(message)
        assert chat.last.replies, chat.dump()
        live = [r for r in world.appointments() if r["status"] == "confirmed"]
        assert len(live) == count, chat.dump()


# ---- state ------------------------------------------------------------------------------------------

STORED = [
    {},
    {"flow": "booking"},
    {"flow": "booking", "step": "a_step_from_the_future", "data": {"service_id": "x"}},
    {"flow": "modify", "step": "collecting_new_datetime", "data": {"offered": [{"bad": 1}, "x"], "appointment_id": 5}},
    {"flow": "booking", "step": "collecting_datetime", "data": "not a dict", "failures": "3"},
    {"flow": "cancel", "step": "confirming_cancellation", "status": "abandoned", "last_active_state": 7, "updated_at": "ayer"},
    {"flow": "booking", "step": "collecting_datetime", "data": {"offered": [{"start": "2026-01-15T22:00:00+00:00"}], "search": {"from": "2026-01-15", "to": "2026-01-15"}}},
    {"flow": None, "step": None, "data": {}, "status": "done", "last": "not a dict", "offer_booking": [1]},
]


@pytest.mark.parametrize("stored", STORED)
@pytest.mark.parametrize("legacy_layout", [False, True], ids=["offline-key", "top-level"])
def test_any_stored_state_loads_or_resets_and_the_engine_answers(world, stored, legacy_layout):
    for text in ("hola", "corte mañana", "la 1"):
        chat = world.chat(NEW)
        chat.state = dict(stored) if legacy_layout else {"offline": dict(stored)}
        reply = chat.say(text)
        assert reply.strip() and reply != FALLBACK_REPLY, (stored, chat.dump())
        state = DialogueState.from_dict(chat.state["offline"])
        assert DialogueState.from_dict(state.to_dict()) == state


@pytest.mark.parametrize("name,setup,messages,expected", STATES, ids=[s[0] for s in STATES])
def test_every_reached_state_round_trips(world, name, setup, messages, expected):
    chat = reach(world, setup, messages, expected)
    state = DialogueState.from_dict(chat.state["offline"])
    assert state.to_dict() == DialogueState.from_dict(state.to_dict()).to_dict()
    assert (state.flow, state.step) == expected


# ---- times ------------------------------------------------------------------------------------------


def bullets(reply: str) -> list[str]:
    return [line[2:] for line in reply.splitlines() if line.startswith("• ")]


@pytest.mark.parametrize("now", [time(10), time(12), time(15, 30), time(18, 45)])
@pytest.mark.parametrize("text", ["me das un corte al rato?", "corte ahorita", "al ratito tienes para barba?"])
def test_later_today_never_offers_a_past_time(world, clock, now, text):
    clock.set(datetime.combine(WED, now, tzinfo=MX))
    reply = world.chat(NEW).say(text)
    assert reply.strip()
    if "ya no tengo espacio" in reply:
        # Nothing left today: said so, and the times offered are another day's (named).
        assert reply.startswith("Hoy miércoles ya no tengo espacio.") and "El día más cercano" in reply, reply
        return
    for label in bullets(reply):
        assert "," not in label, reply  # times of today only, no other day's list
        offered = datetime.strptime(label, "%I:%M %p").time()
        assert offered > now, reply


@pytest.mark.parametrize(
    "text,service,day",
    [("¿qué horarios tienes el jueves para corte?", CORTE, THU), ("que horarios hay el sabado para barba?", BARBA, SAT),
     ("tienes espacio el viernes en la tarde para corte?", CORTE, FRI)],  # fmt: skip
)
def test_availability_questions_list_real_slots(world, text, service, day):
    reply = world.chat(NEW).say(text)
    real = {
        s.start.astimezone(MX).strftime("%I:%M %p").lstrip("0")
        for s in world.availability.find_slots(world.org_id, world.service_id(service), day, day, now=world.clock())
    }
    assert bullets(reply) and set(bullets(reply)) <= real, reply
    assert "abrimos de" not in reply, reply


def test_a_proposal_whose_time_has_passed_is_never_booked(world, clock):
    chat = world.chat(NEW)
    chat.say("quiero un corte a las 1")  # proposed: today 1:00 PM
    assert chat.state["offline"]["step"] == "confirming_booking"
    clock.advance(hours=2)
    reply = chat.say("sí")
    assert world.appointments() == [], chat.dump()
    assert reply.strip() and chat.state["offline"]["step"] != "confirming_booking"

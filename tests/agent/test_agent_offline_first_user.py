"""Regressions from a first-time user's session with the offline Spanish engine (no LLM), against
the real write side, projections and availability (SQLite, frozen clock).

Two clocks: the default one (Wed 14 Jan 2026 12:00 Mexico City) and, for the reported session,
Sun 29 Nov 2026 11:00 Mexico City (``nov_world``: "mañana" is Mon 30 Nov, Tue 1 Dec is "pasado
mañana", and the 30-day booking horizon ends on Tue 29 Dec).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agent_support import AgentWorld
from commands import Actor
from commands.definitions import AddService, ChangeOrganizationStatus, UpdateLocation

MX = ZoneInfo("America/Mexico_City")
JUAN = "+525599990001"
OTHER = "+525599990002"
SEED = Actor.system("test")


@pytest.fixture
def nov_world(tmp_path, clock):
    clock.set(datetime(2026, 11, 29, 11, 0, tzinfo=MX))  # a Sunday
    w = AgentWorld(tmp_path, clock)
    yield w
    w.close()


def local_start(row: dict) -> datetime:
    return row["scheduled_start"].astimezone(MX)


def book_tuesday_at_10(world) -> None:
    chat = world.chat(JUAN)
    chat.say("quiero un corte el martes 1 de diciembre a las 10")
    chat.say("Juan Pérez")
    rows = world.appointments(JUAN, status="confirmed")
    assert len(rows) == 1 and local_start(rows[0]) == datetime(2026, 12, 1, 10, 0, tzinfo=MX)


def bullets(reply: str) -> list[str]:
    return [line[2:] for line in reply.splitlines() if line.startswith("• ")]


# ---- 1. a new time without a date keeps the appointment's own day ---------------------------------


def test_new_time_only_keeps_the_appointments_day(nov_world):
    book_tuesday_at_10(nov_world)
    chat = nov_world.chat(JUAN)
    moved = chat.say("me puedes cambiar la hora? mejor a las 5")
    # The understood date and time are repeated in full (not "mañana", which is Monday).
    assert moved == "Listo, cambié tu cita para el martes 1 de diciembre a las 5:00 PM. ¿Todo bien?"
    rows = nov_world.appointments(JUAN, status="confirmed")
    assert len(rows) == 1
    assert local_start(rows[0]) == datetime(2026, 12, 1, 17, 0, tzinfo=MX)
    assert rows[0]["reschedule_count"] == 1


def test_new_time_in_a_second_message_keeps_the_appointments_day(nov_world):
    book_tuesday_at_10(nov_world)
    chat = nov_world.chat(JUAN)
    ask = chat.say("me puedes cambiar la hora?")
    assert "¿Para cuándo te gustaría cambiarla?" in ask
    moved = chat.say("a las 5")
    assert moved == "Listo, cambié tu cita para el martes 1 de diciembre a las 5:00 PM. ¿Todo bien?"
    assert local_start(nov_world.appointments(JUAN, status="confirmed")[0]) == datetime(2026, 12, 1, 17, 0, tzinfo=MX)


def test_new_time_taken_on_the_appointments_day_offers_that_day(nov_world):
    book_tuesday_at_10(nov_world)
    for phone, name in (("+525577770001", "Ana"), ("+525577770002", "Beto")):  # both barbers busy at 5
        other = nov_world.chat(phone)
        other.say("corte el martes 1 de diciembre a las 5")
        other.say(name)
    chat = nov_world.chat(JUAN)
    reply = chat.say("me puedes cambiar la hora? mejor a las 5")
    assert reply.startswith("Pasado mañana martes a las 5:00 PM ya no tengo espacio.")
    assert "Lo más cercano que tengo pasado mañana martes" in reply
    assert bullets(reply) and "5:00 PM" not in bullets(reply)
    # Nothing moved yet.
    assert local_start(nov_world.appointments(JUAN, status="confirmed")[0]) == datetime(2026, 12, 1, 10, 0, tzinfo=MX)


def test_part_of_day_only_keeps_the_appointments_day(nov_world):
    book_tuesday_at_10(nov_world)
    chat = nov_world.chat(JUAN)
    offer = chat.say("quiero cambiar mi cita para la tarde")
    assert offer.startswith("Pasado mañana martes tengo disponibles estos horarios")
    assert bullets(offer) and all(b.endswith("PM") for b in bullets(offer))


def test_spec_example_2_pick_still_names_the_day_briefly(world):
    """Offered times for a day, then a time: the short day, as in the spec's example 2."""
    chat = world.chat(JUAN)
    chat.say("corte mañana a las 4")
    chat.say("Juan Pérez")
    chat.say("necesito cambiar mi cita")
    chat.say("para el sábado")
    assert chat.say("11:30") == "Listo, cambié tu cita para el sábado a las 11:30 AM. ¿Todo bien?"


# ---- 2. "¿Todo bien?" is not repeated once the customer moves on ---------------------------------


def test_todo_bien_is_dropped_when_the_customer_moves_on(nov_world):
    book_tuesday_at_10(nov_world)
    chat = nov_world.chat(JUAN)
    chat.say("me puedes cambiar la hora? mejor a las 5")
    listing = chat.say("qué citas tengo")
    assert "martes 1 de diciembre a las 5:00 PM" in listing
    assert "¿Todo bien" not in listing
    price = chat.say("y cuánto es?")
    assert "$150" in price and "¿Todo bien" not in price
    assert chat.state["offline"]["flow"] is None
    assert chat.say("gracias").startswith("¡Excelente! Nos vemos")


# ---- 3. the reminder promise matches the reminder job ----------------------------------------------


def test_reminder_promised_only_more_than_a_day_ahead(world):
    far = world.chat(JUAN)
    far.say("corte mañana a las 4")  # 28 hours ahead
    done = far.say("Juan Pérez")
    assert done.endswith("Te mandaré un recordatorio un día antes. ¡Nos vemos!")
    assert "Te enviaré" not in done

    soon = world.chat(OTHER)
    soon.say("corte hoy a las 5")  # 5 hours ahead: the reminder job has no "day before" to use
    done = soon.say("Luis")
    assert "recordatorio" not in done
    assert done.endswith("¡Nos vemos!")


def test_reminder_not_promised_just_under_a_day_ahead(world):
    chat = world.chat(JUAN)
    chat.say("corte mañana a las 11")  # 23 hours ahead
    assert "recordatorio" not in chat.say("Juan")


# ---- 4. handoff replies: no follow-up question, natural wording ------------------------------------


def test_handoff_for_an_unoffered_service_asks_nothing_more(world):
    chat = world.chat(JUAN)
    chat.say("hacen tintes?")
    first, second = chat.last.replies
    assert "déjame pasarle tu mensaje a Carlos, el dueño" in first
    assert second == "Ya le avisé a Carlos; te escribirá pronto por aquí."
    assert all("¿Hay algo más" not in r for r in chat.last.replies)
    assert chat.last.handoff_reason


def test_handoff_on_request_asks_nothing_more(world):
    chat = world.chat(JUAN)
    reply = chat.say("quiero hablar con el dueño")
    assert "Carlos" in reply and "?" not in reply
    assert chat.last.handoff_reason


# ---- 5. neutral greeting ------------------------------------------------------------------------


def test_greeting_is_gender_neutral(world):
    hello = world.chat(JUAN).say("hola")
    assert hello == "¡Hola! Te damos la bienvenida a Barbería Don Carlos. ¿En qué te puedo ayudar?"
    assert "Bienvenid" not in hello


# ---- 6. the real reason when there is nothing to offer ----------------------------------------


def test_date_beyond_the_horizon_says_so_and_offers_the_nearest_days(nov_world):
    chat = nov_world.chat(JUAN)
    reply = chat.say("quiero un corte el 15 de enero")
    assert reply.startswith("Por ahora solo agendo hasta el martes 29 de diciembre; ¿te late algún día antes?")
    assert "no tengo espacio" not in reply
    offered = bullets(reply)
    assert offered and all(b.startswith(("lunes 28 de diciembre", "martes 29 de diciembre")) for b in offered)
    booked = chat.say("la 1")
    assert "te agendé tu corte de cabello" in booked
    row = nov_world.appointments(JUAN)[0]
    assert local_start(row).date().isoformat() == "2026-12-28"


def test_service_nobody_performs_offers_a_handoff(world):
    world.app.execute(
        AddService(actor=SEED, cause="test", organization_id=world.org_id, service_id=uuid.uuid4(),
                   name="Afeitado clásico", description="", duration_minutes=30, price_cents=12000)
    )
    world.catch_up()
    chat = world.chat(JUAN)
    reply = chat.say("quiero un afeitado clásico mañana")
    assert "nadie del equipo ofrece afeitado clásico" in reply
    assert "espacio" not in reply
    assert chat.last.handoff_reason is None
    done = chat.say("sí porfa")
    assert "Ya le avisé a Carlos" in done
    assert chat.last.handoff_reason and "afeitado clásico" in chat.last.handoff_reason
    assert world.appointments() == []


def test_suspended_business_says_bookings_are_paused(world):
    world.app.execute(
        ChangeOrganizationStatus(actor=SEED, cause="test", organization_id=world.org_id, status="suspended")
    )
    world.catch_up()
    chat = world.chat(JUAN)
    reply = chat.say("quiero un corte mañana en la tarde")
    assert "en pausa" in reply and "¿Quieres que le pase tu mensaje a Carlos?" in reply
    assert "espacio" not in reply
    chat.say("si")
    assert chat.last.handoff_reason and "pausa" in chat.last.handoff_reason


class _BrokenAvailability:
    def find_slots(self, *args, **kwargs):
        raise ValueError("No encontré ese negocio.")


def test_availability_failure_does_not_claim_no_room(world):
    agent = world.make_agent()
    agent.availability = _BrokenAvailability()
    chat = world.chat(JUAN, agent=agent)
    reply = chat.say("quiero un corte mañana")
    assert "no puedo revisar la agenda" in reply and "Carlos" in reply
    assert "espacio" not in reply


def test_no_room_in_the_coming_days_offer_can_be_accepted(world):
    """"¿Quieres que le pase tu mensaje a Carlos?" then "sí": the handoff happens."""
    agent = world.make_agent()

    class _Empty:
        def find_slots(self, *args, **kwargs):
            return []

    agent.availability = _Empty()
    chat = world.chat(JUAN, agent=agent)
    reply = chat.say("quiero un corte mañana")
    assert "¿Quieres que le pase tu mensaje a Carlos para ver opciones?" in reply
    chat.say("sí")
    assert chat.last.handoff_reason


# ---- 7. hours for the day asked about -------------------------------------------------------------


def test_hours_for_a_named_closed_day(world):
    reply = world.chat(JUAN).say("a q hora abren el domingo?")
    assert reply.startswith(
        "El domingo no abrimos. De lunes a viernes abrimos de 10:00 AM a 8:00 PM y el sábado de 10:00 AM a 6:00 PM."
    )


def test_hours_for_a_named_open_day(world):
    reply = world.chat(JUAN).say("a que hora cierran el sabado?")
    assert reply.startswith("El sábado abrimos de 10:00 AM a 6:00 PM.")


def test_hours_without_a_day_still_lists_the_week(world):
    reply = world.chat(JUAN).say("que horario tienen?")
    assert "Lunes a viernes: 10:00 AM a 8:00 PM" in reply and "Domingo: cerrado" in reply


# ---- 8. a name said while another question is open is remembered --------------------------------


def test_name_said_while_choosing_the_service_is_remembered(world):
    chat = world.chat(JUAN)
    chat.say("quiero una cita")
    reply = chat.say("me llamo Pedro")
    assert reply.startswith("¡Mucho gusto, Pedro!")
    assert "¿Qué servicio te gustaría?" in reply
    customer = world.customer(JUAN)
    assert customer["name"] == "Pedro" and customer["name_verified_at"] is not None
    chat.say("corte")
    done = chat.say("mañana a las 5")
    assert "nombre" not in done
    assert done.startswith("¡Perfecto, Pedro! Tu cita está confirmada:")
    assert len(world.appointments(JUAN)) == 1


def test_name_and_request_in_one_message(world):
    chat = world.chat(JUAN)
    done = chat.say("hola, me llamo Pedro y quiero un corte mañana a las 5")
    assert done.startswith("¡Perfecto, Pedro! Tu cita está confirmada:")
    assert world.customer(JUAN)["name"] == "Pedro"


def test_name_said_with_a_greeting(world):
    reply = world.chat(JUAN).say("hola, me llamo Pedro")
    assert reply.startswith("¡Hola, Pedro! Mucho gusto.") and "Te damos la bienvenida" in reply


# ---- 9. a date that does not exist ----------------------------------------------------------------


def test_a_date_that_does_not_exist(world):
    chat = world.chat(JUAN)
    reply = chat.say("quiero un corte el 31 de febrero")
    assert "El 31 de febrero no existe" in reply and "¿Qué otro día" in reply
    assert world.appointments() == []
    offer = chat.say("el viernes")
    assert "viernes" in offer and bullets(offer)


def test_a_date_that_does_not_exist_with_a_time_books_nothing(world):
    chat = world.chat(JUAN)
    chat.say("quiero un corte")
    reply = chat.say("el 30 de febrero a las 5")
    assert "El 30 de febrero no existe" in reply
    assert world.appointments() == []


# ---- 10. where the business is ------------------------------------------------------------------


def test_where_are_you_with_an_address(world):
    location = world.reads.list_locations(world.org_id)[0]
    world.app.execute(
        UpdateLocation(actor=SEED, cause="test", organization_id=world.org_id, location_id=location["id"],
                       address="Av. Juárez 123, Col. Centro, CDMX")
    )
    world.catch_up()
    reply = world.chat(JUAN).say("dónde están?")
    assert "Centro" in reply and "Av. Juárez 123, Col. Centro, CDMX" in reply


def test_where_are_you_without_an_address_offers_the_owner(world):
    chat = world.chat(JUAN)
    reply = chat.say("dirección")
    assert "Centro" in reply and "Carlos" in reply
    assert chat.last.handoff_reason is None
    chat.say("sí")
    assert chat.last.handoff_reason and "dirección" in chat.last.handoff_reason

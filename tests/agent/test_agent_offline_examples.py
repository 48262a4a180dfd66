"""The spec's example conversations 1-3 on the offline engine (no LLM), against the real write
side, projections and availability (SQLite, frozen clock: Wed 14 Jan 2026 12:00 Mexico City,
so "mañana" is Thursday 15 Jan 2026; the spec's examples say "viernes" for a different year)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

MX = ZoneInfo("America/Mexico_City")
JUAN = "+525599990001"


def local_start(row: dict) -> datetime:
    return row["scheduled_start"].astimezone(MX)


def book_juan_tomorrow_at_4(world) -> None:
    chat = world.chat(JUAN)
    chat.say("Hola buenas tardes")
    chat.say("Quiero una cita para un corte")
    chat.say("Mañana en la tarde")
    chat.say("A las 4")
    chat.say("Juan Pérez")


def test_example_1_simple_booking(world):
    chat = world.chat(JUAN)
    hello = chat.say("Hola buenas tardes")
    assert hello == "¡Hola! Te damos la bienvenida a Barbería Don Carlos. ¿En qué te puedo ayudar?"

    ask_day = chat.say("Quiero una cita para un corte")
    assert "¿Para qué día" in ask_day and "corte" in ask_day

    offer = chat.say("Mañana en la tarde")
    assert offer.startswith("Perfecto. Mañana jueves tengo disponibles estos horarios para corte de cabello ($150):")
    bullets = [line for line in offer.splitlines() if line.startswith("• ")]
    assert 3 <= len(bullets) <= 5
    assert all(line.endswith("PM") for line in bullets)
    assert offer.rstrip().endswith("¿Cuál te funciona mejor?")

    booked = chat.say("A las 4")
    assert "Listo, te agendé tu corte de cabello para mañana jueves a las 4:00 PM." in booked
    assert "¿Me confirmas tu nombre para la cita?" in booked

    confirmed = chat.say("Juan Pérez")
    assert confirmed.startswith("¡Perfecto, Juan! Tu cita está confirmada:")
    assert "📅 Jueves 15 de enero" in confirmed
    assert "⏰ 4:00 PM" in confirmed
    assert "💇 Corte de cabello - $150" in confirmed

    bye = chat.say("Gracias")
    assert bye.startswith("¡Con gusto!") and "👋" in bye

    rows = world.appointments(JUAN)
    assert len(rows) == 1
    assert local_start(rows[0]) == datetime(2026, 1, 15, 16, 0, tzinfo=MX)
    assert rows[0]["status"] == "confirmed" and rows[0]["price_cents"] == 15000
    customer = world.customer(JUAN)
    assert customer["name"] == "Juan Pérez" and customer["name_verified_at"] is not None
    assert all(o.handoff_reason is None for o in chat.outcomes)
    assert chat.state["offline"]["flow"] is None


def test_example_2_rescheduling(world):
    book_juan_tomorrow_at_4(world)
    chat = world.chat(JUAN)  # a new conversation the next time
    seen = chat.say("Hola, necesito cambiar mi cita de mañana")
    assert seen.startswith("Hola Juan, claro que sí.")
    assert "corte de cabello mañana jueves a las 4:00 PM" in seen
    assert "¿Para cuándo te gustaría cambiarla?" in seen

    offer = chat.say("Para el sábado si hay espacio")
    assert "sábado" in offer.lower() and "• " in offer
    bullets = [line for line in offer.splitlines() if line.startswith("• ")]
    assert 3 <= len(bullets) <= 5

    moved = chat.say("11:30")
    assert moved == "Listo, cambié tu cita para el sábado a las 11:30 AM. ¿Todo bien?"

    done = chat.say("Sí perfecto gracias")
    assert done == "¡Excelente! Nos vemos el sábado, Juan. 👍"

    rows = world.appointments(JUAN, status="confirmed")
    assert len(rows) == 1
    assert local_start(rows[0]) == datetime(2026, 1, 17, 11, 30, tzinfo=MX)
    assert rows[0]["reschedule_count"] == 1


def test_example_3_handoff_for_a_service_not_offered(world):
    chat = world.chat("+525599990003")
    chat.say("Oye quiero saber si hacen tintes para hombre")
    first, second = chat.last.replies
    assert first.startswith("Actualmente los servicios que tenemos son")
    assert "corte de cabello" in first and "arreglo de barba" in first
    assert "déjame pasarle tu mensaje a Carlos, el dueño" in first and "deja que" not in first
    # Handed off: the agent stays quiet until the owner resolves it, so it asks nothing more.
    assert second == "Ya le avisé a Carlos; te escribirá pronto por aquí."
    assert chat.last.handoff_reason and "tintes" in chat.last.handoff_reason
    assert world.appointments() == []


def test_returning_customer_is_not_asked_for_the_name_again(world):
    book_juan_tomorrow_at_4(world)
    chat = world.chat(JUAN)
    chat.say("hola")
    chat.say("quiero agendar un arreglo de barba el sábado")
    done = chat.say("la 1")
    assert "¿Me confirmas tu nombre" not in done
    assert done.startswith("¡Perfecto, Juan! Tu cita está confirmada:")
    assert "💇 Arreglo de barba - $100" in done
    assert len(world.appointments(JUAN, status="confirmed")) == 2


def test_abandoned_flow_resumes_where_it_stopped(world, clock):
    chat = world.chat(JUAN)
    chat.say("quiero un corte")
    chat.say("mañana")
    assert chat.state["offline"]["step"] == "collecting_datetime"
    clock.advance(minutes=45)
    back = chat.say("hola")
    assert back.startswith("¡Qué gusto verte de nuevo! Seguíamos con tu cita de corte de cabello.")
    assert "• " in back  # the offered times again
    assert chat.state["offline"]["status"] == "active"
    booked = chat.say("la segunda")
    assert "te agendé tu corte de cabello" in booked
    assert len(world.appointments(JUAN)) == 1


def test_abandoned_flow_resumes_with_the_answer_itself(world, clock):
    chat = world.chat(JUAN)
    chat.say("quiero un corte")
    clock.advance(hours=2)
    back = chat.say("el viernes en la mañana")
    assert back.startswith("¡Qué gusto verte de nuevo! Seguíamos con tu cita de corte de cabello.")
    assert "viernes" in back and "AM" in back


def test_cancel_flow(world):
    book_juan_tomorrow_at_4(world)
    chat = world.chat(JUAN)
    ask = chat.say("quiero cancelar mi cita")
    assert ask.startswith("¿Confirmas que quieres cancelar tu cita de corte de cabello del jueves 15 de enero a las 4:00 PM?")
    done = chat.say("sí")
    assert done.startswith("Listo, cancelé tu cita de corte de cabello")
    assert world.appointments(JUAN)[0]["status"] == "cancelled"


def test_cancel_can_be_declined(world):
    book_juan_tomorrow_at_4(world)
    chat = world.chat(JUAN)
    chat.say("cancela mi cita porfa")
    kept = chat.say("no, mejor no")
    assert "sigue en pie" in kept
    assert world.appointments(JUAN)[0]["status"] == "confirmed"


def test_which_appointments_do_i_have(world):
    chat = world.chat(JUAN)
    assert "No tienes citas próximas" in chat.say("qué citas tengo?")
    book_juan_tomorrow_at_4(world)
    listing = world.chat(JUAN).say("que citas tengo")
    assert "Corte de cabello - jueves 15 de enero a las 4:00 PM ($150)" in listing


def test_prices_and_hours(world):
    chat = world.chat(JUAN)
    prices = chat.say("cuanto cuesta el corte?")
    assert "$150" in prices
    menu = chat.say("que servicios tienen y precios")
    assert "Corte de cabello - $150 (30 min)" in menu and "Arreglo de barba - $100 (20 min)" in menu
    hours = chat.say("a que hora abren?")
    assert "10:00 AM a 8:00 PM" in hours and "Domingo: cerrado" in hours


def test_asking_for_a_person_hands_off(world):
    chat = world.chat(JUAN)
    reply = chat.say("quiero hablar con alguien")
    assert "Carlos" in reply
    assert chat.last.handoff_reason


def test_three_misunderstandings_hand_off(world):
    chat = world.chat(JUAN)
    first = chat.say("asdf qwerty")
    assert "no te entendí" in first.lower() and "Agendar una cita" in first
    chat.say("zzz ñññ")
    assert chat.last.handoff_reason is None
    last = chat.say("blablabla")
    assert chat.last.handoff_reason
    assert "Carlos" in last


def test_busy_time_offers_the_nearest(world):
    book_juan_tomorrow_at_4(world)
    # Both barbers busy at 4 tomorrow: book Miguel too.
    other = world.chat("+525599990004")
    other.say("corte mañana a las 4")
    other.say("Pedro")
    third = world.chat("+525599990005")
    reply = third.say("quiero un corte mañana a las 4")
    assert "a las 4:00 PM ya no tengo espacio" in reply.lower() or "4:00 PM ya no tengo espacio" in reply
    bullets = [line[2:] for line in reply.splitlines() if line.startswith("• ")]
    assert bullets and "4:00 PM" not in bullets
    assert any(b in bullets for b in ("3:30 PM", "4:30 PM"))


def test_offered_slots_are_always_real(world):
    """Every time offered is one the AvailabilityService returns for that day."""
    chat = world.chat(JUAN)
    chat.say("quiero un corte")
    reply = chat.say("el sábado")
    sat = datetime(2026, 1, 17, tzinfo=MX).date()
    real = {
        s.start.astimezone(MX).strftime("%I:%M %p").lstrip("0")
        for s in world.availability.find_slots(world.org_id, world.service_id("Corte de cabello"), sat, sat, now=world.clock())
    }
    bullets = [line[2:] for line in reply.splitlines() if line.startswith("• ")]
    assert bullets and set(bullets) <= real


def test_sunday_is_closed(world):
    chat = world.chat(JUAN)
    reply = chat.say("quiero un corte el domingo")
    assert "no abrimos" in reply.lower()
    assert "• " in reply  # the nearest open day is offered instead
    assert "lunes" in reply.lower()


def test_unknown_name_answer_asks_again(world):
    chat = world.chat(JUAN)
    chat.say("corte mañana a las 11")
    again = chat.say("???")
    assert "nombre" in again.lower()
    done = chat.say("me llamo Ana López")
    assert "¡Perfecto, Ana!" in done


def test_staff_preference_is_honoured(world):
    chat = world.chat(JUAN)
    chat.say("quiero un corte con Miguel mañana a las 12")
    chat.say("Luis")
    rows = world.appointments(JUAN)
    assert len(rows) == 1 and rows[0]["staff_name"] == "Miguel Sánchez"


def test_history_times_are_business_local(world):
    chat = world.chat(JUAN)
    chat.say("corte hoy a las 5 de la tarde")
    chat.say("Juan")
    row = world.appointments(JUAN)[0]
    assert local_start(row) == datetime(2026, 1, 14, 17, 0, tzinfo=MX)
    assert row["scheduled_start"].utcoffset() == timedelta(0)


def test_yes_after_a_booking_offer_starts_a_booking(world):
    chat = world.chat(JUAN)
    chat.say("cuanto cuesta la barba")
    assert chat.say("si").startswith("¡Claro! ¿Para qué día te gustaría agendar tu arreglo de barba?")


def test_two_appointments_pick_which_one_to_cancel(world):
    chat = world.chat(JUAN)
    chat.say("corte mañana a las 4")
    chat.say("Juan")
    chat.say("y también una barba el sábado a las 12")
    ask = chat.say("quiero cancelar")
    assert "1. Corte de cabello - jueves 15 de enero a las 4:00 PM" in ask
    assert "2. Arreglo de barba - sábado 17 de enero a las 12:00 PM" in ask
    assert "arreglo de barba del sábado 17 de enero" in chat.say("la del sabado")
    chat.say("si")
    statuses = {r["service_name"]: r["status"] for r in world.appointments(JUAN)}
    assert statuses == {"Corte de cabello": "confirmed", "Arreglo de barba": "cancelled"}


def test_abandoned_modify_flow_resumes(world, clock):
    book_juan_tomorrow_at_4(world)
    chat = world.chat(JUAN)
    chat.say("necesito cambiar mi cita")
    chat.say("para el viernes en la tarde")
    clock.advance(minutes=31)
    back = chat.say("ya regresé")
    assert back.startswith("¡Qué gusto verte de nuevo! Seguíamos con el cambio de tu cita.")
    assert chat.say("la 1").startswith("Listo, cambié tu cita para pasado mañana")


def test_bare_number_that_could_be_an_hour_is_clarified(world):
    chat = world.chat(JUAN)
    chat.say("corte mañana")
    ask = chat.say("4")
    assert ask.startswith("¿Te refieres a la opción 4 (")
    assert world.appointments() == []
    assert "4:00 PM" in chat.say("a las 4")


def test_a_flow_left_for_days_is_forgotten(world, clock):
    chat = world.chat(JUAN)
    chat.say("quiero un corte")
    chat.say("hoy")
    clock.advance(days=2)
    reply = chat.say("hola")
    assert "Seguíamos" not in reply and "Te damos la bienvenida" in reply
    assert chat.state["offline"]["flow"] is None

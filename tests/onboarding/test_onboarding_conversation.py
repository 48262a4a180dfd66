"""The onboarding conversation through the signed webhook: any order, one at a time,
suggestions, corrections at any step, the team, and abandon-and-resume after 30 minutes."""

from __future__ import annotations

from commands.onboarding import get_onboarding
from test_onboarding_e2e import NEW_OWNER, NEW_OWNER_E164, say
from wa_support import Stack


def data(stack: Stack) -> dict:
    return get_onboarding(stack.app, NEW_OWNER_E164)["data"]


def test_services_one_at_a_time_with_a_correction_mid_flow(stack: Stack) -> None:
    say(stack, "Hola")
    say(stack, "Se llama Uñas Bonitas")
    assert data(stack)["business_name"] == "Uñas Bonitas" and data(stack)["business_type"] == "nail_salon"
    assert "¿Algún otro servicio?" in say(stack, "Manicure $200 45 min")
    assert "¿Cuánto cuesta Pedicure?" in say(stack, "pedicure")
    reply = say(stack, "$250")
    assert "¿Cuánto dura Pedicure?" in reply
    say(stack, "1 hora")
    # when: a correction while we are asking for the hours
    reply = say(stack, "no, el manicure cuesta 180")
    assert "Manicure: $180" in reply
    services = {s["name"]: s for s in data(stack)["services"]}
    assert services["Manicure"] == {"name": "Manicure", "price_cents": 18000, "duration_minutes": 45}
    assert services["Pedicure"] == {"name": "Pedicure", "price_cents": 25000, "duration_minutes": 60}
    # then: nothing else was lost and the flow goes on where it was
    assert "horario" in reply.lower()


def test_everything_in_one_message_then_team_and_a_correction_at_the_summary(stack: Stack) -> None:
    say(stack, "Hola! Mi negocio se llama Barber King, es una barbería. Me llamo Luis Ramírez")
    assert data(stack)["business_name"] == "Barber King" and data(stack)["owner_name"] == "Luis Ramírez"
    say(stack, "corte $150 media hora y barba $100 20 min")
    say(stack, "lunes a viernes de 9 a 7 y sábado de 9 a 3")
    reply = say(stack, "Miguel 55 2222 3333, Ana 55 3333 4444")
    assert "dirección" in reply.lower()
    assert [m["name"] for m in data(stack)["team"]] == ["Miguel", "Ana"]
    summary = say(stack, "no")
    assert "Lunes a viernes: 9:00 AM a 7:00 PM" in summary and "Sábado: 9:00 AM a 3:00 PM" in summary
    assert "Equipo: Miguel (+52 55 2222 3333), Ana (+52 55 3333 4444)" in summary
    fixed = say(stack, "no, el corte cuesta 180")
    assert "Corte: $180, 30 min" in fixed and "¿Está todo bien?" in fixed
    live = say(stack, "sí, así está bien")
    assert "ya está en línea" in live
    onboarding = get_onboarding(stack.app, NEW_OWNER_E164)
    org_id = onboarding["organization_id"]
    stack.settle()
    for phone, level in (("+525522223333", "staff"), ("+525533334444", "staff"), (NEW_OWNER_E164, "owner")):
        staff = stack.app.staff_for_phone(org_id, phone)
        assert staff is not None and staff["permission_level"] == level, phone


def test_unsure_owner_gets_typical_services_for_the_type(stack: Stack) -> None:
    say(stack, "Hola")
    say(stack, "Barbería Los Compas")
    reply = say(stack, "no sé, ¿qué me sugieres?")
    assert "Corte de cabello: $150, 30 min" in reply and "¿Te los dejo así?" in reply
    reply = say(stack, "sí")
    assert "horario" in reply.lower()
    assert [s["name"] for s in data(stack)["services"]] == ["Corte de cabello", "Arreglo de barba", "Corte y barba"]


def test_abandoned_after_30_minutes_resumes_where_it_stopped_with_a_recap(stack: Stack) -> None:
    say(stack, "Hola")
    say(stack, "Barbería El Güero")
    say(stack, "corte $150 media hora, barba $100 20 min")
    stack.clock.advance(minutes=31)
    reply = say(stack, "perdón, me distraje")
    assert reply.startswith("¡Qué gusto verte de nuevo!")
    assert "Barbería El Güero" in reply and "Corte: $150, 30 min" in reply
    assert "horario" in reply.lower()  # the question where it stopped, not from the start
    events = [e["type"] for e in stack.app.event_history(get_onboarding(stack.app, NEW_OWNER_E164)["id"])]
    assert events.count("Abandoned") == 1 and events.index("Abandoned") + 1 == events.index("Resumed")
    # and a message within 30 minutes is no resume
    stack.clock.advance(minutes=10)
    assert not say(stack, "de lunes a sábado de 10 a 8").startswith("¡Qué gusto")
    assert data(stack)["hours"]["sat"] == [["10:00", "20:00"]] and data(stack)["hours"]["sun"] == []

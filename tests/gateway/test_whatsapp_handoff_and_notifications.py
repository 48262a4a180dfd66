"""Handoff to the owner, and the team's notifications for appointment changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from commands import Actor
from commands.definitions import BookAppointment, CancelAppointment, ResolveHandoff, RescheduleAppointment
from wa_support import CUSTOMER, CUSTOMER_E164, OWNER, STAFF, Stack

MX = ZoneInfo("America/Mexico_City")


def test_handoff_notifies_the_owner_and_the_agent_stays_quiet_until_resolved(stack: Stack) -> None:
    org = stack.demo.organization_id
    stack.send("Hola", phone=OWNER)  # the owner wrote today: inside the 24-hour window
    stack.send("Oye, ¿hacen tintes para hombre?")
    stack.settle()
    customer_turn = stack.outcomes[-1]
    assert customer_turn["outcome"] == "handoff"
    state = stack.app.conversation_state(org, CUSTOMER_E164)
    assert state["handed_off"] is True
    notice = stack.replies_to(OWNER)[-1]["body"]
    assert "+52 55 9999 8888" in notice and "tintes para hombre" in notice and "listo 525599998888" in notice
    customer_replies = len(stack.replies_to(CUSTOMER))
    assert customer_replies >= 1  # the agent told the customer the owner will contact them
    conv = stack.container.conversation_reads.get_conversation_by_phone(org, CUSTOMER_E164)
    assert conv["status"] == "handed_off"

    owner_before = len(stack.replies_to(OWNER))
    stack.send("¿Siguen ahí?")
    stack.settle()
    # The agent's flow stays quiet: one short holding reply, and the owner sees the message (issue #8).
    held = stack.replies_to(CUSTOMER)[customer_replies:]
    assert len(held) == 1 and "equipo" in held[0]["body"]
    assert stack.outcomes[-1]["outcome"] == "handed_off"
    assert "¿Siguen ahí?" in stack.replies_to(OWNER)[owner_before]["body"]
    customer_replies += 1

    stack.send("listo", phone=OWNER)  # the owner, by WhatsApp
    stack.settle()
    assert "Vuelvo a atender" in stack.replies_to(OWNER)[-1]["body"]
    assert stack.app.conversation_state(org, CUSTOMER_E164)["handed_off"] is False
    stack.send("Quiero un corte")
    stack.settle()
    assert len(stack.replies_to(CUSTOMER)) > customer_replies


def test_handoff_notice_outside_the_window_uses_the_handoff_template(stack: Stack) -> None:
    stack.wa.dispatcher.templates["handoff"] = "HX" + "c" * 32
    stack.send("¿Hacen tintes para hombre?")
    stack.settle()
    notice = stack.replies_to(OWNER)[-1]
    assert notice["content_sid"] == "HX" + "c" * 32
    assert notice["content_variables"]["1"] == "+52 55 9999 8888"
    assert "tintes" in notice["content_variables"]["2"]
    # Resolved through the command (what the REST API calls).
    stack.app.execute(ResolveHandoff(actor=Actor.staff(stack.demo.staff_ids["Carlos Mendoza"]), cause="t", organization_id=stack.demo.organization_id, customer_phone=CUSTOMER))
    assert stack.app.conversation_state(stack.demo.organization_id, CUSTOMER_E164)["handed_off"] is False


def _next_weekday_at(stack: Stack, weekday: int, hour: int) -> datetime:
    today = stack.clock().astimezone(MX).date()
    days = (weekday - today.weekday()) % 7 or 7
    day = today + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=MX)


def test_owner_and_staff_are_notified_once_of_new_moved_and_cancelled_appointments(stack: Stack) -> None:
    app, org = stack.app, stack.demo.organization_id
    stack.wa.dispatcher.templates["notification"] = "HX" + "d" * 32  # owner and staff are outside the window
    start = _next_weekday_at(stack, 4, 16)  # a Friday, 4:00 PM
    booked = app.execute(
        BookAppointment(
            actor=Actor.customer(CUSTOMER_E164), cause="t", organization_id=org, service_id=stack.demo.service_ids["Corte de cabello"],
            start=start, customer_phone=CUSTOMER_E164, customer_name="Juan Pérez", staff_id=stack.demo.staff_ids["Miguel Sánchez"],
        )
    )
    stack.settle()
    for phone in (OWNER, STAFF):
        sent = stack.replies_to(phone)
        assert len(sent) == 1
        variables = sent[0]["content_variables"]
        assert variables["1"] == "Juan Pérez" and variables["2"] == "Corte de cabello"
        assert variables["3"].startswith("viernes ") and variables["3"].endswith(", 4:00 PM")
    bodies = [m["content"] for m in stack.container.conversation_reads.list_outbound_to(org, OWNER)]
    assert bodies[0].startswith("📅 Nueva cita: Juan Pérez · Corte de cabello · viernes ") and " · con Miguel" in bodies[0]

    app.execute(RescheduleAppointment(actor=Actor.system("t"), cause="t", organization_id=org, appointment_id=booked.id, start=start + timedelta(hours=1)))
    app.execute(CancelAppointment(actor=Actor.customer(CUSTOMER_E164), cause="t", organization_id=org, appointment_id=booked.id, reason="Me surgió algo"))
    stack.settle()
    bodies = [m["content"] for m in stack.container.conversation_reads.list_outbound_to(org, OWNER)]
    assert len(bodies) == 3
    assert bodies[1].startswith("🔄 Cita cambiada: Juan Pérez") and "5:00 PM" in bodies[1] and "antes:" in bodies[1]
    assert bodies[2].startswith("❌ Cita cancelada: Juan Pérez") and "Me surgió algo" in bodies[2]
    assert len(stack.replies_to(STAFF)) == 3

    # A reaction is never replayed (issue #9: a rebuild can never send a message): refused, nothing sent.
    total = len(stack.twilio.messages)
    with pytest.raises(ValueError):
        stack.wa.reactions.rebuild("whatsapp_reactions")
    stack.settle()
    assert len(stack.twilio.messages) == total


def test_the_person_who_made_the_change_is_not_notified(stack: Stack) -> None:
    app, org = stack.app, stack.demo.organization_id
    stack.wa.dispatcher.templates["notification"] = "HX" + "e" * 32
    app.execute(
        BookAppointment(
            actor=Actor.staff(stack.demo.staff_ids["Carlos Mendoza"]), cause="t", organization_id=org,
            service_id=stack.demo.service_ids["Arreglo de barba"], start=_next_weekday_at(stack, 1, 11),
            customer_phone="+525544443333", customer_name="Pedro Gómez", staff_id=stack.demo.staff_ids["Miguel Sánchez"],
            source="manual",
        )
    )
    stack.settle()
    assert stack.replies_to(OWNER) == []
    assert len(stack.replies_to(STAFF)) == 1


def test_the_dashboard_resolves_a_handoff_through_the_api(stack: Stack) -> None:
    from gateway.auth import TokenService

    org = stack.demo.organization_id
    stack.send("¿Hacen tintes para hombre?")
    stack.settle()
    conversation_id = stack.app.conversation_state(org, CUSTOMER_E164)["id"]
    tokens = TokenService(stack.container.settings.secret_key.get_secret_value(), stack.clock)
    path = f"/api/v1/organizations/{org}/conversations/{conversation_id}/resolve-handoff"
    assert stack.client.post(path).status_code == 401
    token = tokens.issue_staff(staff_id=stack.demo.staff_ids["Carlos Mendoza"], organization_id=org, permission_level="owner")[0]
    response = stack.client.post(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert stack.app.conversation_state(org, CUSTOMER_E164)["handed_off"] is False
    again = stack.client.post(path, headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 409  # nothing to resolve any more

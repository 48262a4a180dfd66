"""An owner signs up by chat on Parlo's central number and is live (issue #11)."""

from __future__ import annotations

import re

from commands.onboarding import get_onboarding
from wa_support import OWNER, PUBLIC_BASE, Stack

NEW_OWNER = "+5215577776666"  # as WhatsApp delivers it
NEW_OWNER_E164 = "+525577776666"
CENTRAL = "+525500000000"
LINK = re.compile(re.escape(PUBLIC_BASE) + r"/login#token=([A-Za-z0-9_\-.]+)")


def say(stack: Stack, text: str, phone: str = NEW_OWNER, to: str = CENTRAL) -> str:
    before = len(stack.replies_to(phone))
    stack.send(text, phone=phone, to=to)
    stack.settle()
    replies = stack.replies_to(phone)[before:]
    assert replies, f"no reply to {text!r}"
    return "\n".join(r["body"] or "" for r in replies)


def test_an_owner_onboards_by_chat_and_a_customer_books_on_the_new_number(stack: Stack) -> None:
    script = [
        "Hola, quiero registrar mi negocio",
        "Barbería El Güero",
        "corte $150 media hora, barba $100 20 min, corte y barba $220 45 min",
        "de lunes a sábado de 10 a 8, domingo cerrado",
        "Me llamo Juan Pérez",
        "no",
        "Av. Juárez 123, Centro",
    ]
    transcript = [say(stack, line) for line in script]
    summary = transcript[-1]
    assert "Corte: $150, 30 min" in summary and "Barba: $100, 20 min" in summary and "Corte y barba: $220, 45 min" in summary
    assert "Lunes a sábado: 10:00 AM a 8:00 PM" in summary and "Domingo: cerrado" in summary
    live = say(stack, "sí")
    assert len(script) + 1 <= 12
    assert "ya está en línea" in live
    number = stack.twilio.incoming_numbers[0]["phone_number"]
    assert len(stack.twilio.incoming_numbers) == 1
    assert f"https://wa.me/{number.lstrip('+')}" in live
    sender = stack.twilio.senders[0]
    assert sender["sender_id"] == f"whatsapp:{number}" and sender["profile"]["name"] == "Barbería El Güero"
    assert sender["webhook"]["callback_url"] == PUBLIC_BASE + "/api/v1/webhooks/whatsapp"
    assert stack.twilio.incoming_numbers[0]["sms_url"] == PUBLIC_BASE + "/api/v1/webhooks/whatsapp"

    # then: the organization is active, with its services, hours and owner
    state = get_onboarding(stack.app, NEW_OWNER_E164)
    assert state["step"] == "completed"
    org = stack.app.organization_view(state["organization_id"])
    assert org["status"] == "active" and org["name"] == "Barbería El Güero" and number in org["whatsapp_numbers"]

    # and the owner's first magic link works, once
    stack.settle()
    links = [m for m in stack.replies_to(NEW_OWNER) if m["body"] and LINK.search(m["body"])]
    assert len(links) == 1
    token = LINK.search(links[0]["body"]).group(1)
    assert stack.client.post("/api/v1/auth/verify-magic-link", json={"token": token}).status_code == 200
    assert stack.client.post("/api/v1/auth/verify-magic-link", json={"token": token}).status_code == 401

    # a customer books on the new number
    customer = "+5215544443333"
    booked = say(stack, "Hola, quiero un corte mañana a las 11", phone=customer, to=number)
    assert "agend" in booked and "11:00 AM" in booked
    sent = stack.replies_to(customer)
    assert all(m["from"] == f"whatsapp:{number}" for m in sent)  # answered from the new number
    appointments = stack.container.reads.list_appointments(state["organization_id"])
    assert len(appointments) == 1 and appointments[0]["service_name"] == "Corte"


def test_someone_already_on_a_team_gets_the_team_answer_not_onboarding(stack: Stack) -> None:
    stack.settle()
    reply = say(stack, "Hola", phone=OWNER)  # the demo business's owner
    assert "Don Carlos" in reply
    assert get_onboarding(stack.app, OWNER) is None
    assert stack.outcomes[-1]["outcome"] == "team"  # case 2a: staff of one business get team mode there


def test_twilio_down_at_confirmation_tells_the_owner_and_the_next_message_finishes(stack: Stack) -> None:
    for line in ["Hola", "Barbería El Güero", "corte $150 media hora, barba $100 20 min, afeitado $120 30 min",
                 "de lunes a sábado de 10 a 8, domingo cerrado", "Juan Pérez", "no", "no"]:  # fmt: skip
        say(stack, line)
    stack.container.provisioning.wait_seconds = 0.001
    stack.twilio.fail_route("create_sender", 3, "500")
    reply = say(stack, "sí")
    assert "Sigo activando el número" in reply and "Tus datos están guardados" in reply
    assert get_onboarding(stack.app, NEW_OWNER_E164)["step"] == "provisioning_number"
    live = say(stack, "¿ya quedó?")
    assert "ya está en línea" in live
    assert len(stack.twilio.incoming_numbers) == 1 and stack.twilio.route_calls["buy"] == 1

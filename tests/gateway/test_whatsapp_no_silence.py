"""No silence, no loops, no giant bodies (issue #8), end to end through the signed webhook."""

from __future__ import annotations

from commands import Actor
from commands.messages import RegisterOrganization
from gateway.whatsapp import texts
from gateway.whatsapp.service import MAX_BODY
from infra.seed import DEMO_HOURS, DEMO_WHATSAPP
from wa_support import CUSTOMER, CUSTOMER_E164, OWNER, Stack

CENTRAL = "+525500000000"  # the central number of the test settings
OTHER_BUSINESS = "+525587650000"


def _hand_off(stack: Stack) -> int:
    stack.send("Hola", phone=OWNER)  # the owner wrote today: inside the 24-hour window
    stack.send("Oye, ¿hacen tintes para hombre?")
    stack.settle()
    assert stack.outcomes[-1]["outcome"] == "handoff"
    return len(stack.replies_to(CUSTOMER))


def test_a_handed_off_customer_gets_one_holding_reply_every_30_minutes_and_the_owner_sees_all(stack: Stack) -> None:
    # Given a conversation handed off to the owner
    before = _hand_off(stack)
    owner_before = len(stack.replies_to(OWNER))

    # When the customer writes three times within 30 minutes
    stack.send("¿Siguen ahí?")
    stack.clock.advance(minutes=10)
    stack.send("Es para el sábado")
    stack.clock.advance(minutes=19)
    stack.send("¿Me confirman?")
    stack.settle()

    # Then the customer got exactly one short holding reply (not the bot's flow) ...
    held = stack.replies_to(CUSTOMER)[before:]
    business = "Barbería Don Carlos"
    assert [m["body"] for m in held] == [texts.HANDOFF_HOLDING.format(business=business)]
    assert [o["outcome"] for o in stack.outcomes[-3:]] == ["handed_off"] * 3
    # ... and the owner saw every message
    relayed = [m["body"] for m in stack.replies_to(OWNER)[owner_before:]]
    assert len(relayed) == 3
    for text, body in zip(["¿Siguen ahí?", "Es para el sábado", "¿Me confirman?"], relayed):
        assert f"«{text}»" in body and "+52 55 9999 8888" in body and "listo 525599998888" in body

    # When 30 minutes have passed since the message that got the holding reply
    stack.clock.advance(minutes=2)
    stack.send("¿Hola?")
    stack.settle()
    # Then one more holding reply goes out
    assert len(stack.replies_to(CUSTOMER)) == before + 2

    # And once the owner resolves the handoff, the assistant answers normally again
    stack.send("listo", phone=OWNER)
    stack.settle()
    stack.send("Quiero un corte")
    stack.settle()
    assert stack.outcomes[-1]["outcome"] == "agent"
    assert texts.HANDOFF_HOLDING.format(business=business) != stack.replies_to(CUSTOMER)[-1]["body"]
    assert "handoff_hold_at" not in stack.app.conversation_state(stack.demo.organization_id, CUSTOMER_E164)["agent_state"]


def test_a_voice_note_without_text_gets_a_kind_reply(stack: Stack) -> None:
    # Given a voice note with no caption
    stack.send("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="audio/ogg", MessageType="audio")
    stack.settle()
    # Then Parlo answers that it reads text and what it can do
    replies = stack.replies_to(CUSTOMER)
    assert [m["body"] for m in replies] == [texts.MEDIA_ONLY]
    for words in ("texto", "agendar", "cambiar", "cancelar", "precios", "horarios"):
        assert words in texts.MEDIA_ONLY
    assert stack.outcomes[-1]["outcome"] == "media_only"


def test_a_photo_with_a_caption_is_answered_as_text(stack: Stack) -> None:
    # Given a photo whose caption asks for prices
    stack.send("¿Cuánto cuesta el corte?", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME2", MediaContentType0="image/jpeg")
    stack.settle()
    # Then the assistant answers the caption
    assert stack.outcomes[-1]["outcome"] == "agent"
    bodies = " ".join(m["body"] for m in stack.replies_to(CUSTOMER))
    assert texts.MEDIA_ONLY not in bodies and "$" in bodies


def test_messages_from_parlos_own_numbers_are_never_answered(stack: Stack) -> None:
    # Given a second business on Parlo
    stack.app.execute(
        RegisterOrganization(
            actor=Actor.system("tests"), cause="tests", name="Estética Lupita", whatsapp_number=OTHER_BUSINESS,
            business_type="beauty_salon", business_hours=DEMO_HOURS, activate=True,
        )
    )
    stack.settle()
    before = stack.app.recorder.max_notification_id()
    # When messages arrive from the business's own number, Parlo's central number and another business's number
    for phone, to in ((DEMO_WHATSAPP, DEMO_WHATSAPP), (CENTRAL, DEMO_WHATSAPP), (DEMO_WHATSAPP, CENTRAL), (OTHER_BUSINESS, DEMO_WHATSAPP)):
        _, response = stack.send("¡Hola! ¿En qué te ayudo?", phone=phone, to=to)
        assert response.text.endswith("<Response/>")  # Twilio still gets its 200
    stack.settle()
    # Then nothing is stored and nothing is sent: no loop can start
    assert stack.app.recorder.max_notification_id() == before
    assert stack.twilio.messages == []


def test_inbound_text_is_capped_at_whatsapps_limit(stack: Stack) -> None:
    # Given a body far longer than WhatsApp allows
    sid, _ = stack.send("Hola " + "a" * 20_000)
    stack.settle()
    # Then only the first 4,096 characters are stored, and the customer is still answered
    conv = stack.container.conversation_reads.get_conversation_by_phone(stack.demo.organization_id, CUSTOMER_E164)
    inbound = [m for m in stack.container.conversation_reads.list_messages(conv["id"]) if m["whatsapp_message_id"] == sid]
    assert MAX_BODY == 4096
    assert len(inbound[0]["content"]) == 4096
    state = stack.app.conversation_state(stack.demo.organization_id, CUSTOMER_E164)
    assert all(len(entry["text"]) <= 4096 for entry in state["history"])
    assert stack.replies_to(CUSTOMER)

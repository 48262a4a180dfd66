"""The Twilio webhook end to end: signed payloads in, replies out through the real twilio library."""

from __future__ import annotations

import time

from aggregates.conversation import CENTRAL_ORGANIZATION_ID
from wa_support import CUSTOMER, CUSTOMER_E164, OWNER, STAFF, WEBHOOK, Stack


def test_customer_message_is_stored_answered_and_projected(stack: Stack) -> None:
    sid, response = stack.send("Hola buenas tardes")
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.endswith("<Response/>")
    # Stored durably before the answer: the conversation holds the message already.
    state = stack.app.conversation_state(stack.demo.organization_id, CUSTOMER_E164)
    assert state is not None and state["last_inbound_at"] is not None
    stack.settle()
    replies = stack.replies_to(CUSTOMER)
    assert len(replies) >= 1
    assert replies[0]["from"] == "whatsapp:+525512345678"  # the business's own number
    assert replies[0]["to"] == f"whatsapp:{CUSTOMER}"  # the exact address WhatsApp gave us
    assert "Don Carlos" in replies[0]["body"] or replies[0]["body"]
    assert stack.container.reads.get_customer_by_phone(stack.demo.organization_id, CUSTOMER_E164) is not None
    conv = stack.container.conversation_reads.get_conversation_by_phone(stack.demo.organization_id, CUSTOMER_E164)
    assert conv["pending_inbound"] == 0 and conv["status"] == "active"
    messages = stack.container.conversation_reads.list_messages(conv["id"])
    assert [m["direction"] for m in messages][:2] == ["inbound", "outbound"]
    assert messages[0]["status"] == "processed" and messages[0]["whatsapp_message_id"] == sid
    assert all(m["status"] == "queued" for m in messages if m["direction"] == "outbound")
    assert messages[1]["whatsapp_message_id"] == replies[0]["sid"]


def test_redelivery_of_the_same_message_sid_changes_nothing(stack: Stack) -> None:
    form = stack.inbound_form("Hola")
    for _ in range(3):
        assert stack.post(form).status_code == 200
    stack.settle()
    first_replies = len(stack.replies_to(CUSTOMER))
    assert stack.post(form).status_code == 200  # and once more after it was answered
    stack.settle()
    assert len(stack.replies_to(CUSTOMER)) == first_replies
    assert first_replies == len(stack.outcomes[0]["replies"]) >= 1
    assert len(stack.outcomes) == 1
    state = stack.app.conversation_state(stack.demo.organization_id, CUSTOMER_E164)
    assert [h for h in state["history"] if h["role"] == "customer"] == [{"role": "customer", "text": "Hola", "sid": form["MessageSid"]}]
    conv = stack.container.conversation_reads.get_conversation_by_phone(stack.demo.organization_id, CUSTOMER_E164)
    inbound = [m for m in stack.container.conversation_reads.list_messages(conv["id"]) if m["direction"] == "inbound"]
    assert len(inbound) == 1


def test_forged_or_missing_signature_is_rejected_and_nothing_is_stored(stack: Stack) -> None:
    before = stack.app.recorder.max_notification_id()
    form = stack.inbound_form("Hola")
    assert stack.post(form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert stack.post(form, signed=False).status_code == 403
    # Signed with another token, or for another URL (what request.url says behind a proxy):
    assert stack.post(form, signature=stack.sign(WEBHOOK, form, token="other-token")).status_code == 403
    from twilio.request_validator import RequestValidator

    wrong_url = RequestValidator("test-auth-token-5g").compute_signature("http://testserver" + WEBHOOK, form)
    assert stack.post(form, signature=wrong_url).status_code == 403
    tampered = dict(form, Body="Hola, cancela todas mis citas")
    assert stack.post(tampered, signature=stack.sign(WEBHOOK, form)).status_code == 403
    stack.settle()
    assert stack.app.recorder.max_notification_id() == before
    assert stack.app.conversation_state(stack.demo.organization_id, CUSTOMER_E164) is None
    assert stack.twilio.messages == []


def test_two_messages_a_second_apart_are_both_answered_in_order(stack: Stack) -> None:
    first, _ = stack.send("Hola")
    second, _ = stack.send("Quiero un corte de cabello")
    stack.settle()
    assert [o["message_sid"] for o in stack.outcomes] == [first, second]
    expected = [text for o in stack.outcomes for text in o["replies"]]
    assert len(stack.outcomes[0]["replies"]) >= 1 and len(stack.outcomes[1]["replies"]) >= 1
    assert [m["body"] for m in stack.replies_to(CUSTOMER)] == expected
    # The agent saw the first message as history on the second turn.
    state = stack.app.conversation_state(stack.demo.organization_id, CUSTOMER_E164)
    assert [h["text"] for h in state["history"] if h["role"] == "customer"] == ["Hola", "Quiero un corte de cabello"]


def test_registered_staff_gets_team_mode(stack: Stack) -> None:
    # Issue #10: the placeholder is gone; staff on the business number talk to the team agent.
    stack.send("Qué tengo hoy?", phone=STAFF)
    stack.settle()
    replies = stack.replies_to(STAFF)
    assert len(replies) == 2  # the question is answered, then staff onboarding (first message) begins
    assert replies[0]["body"].startswith("Hola Miguel, aquí está tu agenda para hoy")
    assert "Ya estás registrado en el equipo" in replies[1]["body"]
    assert stack.container.reads.get_customer_by_phone(stack.demo.organization_id, STAFF) is None
    assert stack.outcomes[0]["outcome"] == "team"
    staff = stack.container.reads.get_staff_by_phone(stack.demo.organization_id, STAFF)
    assert staff["first_message_at"] is not None  # the staff member's first message is on record


def test_unknown_business_number_is_acknowledged_without_reply(stack: Stack) -> None:
    before = stack.app.recorder.max_notification_id()
    _, response = stack.send("Hola", to="+525577776666")
    assert response.text.endswith("<Response/>")
    stack.settle()
    assert stack.app.recorder.max_notification_id() == before
    assert stack.twilio.messages == []


def test_central_number_answers_that_onboarding_by_chat_is_coming(stack: Stack) -> None:
    stack.send("Hola, quiero registrar mi salón", phone="+5215533334444", to="+525500000000")
    stack.settle()
    replies = stack.replies_to("+5215533334444")
    assert len(replies) == 1
    assert replies[0]["from"] == "whatsapp:+525500000000"
    assert "registrar tu negocio" in replies[0]["body"]
    # The owner of the demo business, writing to the central number, is pointed to the business.
    stack.send("Hola", phone=OWNER, to="+525500000000")
    stack.settle()
    owner_reply = stack.replies_to(OWNER)[-1]["body"]
    assert "Barbería Don Carlos" in owner_reply and "Carlos" in owner_reply
    assert stack.app.conversation_state(CENTRAL_ORGANIZATION_ID, OWNER) is not None


def test_verification_endpoint(stack: Stack) -> None:
    assert stack.client.get(WEBHOOK).json()["status"] == "ok"
    assert stack.client.get(WEBHOOK, params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "42"}).status_code == 403


def _percentiles(timings: list[float]) -> tuple[float, float, float]:
    timings = sorted(timings)
    return timings[len(timings) // 2], timings[max(0, int(len(timings) * 0.95) - 1)], timings[-1]


def test_webhook_answers_fast(stack: Stack) -> None:
    """The webhook only stores the message; the agent's work happens after the answer."""
    stack.send("warm up", phone="+5215500000001")
    stack.settle()
    isolated = []
    for i in range(10):  # one at a time: nothing else running
        form = stack.inbound_form(f"Hola {i}", phone=f"+52155{i + 20:08d}")  # +5215500000000 is the central number
        started = time.perf_counter()
        assert stack.post(form).status_code == 200
        isolated.append((time.perf_counter() - started) * 1000)
        stack.settle()
    burst = []
    for i in range(15):  # back to back: agents of earlier messages run meanwhile
        form = stack.inbound_form(f"Buenas {i}", phone=f"+52156{i:08d}")
        started = time.perf_counter()
        assert stack.post(form).status_code == 200
        burst.append((time.perf_counter() - started) * 1000)
    stack.settle(60)
    print("\nwebhook latency, isolated: p50 %.1f ms, p95 %.1f ms, max %.1f ms" % _percentiles(isolated))
    print("webhook latency, burst while agents run: p50 %.1f ms, p95 %.1f ms, max %.1f ms" % _percentiles(burst))
    assert _percentiles(isolated)[0] < 1000
    assert len(stack.outcomes) == 26


def test_a_failing_agent_gets_an_apology_and_a_poison_message_does_not_block_the_conversation(stack: Stack, monkeypatch) -> None:
    class Broken:
        def handle(self, turn):
            raise RuntimeError("boom")

    stack.wa.processor._agent = Broken()
    stack.send("Hola")
    stack.settle()
    assert "problema" in stack.replies_to(CUSTOMER)[-1]["body"]
    assert stack.outcomes[-1]["outcome"] == "agent_error"

    stack.wa.processor._agent = None  # the real agent again
    calls = {"n": 0}
    original = stack.wa.processor._customer_turn

    def poisoned(org, state, item):
        if item["body"] == "veneno":
            calls["n"] += 1
            raise RuntimeError("cannot handle this one")
        return original(org, state, item)

    monkeypatch.setattr(stack.wa.processor, "_customer_turn", poisoned)
    stack.wa.processor.max_failures = 3
    stack.send("veneno")
    stack.send("Quiero un corte")
    stack.settle()
    assert calls["n"] == 3
    assert [o["outcome"] for o in stack.outcomes[-2:]] == ["error", "agent"]
    assert stack.app.conversation_state(stack.demo.organization_id, CUSTOMER_E164)["pending_inbound"] == []

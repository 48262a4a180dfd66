"""Development mode: unsigned webhooks without a token, the mock sender, the dev chat and demo page."""

from __future__ import annotations

import pytest

from wa_support import CUSTOMER, Stack, postgres_available


@pytest.fixture
def dev_stack(request):
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable")
    s = Stack(request.node.name, env="development", auth_token=None)
    s.wa.demo_number = "+525512345678"
    s.wa.demo_name = "Barbería <Don> Carlos"
    yield s
    s.close()


def test_without_token_in_development_unsigned_webhooks_are_accepted_and_mocked(dev_stack: Stack) -> None:
    stack = dev_stack
    assert type(stack.wa.sender).__name__ == "MockSender"
    form = stack.inbound_form("Hola")
    assert stack.post(form, signed=False).status_code == 200
    stack.settle()
    assert stack.twilio.messages == []  # nothing went to Twilio
    sent = stack.wa.sender.messages_to(f"whatsapp:{CUSTOMER}")
    assert len(sent) >= 1 and sent[0]["from"] == "whatsapp:+525512345678"


def test_unsigned_webhooks_are_refused_outside_development(request) -> None:
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable")
    stack = Stack(request.node.name, env="test", auth_token=None)
    try:
        before = stack.app.recorder.max_notification_id()
        assert stack.post(stack.inbound_form("Hola"), signed=False).status_code == 403
        assert stack.app.recorder.max_notification_id() == before
        # And the dev endpoints do not exist outside development.
        assert stack.client.post("/api/v1/dev/whatsapp/messages", json={"phone": CUSTOMER, "text": "Hola"}).status_code == 404
        assert stack.client.get("/demo/chat").status_code == 404
    finally:
        stack.close()


def test_dev_chat_feeds_the_same_pipeline_and_shows_the_replies(dev_stack: Stack) -> None:
    stack = dev_stack
    response = stack.client.post("/api/v1/dev/whatsapp/messages", json={"phone": CUSTOMER, "text": "Hola"})
    data = response.json()
    assert response.status_code == 200 and data["result"] == "stored" and data["outcome"] == "agent"
    assert data["replies"]
    outbox = stack.client.get("/api/v1/dev/whatsapp/outbox", params={"phone": CUSTOMER}).json()["messages"]
    assert [m["body"] for m in outbox] == data["replies"]
    later = stack.client.get("/api/v1/dev/whatsapp/outbox", params={"phone": CUSTOMER, "after": outbox[-1]["seq"]}).json()
    assert later["messages"] == []
    state = stack.app.conversation_state(stack.demo.organization_id, "+525599998888")
    assert state["pending_inbound"] == []


def test_demo_chat_page_is_served_and_escapes_its_config(dev_stack: Stack) -> None:
    page = dev_stack.client.get("/demo/chat")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "\\u003cDon>" in page.text and "<Don>" not in page.text  # no raw "<" from data inside the script
    assert "textContent" in page.text and "innerHTML" not in page.text
    assert 'name="viewport"' in page.text


def test_the_terminal_chat_never_hangs_silently_after_a_handoff(dev_stack: Stack) -> None:
    from infra.cli_demo import _quiet_note

    stack = dev_stack
    post = lambda text: stack.client.post("/api/v1/dev/whatsapp/messages", json={"phone": CUSTOMER, "text": text}).json()  # noqa: E731
    # Given a conversation the assistant handed off to the owner
    assert post("Oye, ¿hacen tintes para hombre?")["outcome"] == "handoff"
    # When the customer writes again (what `parlo chat` sends)
    first = post("¿Siguen ahí?")
    # Then the answer comes back at once with the holding reply
    assert first["outcome"] == "handed_off" and len(first["replies"]) == 1 and "equipo" in first["replies"][0]
    assert _quiet_note(first) is None
    # And a message inside the 30 minutes (no holding reply) still comes back, with a note to show
    second = post("¿Me confirman?")
    assert second["outcome"] == "handed_off" and second["replies"] == []
    assert "equipo del negocio" in _quiet_note(second)

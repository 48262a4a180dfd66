"""Magic links through the real channel (the link is rendered only when sending) and the dev
chat's clear errors for bad numbers (the real webhook keeps answering 200)."""

from __future__ import annotations

import re

import pytest

from wa_support import CUSTOMER, OWNER, PUBLIC_BASE, Stack, postgres_available

LINK = re.compile(re.escape(PUBLIC_BASE) + r"/login#token=([A-Za-z0-9_\-.]+)")


def _request_link(stack: Stack, phone: str = OWNER) -> None:
    stack.settle()  # the seeded team must be on the read side (the link request looks it up there)
    assert stack.client.post("/api/v1/auth/request-magic-link", json={"phone_number": phone}).status_code == 202
    stack.settle()


def _assert_not_stored(stack: Stack, token: str) -> None:
    ids = {n.originator_id for n in stack.app.recorder.select_notifications(1, 100_000)}
    assert token not in str([stack.app.event_history(i) for i in ids])
    org = stack.demo.organization_id
    for conversation in stack.container.conversation_reads.list_conversations(org, limit=200):
        assert token not in str(stack.container.conversation_reads.list_messages(conversation["id"], limit=1000))


@pytest.fixture
def link_stack(request):
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable")
    s = Stack(request.node.name, PARLO_TWILIO_TEMPLATES={"magic_link": "HXmagiclink"})
    s.wa.start()
    yield s
    s.close()


def test_magic_link_outside_the_window_goes_as_a_template_with_the_rendered_link(link_stack: Stack) -> None:
    stack = link_stack
    _request_link(stack)
    sent = stack.replies_to(OWNER)
    assert len(sent) == 1 and sent[0]["content_sid"] == "HXmagiclink"
    match = LINK.search(sent[0]["content_variables"]["1"])
    assert match, sent[0]
    token = match.group(1)
    _assert_not_stored(stack, token)
    assert stack.client.post("/api/v1/auth/verify-magic-link", json={"token": token}).status_code == 200
    assert stack.client.post("/api/v1/auth/verify-magic-link", json={"token": token}).status_code == 401


def test_magic_link_inside_the_window_goes_free_form_with_the_rendered_link(link_stack: Stack) -> None:
    stack = link_stack
    stack.send("Hola", phone=OWNER)  # the owner wrote today: free-form text is allowed
    stack.settle()
    before = len(stack.replies_to(OWNER))
    _request_link(stack)
    sent = stack.replies_to(OWNER)[before:]
    assert len(sent) == 1 and not sent[0]["content_sid"]
    token = LINK.search(sent[0]["body"]).group(1)
    _assert_not_stored(stack, token)
    answer = stack.client.post("/api/v1/auth/verify-magic-link", json={"token": token})
    assert answer.status_code == 200 and answer.json()["permission_level"] == "owner"


@pytest.fixture
def dev_stack(request):
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable")
    s = Stack(request.node.name, env="development", auth_token=None)
    s.wa.demo_number = "+525512345678"
    s.wa.demo_name = "Barbería Don Carlos"
    yield s
    s.close()


def test_dev_chat_refuses_bad_numbers_clearly(dev_stack: Stack) -> None:
    stack = dev_stack
    before = stack.app.recorder.max_notification_id()
    bad_phone = stack.client.post("/api/v1/dev/whatsapp/messages", json={"phone": "abc", "text": "Hola"})
    assert bad_phone.status_code == 422
    assert "número del cliente" in bad_phone.json()["detail"] and "abc" in bad_phone.json()["detail"]
    bad_to = stack.client.post("/api/v1/dev/whatsapp/messages", json={"phone": CUSTOMER, "to": "xyz", "text": "Hola"})
    assert bad_to.status_code == 422 and "número del negocio" in bad_to.json()["detail"]
    unknown = stack.client.post("/api/v1/dev/whatsapp/messages", json={"phone": CUSTOMER, "to": "+525577776666", "text": "Hola"})
    assert unknown.status_code == 404
    assert "Ningún negocio" in unknown.json()["detail"] and "+525577776666" in unknown.json()["detail"]
    assert stack.app.recorder.max_notification_id() == before  # nothing was recorded
    # the real webhook keeps acknowledging unknown numbers with 200 (Twilio must not retry)
    assert stack.post(stack.inbound_form("Hola", to="+525577776666"), signed=False).status_code == 200
    # a good message still works
    ok = stack.client.post("/api/v1/dev/whatsapp/messages", json={"phone": CUSTOMER, "text": "Hola"})
    assert ok.status_code == 200 and ok.json()["result"] == "stored"


def test_dev_outbox_accepts_an_unencoded_plus(dev_stack: Stack) -> None:
    stack = dev_stack
    stack.client.post("/api/v1/dev/whatsapp/messages", json={"phone": CUSTOMER, "text": "Hola"})
    encoded = stack.client.get(f"/api/v1/dev/whatsapp/outbox?phone=%2B{CUSTOMER[1:]}").json()["messages"]
    raw = stack.client.get(f"/api/v1/dev/whatsapp/outbox?phone=+{CUSTOMER[1:]}").json()["messages"]
    assert encoded and raw == encoded

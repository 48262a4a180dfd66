"""README: in development (no Twilio credentials) a login link requested for any team phone shows
up in the dev outbox, even when that phone has not written in the last 24 hours."""

from __future__ import annotations

import re
from datetime import timezone

from security_support import served

OWNER_PHONE = "+525511111111"


def test_the_dev_mock_sender_delivers_magic_links_outside_the_24_hour_window(security_seeded, tmp_path, clock):
    with served(security_seeded, tmp_path, clock, PARLO_ENV="development") as stack, stack.client() as client:
        assert client.post("/api/v1/auth/request-magic-link", json={"phone_number": OWNER_PHONE}).status_code == 202
        stack.sync()
        wa = stack.container.whatsapp
        pending = stack.container.conversation_reads.list_pending_outbound(stack.container.app.now().astimezone(timezone.utc))
        assert len(pending) == 1  # the owner has not written in 24 hours (nothing at all, in fact)
        outcome = wa.dispatcher.dispatch(pending[0]["id"])
        assert outcome["result"] == "sent", outcome  # used to fail with "no_template"

        outbox = client.get("/api/v1/dev/whatsapp/outbox", params={"phone": OWNER_PHONE})
        assert outbox.status_code == 200
        messages = outbox.json()["messages"]
        assert len(messages) == 1
        link = re.search(r"https://app\.parlo\.test/login#token=([A-Za-z0-9_\-.]+)", messages[0]["body"])
        assert link, messages[0]
        assert client.post("/api/v1/auth/verify-magic-link", json={"token": link.group(1)}).status_code == 200


def test_configured_templates_win_and_the_real_sender_gets_no_stand_in(security_seeded, tmp_path, clock, monkeypatch):
    monkeypatch.setenv("PARLO_TWILIO_TEMPLATES", '{"magic_link": "HXconfigured", "reminder": "HXreminder"}')
    with served(security_seeded, tmp_path / "mock", clock, PARLO_ENV="development") as stack:
        assert stack.container.whatsapp.dispatcher.templates == {"magic_link": "HXconfigured", "reminder": "HXreminder"}
    monkeypatch.delenv("PARLO_TWILIO_TEMPLATES")
    with served(security_seeded, tmp_path / "mock2", clock, PARLO_ENV="development") as stack:
        assert stack.container.whatsapp.dispatcher.templates == {"magic_link": "HXdevmagiclink"}
    twilio = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t" * 32, "PARLO_TWILIO_API_URL": "http://127.0.0.1:9"}
    with served(security_seeded, tmp_path / "twilio", clock, **twilio) as stack:
        # With real credentials WhatsApp's 24-hour rule applies: only configured templates.
        assert stack.container.whatsapp.dispatcher.templates == {}

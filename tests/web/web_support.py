"""The web tests' world: the real app on a fresh SQLite store (development mode, so the dev
outbox records the magic links), the demo business with appointments today, a customer whose
name and notes are HTML/JS, and a conversation handed off to the team.

The clock is frozen at Wed 14 Jan 2026 12:00 in Mexico City (the demo business is open)."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from commands import Actor
from commands.messages import AddCustomer, BookAppointment, HandOffConversation, RecordInboundMessage
from infra.container import Container
from infra.seed import seed_demo
from infra.settings import Settings
from infra.whatsapp import WhatsAppSettings

MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=MX)
SECRET = "web-tests-secret-key-0123456789-abcdefghijkl"
ADMIN_PASSWORD = "consola-de-prueba-123"
OWNER_PHONE = "+525511111111"
STAFF_PHONE = "+525522222222"
XSS_NAME = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">Pepe'
XSS_NOTE = "<b onmouseover=alert(1)>nota</b><script>window.__xss=3</script>"
XSS_MESSAGE = '<img src=x onerror="window.__xss=4">¿Tienen lugar hoy?'
CUSTOMER_PHONE = "+525577777777"
HANDOFF_PHONE = "+525588888888"
LINK = re.compile(r"(https?://[^\s]+/login[?#]token=([A-Za-z0-9_\-.]+))")


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current


@dataclass
class World:
    container: Container
    base_url: str
    organization_id: uuid.UUID
    service_id: uuid.UUID
    owner_id: uuid.UUID
    staff_id: uuid.UUID
    customer_id: uuid.UUID
    booked: dict[str, uuid.UUID] = field(default_factory=dict)  # "first" 3:00 PM, "second" 4:00 PM (both Miguel)
    conversation_id: uuid.UUID | None = None

    @property
    def reads(self) -> Any:
        return self.container.reads

    def sync(self) -> None:
        assert self.container.wait_for(self.container.app.recorder.max_notification_id(), timeout=10)


def settings_for(db: Path, base_url: str) -> Settings:
    return Settings(
        _env_file=None,
        PARLO_DATABASE_URL=f"sqlite:///{db}",
        PARLO_ENV="development",
        PARLO_SECRET_KEY=SECRET,
        PARLO_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PARLO_PUBLIC_BASE_URL=base_url,
    )


def build_world(tmp: Path, base_url: str = "http://testserver") -> World:
    container = Container(settings_for(tmp / "parlo.db", base_url), clock=Clock())
    # Outside the 24-hour window a magic link goes as an approved template (as in production).
    container.whatsapp_settings = WhatsAppSettings(_env_file=None, PARLO_TWILIO_TEMPLATES={"magic_link": "HXmagiclink"})
    app = container.app
    demo = seed_demo(app)
    org = demo.organization_id
    system = Actor.system("web-tests")
    service = demo.service_ids["Corte de cabello"]
    staff = demo.staff_ids["Miguel Sánchez"]
    customer = app.execute(
        AddCustomer(actor=system, cause="web-tests", organization_id=org, phone_number=CUSTOMER_PHONE, name=XSS_NAME, notes=XSS_NOTE)
    ).id
    world = World(container, base_url, org, service, demo.staff_ids["Carlos Mendoza"], staff, customer)
    for key, hour in (("first", 15), ("second", 16)):
        world.booked[key] = app.execute(
            BookAppointment(
                actor=system, cause="web-tests", organization_id=org, service_id=service,
                start=datetime(2026, 1, 14, hour, 0, tzinfo=MX), customer_id=customer, staff_id=staff, source="manual", confirmed=True,
            )
        ).id
    app.execute(
        RecordInboundMessage(
            actor=system, cause="web-tests", organization_id=org, message_sid="SMweb0000000000000000000000000001",
            from_address=f"whatsapp:{HANDOFF_PHONE}", to_number=demo.whatsapp_number, body=XSS_MESSAGE, profile_name="Lucía",
            received_at=NOW,
        )
    )
    app.execute(HandOffConversation(actor=system, cause="web-tests", organization_id=org, customer_phone=HANDOFF_PHONE, reason="Pidió hablar con alguien"))
    container.start_projection_thread()
    world.sync()
    conversation = container.conversation_reads.get_conversation_by_phone(org, HANDOFF_PHONE)
    world.conversation_id = conversation["id"] if conversation else None
    return world


def wait_for_link(get_json: Any, phone: str, timeout: float = 15.0) -> str:
    """The newest magic link sent to ``phone`` (read from the dev outbox)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = get_json(f"/api/v1/dev/whatsapp/outbox?phone={phone}").get("messages") or []
        for message in reversed(messages):
            text = " ".join([message.get("body") or "", *[str(v) for v in (message.get("variables") or {}).values()]])
            found = LINK.search(text)
            if found:
                return found.group(1)
        time.sleep(0.1)  # the dispatcher sends in the background; there is no position to wait on here
    raise AssertionError(f"no magic link reached {phone}")

"""What the dispatcher sends through: the real Twilio client (infra/twilio_client.py) or the mock."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol


@dataclass(frozen=True)
class SendResult:
    sid: str
    status: str = "queued"


class SendError(Exception):
    """A failed send. ``retryable``: try again later (5xx, 429, network); ``outside_window``: Twilio
    refused free-form text outside the 24-hour window (63016): only a template can go."""

    def __init__(self, code: str, message: str, *, retryable: bool, outside_window: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable
        self.outside_window = outside_window


class Sender(Protocol):
    """With ``content_sid`` the message is that approved template with ``content_variables``;
    ``body`` is then only the text it stands for (the real sender does not send it)."""

    def send(
        self,
        *,
        from_address: str,
        to_address: str,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: dict | None = None,
        status_callback: str | None = None,
    ) -> SendResult: ...


# The mock sender stands in for WhatsApp in development: there is no 24-hour window to respect, so
# kinds that would need an approved template go under a stand-in content SID and land in the dev
# outbox (``GET /api/v1/dev/whatsapp/outbox``). Only for the mock: the real sender still needs
# PARLO_TWILIO_TEMPLATES, and configured templates always win.
MOCK_TEMPLATES = {"magic_link": "HXdevmagiclink"}


@dataclass
class MockSender:
    """Records messages instead of sending them (no Twilio credentials: development and demos)."""

    templates = MOCK_TEMPLATES

    sent: list[dict] = field(default_factory=list)
    listeners: list[Callable[[dict], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    def send(
        self,
        *,
        from_address: str,
        to_address: str,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: dict | None = None,
        status_callback: str | None = None,
    ) -> SendResult:
        sid = "SM" + uuid.uuid4().hex
        record = {
            "sid": sid,
            "from": from_address,
            "to": to_address,
            "body": body,
            "content_sid": content_sid,
            "content_variables": content_variables,
            "at": datetime.now(timezone.utc).isoformat(),
        }
        with self._lock:
            record["seq"] = next(self._counter)
            self.sent.append(record)
            listeners = list(self.listeners)
        for listener in listeners:
            listener(record)
        return SendResult(sid=sid, status="queued")

    def messages_to(self, address: str, after_seq: int = 0) -> list[dict]:
        with self._lock:
            return [m for m in self.sent if m["to"] == address and m["seq"] > after_seq]

"""The WhatsApp channel as one object: what the webhook, the dev chat and the jobs call."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from aggregates.conversation import CENTRAL_ORGANIZATION_ID
from aggregates.errors import DomainError
from commands import Actor
from commands.definitions import RecordInboundMessage, RecordMessageStatus
from commands.phones import normalize_phone

log = logging.getLogger("parlo.whatsapp")
WEBHOOK_ACTOR = Actor.system("whatsapp-webhook")
KNOWN_STATUSES = {"queued", "sent", "delivered", "read", "failed", "undelivered"}
OWN_NUMBER_RECHECK_SECONDS = 60.0  # a sender found not to be a business number is re-checked after this
MAX_BODY = 4096  # WhatsApp's own limit for a text message; anything longer is not stored whole


def _get(form: Any, key: str) -> str:
    value = form.get(key) if hasattr(form, "get") else None
    return value if isinstance(value, str) else ""


class WhatsAppGateway:
    def __init__(
        self,
        *,
        app: Any,
        processor: Any,
        dispatcher: Any,
        jobs: Any,
        sender: Any,
        reads: Any = None,
        conversation_reads: Any = None,
        central_number: str = "",
        auth_token: str | None = None,
        public_base_url: str = "",
        env: str = "development",
        verify_token: str | None = None,
        on_start: Callable[[], None] | None = None,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.processor = processor
        self.dispatcher = dispatcher
        self.jobs = jobs
        self.sender = sender
        self.reads = reads
        self.conversation_reads = conversation_reads
        self.central_number = central_number
        self.auth_token = auth_token
        self.public_base_url = public_base_url.rstrip("/")
        self.env = env
        self.verify_token = verify_token
        self._on_start = on_start
        self._on_stop = on_stop
        self._started = False
        self._org_cache: dict[str, tuple[uuid.UUID, float]] = {}
        self._ordinary_senders: dict[str, float] = {}  # senders that are no business number, until when
        self.demo_number: str | None = None  # the dev chat writes to this business by default
        self.demo_name: str | None = None
        self._start_lock = threading.Lock()
        # Outcomes of recently processed inbound messages (the dev chat waits on them).
        self._outcomes: OrderedDict[str, dict] = OrderedDict()
        self._outcome_cond = threading.Condition()
        processor.on_processed.append(self._remember_outcome)

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            self._started = True
            if hasattr(self.jobs, "start"):
                self.jobs.start()
            if self._on_start is not None:
                self._on_start()

    def stop(self) -> None:
        with self._start_lock:
            if not self._started:
                return
            self._started = False
            if self._on_stop is not None:
                self._on_stop()
            if hasattr(self.jobs, "stop"):
                self.jobs.stop()

    @property
    def accepts_unsigned(self) -> bool:
        return not self.auth_token and self.env == "development"

    # ---- inbound ----------------------------------------------------------------------------

    def resolve_organization(self, to_number: str) -> uuid.UUID | None:
        if self.central_number and to_number == self.central_number:
            return CENTRAL_ORGANIZATION_ID
        cached = self._org_cache.get(to_number)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        organization_id = self._lookup_organization(to_number)
        if organization_id is not None:  # a number's business does not change; unknown ones are re-checked
            self._org_cache[to_number] = (organization_id, time.monotonic() + 300)
        return organization_id

    def _lookup_organization(self, to_number: str) -> uuid.UUID | None:
        org = self.app.organization_for_number(to_number)
        if org is None and self.reads is not None:
            try:
                org = self.reads.get_organization_by_whatsapp(to_number)
            except Exception:  # noqa: BLE001 - the read side may not be set up yet
                log.debug("read-side lookup failed", exc_info=True)
        return uuid.UUID(str(org["id"])) if org else None

    def is_own_number(self, phone: str, to_number: str) -> bool:
        """The sender is the receiving number, Parlo's central number or any business's WhatsApp number."""
        if phone == to_number or (self.central_number and phone == self.central_number):
            return True
        known = self._ordinary_senders.get(phone)
        if known is not None and known > time.monotonic():
            return False  # checked a moment ago: the lookup (~7 ms) is not repeated for every message
        if self.resolve_organization(phone) is not None:
            return True
        if len(self._ordinary_senders) > 10_000:
            self._ordinary_senders.clear()
        self._ordinary_senders[phone] = time.monotonic() + OWN_NUMBER_RECHECK_SECONDS
        return False

    def receive(self, form: Any) -> dict:
        """Store one inbound message durably and schedule its processing. Never raises for bad input."""
        sid = _get(form, "MessageSid") or _get(form, "SmsMessageSid")
        from_address = _get(form, "From").strip()
        to_address = _get(form, "To").strip()
        if not sid or not from_address or not to_address:
            log.warning("webhook without MessageSid/From/To ignored")
            return {"result": "ignored"}
        try:
            to_number = normalize_phone(to_address)
            phone = normalize_phone(from_address)
        except DomainError:
            log.warning("webhook with unreadable numbers ignored: %r -> %r", from_address, to_address)
            return {"result": "ignored"}
        organization_id = self.resolve_organization(to_number)
        if organization_id is None:
            log.warning("message %s to unknown number %s: no business, no reply", sid, to_number)
            return {"result": "unknown_number"}
        if self.is_own_number(phone, to_number):
            # A message from a number Parlo itself sends from: answering it would start a loop.
            log.warning("message %s from Parlo's own number %s ignored (no loops)", sid, phone)
            return {"result": "own_number"}
        try:
            num_media = int(_get(form, "NumMedia") or 0)
        except ValueError:
            num_media = 0
        media = [
            {"url": _get(form, f"MediaUrl{i}"), "content_type": _get(form, f"MediaContentType{i}")}
            for i in range(min(num_media, 10))
        ]
        result = self.app.execute(
            RecordInboundMessage(
                actor=WEBHOOK_ACTOR,
                cause=sid,
                organization_id=organization_id,
                message_sid=sid,
                from_address=from_address,
                to_number=to_number,
                body=_get(form, "Body")[:MAX_BODY],
                profile_name=_get(form, "ProfileName") or None,
                wa_id=_get(form, "WaId") or None,
                num_media=num_media,
                media=media,
            )
        )
        if result.data.get("duplicate"):
            return {"result": "duplicate", "message_id": result.id}
        self.start()
        self.jobs.enqueue_inbound(organization_id, phone, sid)
        return {
            "result": "stored",
            "message_id": result.id,
            "position": result.position,
            "organization_id": organization_id,
            "phone": phone,
        }

    def record_status(self, form: Any) -> dict:
        sid = _get(form, "MessageSid") or _get(form, "SmsSid")
        status = (_get(form, "MessageStatus") or _get(form, "SmsStatus")).lower()
        if not sid or status not in KNOWN_STATUSES:
            return {"result": "ignored"}
        result = self.app.execute(
            RecordMessageStatus(
                actor=Actor.system("twilio-status"), cause=f"status:{sid}:{status}", twilio_sid=sid, status=status,
                error_code=_get(form, "ErrorCode") or None,
            )
        )
        return {"result": "recorded", **result.data}

    # ---- outcomes (dev chat) --------------------------------------------------------------------

    def _remember_outcome(self, outcome: dict) -> None:
        with self._outcome_cond:
            self._outcomes[outcome["message_sid"]] = outcome
            while len(self._outcomes) > 500:
                self._outcomes.popitem(last=False)
            self._outcome_cond.notify_all()

    def wait_outcome(self, message_sid: str, timeout: float = 30.0) -> dict | None:
        with self._outcome_cond:
            self._outcome_cond.wait_for(lambda: message_sid in self._outcomes, timeout)
            return self._outcomes.get(message_sid)

"""WhatsApp conversations and the messages that travel through them.

- ``Conversation``: one per (organization, contact phone). Holds the agent's state, the handed-off
  flag, the last inbound time (the 24-hour window), a short history for the agent, and the inbound
  messages stored but not yet processed (in arrival order: that is the per-sender processing order).
- ``InboundMessage``: id = uuid5(MessageSid). Saved atomically with the conversation, so a second
  delivery of the same MessageSid is a version conflict: redelivery is a no-op by construction.
- ``OutboundMessage``: one per message we send. It stays pending until Twilio accepts it; the status
  reported by Twilio's callbacks only moves forward.
- ``TwilioSidIndex``: id = uuid5(Twilio SID) -> outbound message id, so a status callback finds its
  message; a callback that arrives before we recorded the send is kept and applied when we do.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from eventsourcing.domain import event

from aggregates.base import ParloAggregate
from aggregates.errors import InvalidInput, InvalidTransition
from aggregates.organization import NAMESPACE

HISTORY_LIMIT = 30
CENTRAL_ORGANIZATION_ID = uuid.uuid5(NAMESPACE, "organization:parlo-central")

# Only forward: a callback that arrives late (e.g. "sent" after "read") changes nothing.
STATUS_RANK = {
    "pending": 0,
    "accepted": 1,
    "queued": 1,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "read": 4,
}


def status_rank(status: str) -> int:
    return STATUS_RANK.get(status, -1)


class Conversation(ParloAggregate):
    @staticmethod
    def create_id(organization_id: uuid.UUID, phone_number: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"conversation:{organization_id}:{phone_number}")

    @classmethod
    def start(
        cls, *, organization_id: uuid.UUID, phone_number: str, whatsapp_address: str
    ) -> Conversation:
        if not phone_number.startswith("+"):
            raise InvalidInput("El teléfono de la conversación debe estar en formato E.164.")
        return cls._create(
            cls.Started,
            id=cls.create_id(organization_id, phone_number),
            organization_id=organization_id,
            phone_number=phone_number,
            whatsapp_address=whatsapp_address,
        )

    class Started(ParloAggregate.Created):
        organization_id: uuid.UUID
        phone_number: str
        whatsapp_address: str

    @event(Started)
    def __init__(self, *, organization_id: uuid.UUID, phone_number: str, whatsapp_address: str) -> None:
        self.organization_id = organization_id
        self.phone_number = phone_number
        self.whatsapp_address = whatsapp_address
        self.wa_id: str | None = None
        self.profile_name: str | None = None
        self.agent_state: dict = {}
        self.status = "active"  # active | handed_off
        self.handoff_reason: str | None = None
        self.last_inbound_at: datetime | None = None
        self.last_message_at: datetime | None = None
        self.pending_inbound: list[dict] = []
        self.history: list[dict] = []
        self.inbound_count = 0
        self.outbound_count = 0

    @property
    def handed_off(self) -> bool:
        return self.status == "handed_off"

    def _remember(self, role: str, text: str, sid: str | None = None) -> None:
        entry = {"role": role, "text": text}
        if sid:
            entry["sid"] = sid
        self.history = [*self.history, entry][-HISTORY_LIMIT:]

    # ---- inbound ----------------------------------------------------------------------

    # Nothing to decide before an inbound message is recorded (the command deduplicates by
    # MessageSid), so the public method is the event method itself.
    @event("InboundReceived")
    def receive(
        self,
        message_id: uuid.UUID,
        message_sid: str,
        whatsapp_address: str,
        to_number: str,
        body: str,
        profile_name: str | None,
        wa_id: str | None,
        num_media: int,
        received_at: datetime,
    ) -> None:
        self.whatsapp_address = whatsapp_address
        if profile_name:
            self.profile_name = profile_name
        if wa_id:
            self.wa_id = wa_id
        self.last_inbound_at = received_at
        self.last_message_at = received_at
        self.inbound_count += 1
        self.pending_inbound = [
            *self.pending_inbound,
            {
                "message_id": str(message_id),
                "message_sid": message_sid,
                "to_number": to_number,
                "body": body,
                "profile_name": profile_name,
                "num_media": num_media,
                "received_at": received_at.isoformat(),
            },
        ]
        self._remember("customer", body, message_sid)

    def is_pending(self, message_sid: str) -> bool:
        return any(item["message_sid"] == message_sid for item in self.pending_inbound)

    def finish_turn(self, *, message_sid: str, state: dict | None, outcome: str) -> None:
        """The inbound message has been handled (replies queued); store the agent's new state."""
        if not self.is_pending(message_sid) and (state is None or state == self.agent_state):
            return  # already handled (a re-run): nothing new
        if state is not None and not isinstance(state, dict):
            raise InvalidInput("El estado del agente debe ser un objeto.")
        self._turn_finished(message_sid=message_sid, state=state, outcome=outcome)

    @event("TurnFinished")
    def _turn_finished(self, message_sid: str, state: dict | None, outcome: str) -> None:
        if state is not None:
            self.agent_state = state
        self.pending_inbound = [item for item in self.pending_inbound if item["message_sid"] != message_sid]

    # ---- outbound ---------------------------------------------------------------------

    def note_outbound(self, *, message_id: uuid.UUID, body: str, kind: str, queued_at: datetime) -> None:
        self._outbound_queued(message_id=message_id, body=body, kind=kind, queued_at=queued_at)

    @event("OutboundQueued")
    def _outbound_queued(self, message_id: uuid.UUID, body: str, kind: str, queued_at: datetime) -> None:
        self.last_message_at = queued_at
        self.outbound_count += 1
        if kind in ("reply", "handoff", "welcome"):
            self._remember("assistant", body)

    def within_window(self, now: datetime, hours: int = 24) -> bool:
        return self.last_inbound_at is not None and (now - self.last_inbound_at).total_seconds() < hours * 3600

    # ---- handoff ----------------------------------------------------------------------

    def hand_off(self, reason: str) -> None:
        reason = (reason or "").strip() or "El cliente pidió hablar con una persona."
        if self.handed_off:
            return
        self._handed_off(reason=reason[:1000])

    @event("HandedOff")
    def _handed_off(self, reason: str) -> None:
        self.status = "handed_off"
        self.handoff_reason = reason

    def resolve_handoff(self) -> None:
        if not self.handed_off:
            raise InvalidTransition("Esta conversación no está en manos del equipo.")
        self._handoff_resolved()

    @event("HandoffResolved")
    def _handoff_resolved(self) -> None:
        self.status = "active"
        self.handoff_reason = None


class InboundMessage(ParloAggregate):
    """Exists once per Twilio MessageSid: creating it twice is a version conflict."""

    @staticmethod
    def create_id(message_sid: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"inbound:{message_sid}")

    @classmethod
    def record(
        cls,
        *,
        message_sid: str,
        organization_id: uuid.UUID,
        conversation_id: uuid.UUID,
        from_address: str,
        to_number: str,
        body: str,
        media: list[dict],
        received_at: datetime,
    ) -> InboundMessage:
        if not message_sid:
            raise InvalidInput("Falta el identificador del mensaje.")
        return cls._create(
            cls.Recorded,
            id=cls.create_id(message_sid),
            message_sid=message_sid,
            organization_id=organization_id,
            conversation_id=conversation_id,
            from_address=from_address,
            to_number=to_number,
            body=body,
            media=media,
            received_at=received_at,
        )

    class Recorded(ParloAggregate.Created):
        message_sid: str
        organization_id: uuid.UUID
        conversation_id: uuid.UUID
        from_address: str
        to_number: str
        body: str
        media: list
        received_at: datetime

    @event(Recorded)
    def __init__(
        self,
        *,
        message_sid: str,
        organization_id: uuid.UUID,
        conversation_id: uuid.UUID,
        from_address: str,
        to_number: str,
        body: str,
        media: list,
        received_at: datetime,
    ) -> None:
        self.message_sid = message_sid
        self.organization_id = organization_id
        self.conversation_id = conversation_id
        self.from_address = from_address
        self.to_number = to_number
        self.body = body
        self.media = media
        self.received_at = received_at


class OutboundMessage(ParloAggregate):
    """A message we send. ``status`` only moves forward (see STATUS_RANK)."""

    @classmethod
    def queue(
        cls,
        *,
        message_id: uuid.UUID,
        organization_id: uuid.UUID,
        conversation_id: uuid.UUID,
        to_phone: str,
        to_address: str,
        from_number: str,
        body: str,
        kind: str,
        template_variables: dict | None,
        queued_at: datetime,
    ) -> OutboundMessage:
        if not (body or "").strip():
            raise InvalidInput("El mensaje no puede ir vacío.")
        return cls._create(
            cls.Queued,
            id=message_id,
            organization_id=organization_id,
            conversation_id=conversation_id,
            to_phone=to_phone,
            to_address=to_address,
            from_number=from_number,
            body=body,
            kind=kind,
            template_variables=template_variables,
            queued_at=queued_at,
        )

    class Queued(ParloAggregate.Created):
        organization_id: uuid.UUID
        conversation_id: uuid.UUID
        to_phone: str
        to_address: str
        from_number: str
        body: str
        kind: str
        template_variables: dict | None
        queued_at: datetime

    @event(Queued)
    def __init__(
        self,
        *,
        organization_id: uuid.UUID,
        conversation_id: uuid.UUID,
        to_phone: str,
        to_address: str,
        from_number: str,
        body: str,
        kind: str,
        template_variables: dict | None,
        queued_at: datetime,
    ) -> None:
        self.organization_id = organization_id
        self.conversation_id = conversation_id
        self.to_phone = to_phone
        self.to_address = to_address
        self.from_number = from_number
        self.body = body
        self.kind = kind
        self.template_variables = template_variables
        self.queued_at = queued_at
        self.status = "pending"
        self.attempts = 0
        self.lease_until: datetime | None = None
        self.next_attempt_at: datetime | None = queued_at
        self.twilio_sid: str | None = None
        self.content_sid: str | None = None
        self.error_code: str | None = None
        self.error_message: str | None = None
        self.force_template = False
        self.sent_at: datetime | None = None

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    def claimable(self, now: datetime) -> bool:
        if not self.is_pending:
            return False
        if self.lease_until is not None and self.lease_until > now:
            return False
        return self.next_attempt_at is None or self.next_attempt_at <= now

    def claim(self, *, now: datetime, lease_until: datetime) -> None:
        if not self.claimable(now):
            raise InvalidTransition("Ese mensaje no está listo para enviarse.")
        self._claimed(attempt=self.attempts + 1, at=now, lease_until=lease_until)

    @event("SendClaimed")
    def _claimed(self, attempt: int, at: datetime, lease_until: datetime) -> None:
        self.attempts = attempt
        self.lease_until = lease_until

    def record_sent(
        self, *, twilio_sid: str, status: str, content_sid: str | None, at: datetime
    ) -> None:
        if not self.is_pending:
            return
        self._sent(twilio_sid=twilio_sid, status=status or "queued", content_sid=content_sid, at=at)

    @event("Sent")
    def _sent(self, twilio_sid: str, status: str, content_sid: str | None, at: datetime) -> None:
        self.twilio_sid = twilio_sid
        self.content_sid = content_sid
        self.status = status if status_rank(status) >= 1 else "accepted"
        self.lease_until = None
        self.next_attempt_at = None
        self.sent_at = at
        self.error_code = None
        self.error_message = None

    def record_failure(
        self,
        *,
        error_code: str,
        error_message: str,
        retry_at: datetime | None,
        use_template: bool,
        at: datetime,
    ) -> None:
        """``retry_at`` None: final (status failed). Otherwise it stays pending until then."""
        if not self.is_pending:
            return
        self._send_failed(
            error_code=error_code,
            error_message=error_message[:500],
            retry_at=retry_at,
            use_template=use_template,
            at=at,
        )

    @event("SendFailed")
    def _send_failed(
        self, error_code: str, error_message: str, retry_at: datetime | None, use_template: bool, at: datetime
    ) -> None:
        self.error_code = error_code
        self.error_message = error_message
        self.lease_until = None
        self.force_template = self.force_template or use_template
        if retry_at is None:
            self.status = "failed"
            self.next_attempt_at = None
        else:
            self.next_attempt_at = retry_at

    def update_status(self, status: str, *, error_code: str | None, at: datetime) -> bool:
        if status_rank(status) <= status_rank(self.status) or status_rank(status) < 1:
            return False
        self._status_changed(status=status, error_code=error_code, at=at)
        return True

    @event("StatusChanged")
    def _status_changed(self, status: str, error_code: str | None, at: datetime) -> None:
        self.status = status
        if error_code:
            self.error_code = error_code


class TwilioSidIndex(ParloAggregate):
    """Twilio message SID -> our outbound message; remembers callbacks that came first.

    Events stored before actor and cause existed load with empty ones (see aggregates/base.py).
    """

    @staticmethod
    def create_id(twilio_sid: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"twilio-sid:{twilio_sid}")

    @classmethod
    def open(cls, *, twilio_sid: str, message_id: uuid.UUID | None) -> TwilioSidIndex:
        return cls._create(
            cls.Opened, id=cls.create_id(twilio_sid), twilio_sid=twilio_sid, message_id=message_id
        )

    class Opened(ParloAggregate.Created):
        twilio_sid: str
        message_id: uuid.UUID | None

    @event(Opened)
    def __init__(self, *, twilio_sid: str, message_id: uuid.UUID | None) -> None:
        self.twilio_sid = twilio_sid
        self.message_id = message_id
        self.early_statuses: list[dict] = []

    def attach(self, message_id: uuid.UUID) -> None:
        if self.message_id is None:
            self._attached(message_id=message_id)

    @event("Attached")
    def _attached(self, message_id: uuid.UUID) -> None:
        self.message_id = message_id

    def remember_status(self, status: str, error_code: str | None, at: datetime) -> None:
        self._status_remembered(status=status, error_code=error_code, at=at)

    @event("StatusRemembered")
    def _status_remembered(self, status: str, error_code: str | None, at: datetime) -> None:
        self.early_statuses = [*self.early_statuses, {"status": status, "error_code": error_code, "at": at.isoformat()}]

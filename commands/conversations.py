"""Handlers for WhatsApp conversations: inbound messages, outbound messages and their delivery, handoff.

Plus a few write-model queries the gateway decides with (always consistent, no projection lag).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from aggregates.conversation import (
    CENTRAL_ORGANIZATION_ID,
    Conversation,
    InboundMessage,
    OutboundMessage,
    TwilioSidIndex,
    status_rank,
)
from aggregates.errors import InvalidInput, NotFound, PermissionDenied
from aggregates.organization import Organization
from commands.base import CommandResult
from commands.context import Actor, actor_label
from commands.definitions import (
    ClaimOutboundMessage,
    HandOffConversation,
    QueueOutboundMessage,
    RecordInboundMessage,
    RecordMessageStatus,
    RecordOutboundFailed,
    RecordOutboundSent,
    ResolveHandoff,
    SaveAgentState,
)
from commands.phones import normalize_phone, whatsapp_address
from commands.queries import WriteModelQueries

OUTBOUND_KINDS = ("reply", "notification", "magic_link", "reminder", "handoff", "welcome")


# ---- helpers ------------------------------------------------------------------------

def _check_org(app: WriteModelQueries, organization_id: uuid.UUID) -> Organization | None:
    """The organization (None for Parlo's central number)."""
    if organization_id == CENTRAL_ORGANIZATION_ID:
        return None
    return app._organization(organization_id)


def _conversation(app: WriteModelQueries, organization_id: uuid.UUID, phone: str, address: str | None) -> Conversation:
    existing = app._get_or_none(Conversation.create_id(organization_id, phone))
    if existing is not None:
        return existing
    return Conversation.start(
        organization_id=organization_id,
        phone_number=phone,
        whatsapp_address=address or whatsapp_address(phone),
    )


def _authorize_on_conversation(app: WriteModelQueries, organization_id: uuid.UUID, actor, phone: str, action: str) -> None:
    """Who acts on the conversation with ``phone``: a customer only on their own (same
    normalized phone), anyone else through the permission matrix."""
    if actor.kind == "customer":
        if normalize_phone(actor.id) != phone:
            raise PermissionDenied("No tienes permiso para cambiar la conversación de otra persona.")
        return
    _authorize_on_conversations(app, organization_id, actor, action)


def _authorize_on_conversations(app: WriteModelQueries, organization_id: uuid.UUID, actor, action: str) -> None:
    if actor.kind in ("admin", "system"):
        return
    if organization_id == CENTRAL_ORGANIZATION_ID:
        raise PermissionDenied("No tienes permiso para hacer eso.")
    return app._authorize(organization_id, actor, action)[0]


# ---- inbound ------------------------------------------------------------------------

def record_inbound_message(app: WriteModelQueries, cmd: RecordInboundMessage) -> CommandResult:
    inbound_id = InboundMessage.create_id(cmd.message_sid)
    if app._stored(inbound_id):
        existing = app.repository.get(inbound_id)
        return CommandResult(inbound_id, None, {"duplicate": True, "conversation_id": existing.conversation_id})
    if cmd.organization_id != CENTRAL_ORGANIZATION_ID and not app._stored(cmd.organization_id):
        raise NotFound("No encontré ese negocio.")
    phone = normalize_phone(cmd.from_address)
    app._acting_as(actor_label(Actor.customer(phone)))  # the customer wrote it; Twilio only delivered it
    received_at = cmd.received_at or app.now()
    conversation = _conversation(app, cmd.organization_id, phone, cmd.from_address)
    inbound = InboundMessage.record(
        message_sid=cmd.message_sid,
        organization_id=cmd.organization_id,
        conversation_id=conversation.id,
        from_address=cmd.from_address,
        to_number=cmd.to_number,
        body=cmd.body or "",
        media=list(cmd.media or []),
        received_at=received_at,
    )
    conversation.receive(
        message_id=inbound.id,
        message_sid=cmd.message_sid,
        whatsapp_address=cmd.from_address,
        to_number=cmd.to_number,
        body=cmd.body or "",
        profile_name=cmd.profile_name,
        wa_id=cmd.wa_id,
        num_media=int(cmd.num_media or 0),
        received_at=received_at,
    )
    position = app._save(conversation, inbound)
    return CommandResult(
        inbound.id, position, {"duplicate": False, "conversation_id": conversation.id, "customer_phone": phone}
    )


def save_agent_state(app: WriteModelQueries, cmd: SaveAgentState) -> CommandResult:
    phone = normalize_phone(cmd.customer_phone)
    _authorize_on_conversation(app, cmd.organization_id, cmd.actor, phone, "manage_customers")
    conversation = app._get_or_none(Conversation.create_id(cmd.organization_id, phone))
    if conversation is None:
        raise NotFound("No encontré esa conversación.")
    conversation.finish_turn(message_sid=cmd.message_sid, state=cmd.state, outcome=cmd.outcome)
    return CommandResult(conversation.id, app._save(conversation))


# ---- outbound -----------------------------------------------------------------------

def queue_outbound_message(app: WriteModelQueries, cmd: QueueOutboundMessage) -> CommandResult:
    if cmd.kind not in OUTBOUND_KINDS:
        raise InvalidInput(f"Tipo de mensaje desconocido: «{cmd.kind}».")
    phone = normalize_phone(cmd.to_phone)
    if cmd.actor.kind == "customer":
        if normalize_phone(cmd.actor.id) != phone:
            raise PermissionDenied("No tienes permiso para enviar mensajes a otra persona.")
    else:
        _authorize_on_conversations(app, cmd.organization_id, cmd.actor, "manage_customers")
    message_id = cmd.message_id or uuid.uuid4()
    existing = app._get_or_none(message_id)
    if existing is not None:
        if not isinstance(existing, OutboundMessage):
            raise InvalidInput("Ese identificador de mensaje ya se usa para otra cosa.")
        return CommandResult(message_id, None, {"created": False, "status": existing.status})
    org = _check_org(app, cmd.organization_id)
    if cmd.from_number:
        from_number = normalize_phone(cmd.from_number)
    else:
        from_number = org.whatsapp_numbers[0] if org is not None else ""
    now = app.now()
    conversation = _conversation(app, cmd.organization_id, phone, None)
    message = OutboundMessage.queue(
        message_id=message_id,
        organization_id=cmd.organization_id,
        conversation_id=conversation.id,
        to_phone=phone,
        to_address=conversation.whatsapp_address,
        from_number=from_number,
        body=cmd.body,
        kind=cmd.kind,
        template_variables=dict(cmd.template_variables) if cmd.template_variables else None,
        queued_at=now,
    )
    conversation.note_outbound(message_id=message_id, body=cmd.body, kind=cmd.kind, queued_at=now)
    return CommandResult(message_id, app._save(conversation, message), {"created": True, "status": "pending"})


def _outbound(app: WriteModelQueries, message_id: uuid.UUID) -> OutboundMessage:
    return app._load(OutboundMessage, message_id, "No encontré ese mensaje.")


def claim_outbound_message(app: WriteModelQueries, cmd: ClaimOutboundMessage) -> CommandResult:
    message = _outbound(app, cmd.message_id)
    now = app.now()
    if not message.claimable(now):
        return CommandResult(message.id, None, {"claimed": False, **app.outbound_view(message, now)})
    message.claim(now=now, lease_until=now + timedelta(seconds=cmd.lease_seconds))
    position = app._save(message)
    return CommandResult(message.id, position, {"claimed": True, **app.outbound_view(message, now)})


def record_outbound_sent(app: WriteModelQueries, cmd: RecordOutboundSent) -> CommandResult:
    message = _outbound(app, cmd.message_id)
    now = app.now()
    message.record_sent(twilio_sid=cmd.twilio_sid, status=cmd.status, content_sid=cmd.content_sid, at=now)
    index = app._get_or_none(TwilioSidIndex.create_id(cmd.twilio_sid))
    if index is None:
        index = TwilioSidIndex.open(twilio_sid=cmd.twilio_sid, message_id=message.id)
    else:
        index.attach(message.id)
        for early in index.early_statuses:
            message.update_status(early["status"], error_code=early["error_code"], at=now)
    return CommandResult(message.id, app._save(message, index), {"status": message.status})


def record_outbound_failed(app: WriteModelQueries, cmd: RecordOutboundFailed) -> CommandResult:
    message = _outbound(app, cmd.message_id)
    message.record_failure(
        error_code=cmd.error_code,
        error_message=cmd.error_message,
        retry_at=cmd.retry_at,
        use_template=cmd.use_template,
        at=app.now(),
    )
    return CommandResult(message.id, app._save(message), {"status": message.status})


def record_message_status(app: WriteModelQueries, cmd: RecordMessageStatus) -> CommandResult:
    status = (cmd.status or "").strip().lower()
    if status_rank(status) < 1:
        raise InvalidInput(f"Estado de mensaje desconocido: «{cmd.status}».")
    now = app.now()
    index = app._get_or_none(TwilioSidIndex.create_id(cmd.twilio_sid))
    if index is None or index.message_id is None:
        # The callback beat our own record of the send: keep it for when we record it.
        if index is None:
            index = TwilioSidIndex.open(twilio_sid=cmd.twilio_sid, message_id=None)
        index.remember_status(status, cmd.error_code, now)
        return CommandResult(None, app._save(index), {"changed": False, "early": True})
    message = _outbound(app, index.message_id)
    changed = message.update_status(status, error_code=cmd.error_code, at=now)
    return CommandResult(message.id, app._save(message) if changed else None, {"changed": changed, "status": message.status})


# ---- handoff ------------------------------------------------------------------------

def hand_off_conversation(app: WriteModelQueries, cmd: HandOffConversation) -> CommandResult:
    phone = normalize_phone(cmd.customer_phone)
    _authorize_on_conversation(app, cmd.organization_id, cmd.actor, phone, "manage_customers")
    conversation = app._get_or_none(Conversation.create_id(cmd.organization_id, phone))
    if conversation is None:
        raise NotFound("No encontré esa conversación.")
    already = conversation.handed_off
    conversation.hand_off(cmd.reason)
    return CommandResult(conversation.id, app._save(conversation), {"already_handed_off": already})


def resolve_handoff(app: WriteModelQueries, cmd: ResolveHandoff) -> CommandResult:
    _authorize_on_conversations(app, cmd.organization_id, cmd.actor, "resolve_handoff")
    if cmd.conversation_id is not None:
        conversation_id = cmd.conversation_id
    elif cmd.customer_phone:
        conversation_id = Conversation.create_id(cmd.organization_id, normalize_phone(cmd.customer_phone))
    else:
        raise InvalidInput("Indica la conversación o el teléfono del cliente.")
    conversation = app._get_or_none(conversation_id)
    if not isinstance(conversation, Conversation) or conversation.organization_id != cmd.organization_id:
        raise NotFound("No encontré esa conversación.")
    conversation.resolve_handoff()
    return CommandResult(conversation.id, app._save(conversation))


HANDLERS = {
    RecordInboundMessage: record_inbound_message,
    SaveAgentState: save_agent_state,
    QueueOutboundMessage: queue_outbound_message,
    ClaimOutboundMessage: claim_outbound_message,
    RecordOutboundSent: record_outbound_sent,
    RecordOutboundFailed: record_outbound_failed,
    RecordMessageStatus: record_message_status,
    HandOffConversation: hand_off_conversation,
    ResolveHandoff: resolve_handoff,
}

"""WhatsApp conversations and messages -> rm_conversations / rm_messages."""

from __future__ import annotations

from sqlalchemy import select, update

from aggregates.conversation import Conversation, InboundMessage, OutboundMessage
from projections.base import Projection, handles, jsonable, utc
from readmodels.conversation_tables import conversations, messages

_SENDER = {"reply": "ai", "handoff": "ai", "welcome": "ai"}


class ConversationsProjection(Projection):
    name = "conversations"
    tables = [conversations, messages]

    # ---- conversations -------------------------------------------------------------------

    @handles(Conversation.Started)
    def _started(self, conn, event, position) -> None:
        at = utc(event.timestamp)
        conn.execute(
            conversations.insert().values(
                id=event.originator_id,
                organization_id=event.organization_id,
                customer_phone=event.phone_number,
                whatsapp_address=event.whatsapp_address,
                profile_name=None,
                status="active",
                handoff_reason=None,
                pending_inbound=0,
                message_count=0,
                last_inbound_at=None,
                last_message_at=None,
                created_at=at,
                updated_at=at,
            )
        )

    def _phone(self, conn, conversation_id) -> str:
        return conn.execute(select(conversations.c.customer_phone).where(conversations.c.id == conversation_id)).scalar() or ""

    @handles(Conversation.InboundReceived)
    def _inbound(self, conn, event, position) -> None:
        at = utc(event.received_at)
        values = {
            "whatsapp_address": event.whatsapp_address,
            "pending_inbound": conversations.c.pending_inbound + 1,
            "message_count": conversations.c.message_count + 1,
            "last_inbound_at": at,
            "last_message_at": at,
            "updated_at": utc(event.timestamp),
        }
        if event.profile_name:
            values["profile_name"] = event.profile_name
        conn.execute(update(conversations).where(conversations.c.id == event.originator_id).values(**values))
        _add_message(
            conn,
            at,
            position,
            id=event.message_id,
            conversation_id=event.originator_id,
            organization_id=self._org(conn, event.originator_id),
            direction="inbound",
            sender_type="customer",
            kind="message",
            content_type="media" if event.num_media and not event.body else "text",
            content=event.body or "",
            phone=self._phone(conn, event.originator_id),
            whatsapp_message_id=event.message_sid,
            status="received",
        )

    def _org(self, conn, conversation_id):
        return conn.execute(select(conversations.c.organization_id).where(conversations.c.id == conversation_id)).scalar()

    @handles(InboundMessage.Recorded)
    def _inbound_recorded(self, conn, event, position) -> None:
        if event.media:
            conn.execute(update(messages).where(messages.c.id == event.originator_id).values(media=jsonable(event.media)))

    @handles(Conversation.TurnFinished)
    def _turn_finished(self, conn, event, position) -> None:
        result = conn.execute(
            update(messages)
            .where(
                messages.c.conversation_id == event.originator_id,
                messages.c.whatsapp_message_id == event.message_sid,
                messages.c.direction == "inbound",
                messages.c.status == "received",
            )
            .values(status="processed", updated_at=utc(event.timestamp))
        )
        values = {"updated_at": utc(event.timestamp)}
        if result.rowcount:
            values["pending_inbound"] = conversations.c.pending_inbound - 1
        conn.execute(update(conversations).where(conversations.c.id == event.originator_id).values(**values))

    @handles(Conversation.OutboundQueued)
    def _outbound_noted(self, conn, event, position) -> None:
        conn.execute(
            update(conversations)
            .where(conversations.c.id == event.originator_id)
            .values(
                message_count=conversations.c.message_count + 1,
                last_message_at=utc(event.queued_at),
                updated_at=utc(event.timestamp),
            )
        )

    @handles(Conversation.HandedOff)
    def _handed_off(self, conn, event, position) -> None:
        conn.execute(
            update(conversations)
            .where(conversations.c.id == event.originator_id)
            .values(status="handed_off", handoff_reason=event.reason, updated_at=utc(event.timestamp))
        )

    @handles(Conversation.HandoffResolved)
    def _resolved(self, conn, event, position) -> None:
        conn.execute(
            update(conversations)
            .where(conversations.c.id == event.originator_id)
            .values(status="active", handoff_reason=None, updated_at=utc(event.timestamp))
        )

    # ---- outbound messages ---------------------------------------------------------------

    @handles(OutboundMessage.Queued)
    def _queued(self, conn, event, position) -> None:
        at = utc(event.queued_at)
        _add_message(
            conn,
            at,
            position,
            id=event.originator_id,
            conversation_id=event.conversation_id,
            organization_id=event.organization_id,
            direction="outbound",
            sender_type=_SENDER.get(event.kind, "system"),
            kind=event.kind,
            content_type="text",
            content=event.body,
            phone=event.to_phone,
            status="pending",
            next_attempt_at=at,
        )

    def _update(self, event, **values) -> update:
        return update(messages).where(messages.c.id == event.originator_id).values(updated_at=utc(event.timestamp), **values)

    @handles(OutboundMessage.SendClaimed)
    def _claimed(self, conn, event, position) -> None:
        conn.execute(self._update(event, attempts=event.attempt))

    @handles(OutboundMessage.Sent)
    def _sent(self, conn, event, position) -> None:
        conn.execute(
            self._update(
                event,
                status=event.status,
                whatsapp_message_id=event.twilio_sid,
                content_sid=event.content_sid,
                content_type="template" if event.content_sid else "text",
                next_attempt_at=None,
                error_code=None,
                error_message=None,
            )
        )

    @handles(OutboundMessage.SendFailed)
    def _failed(self, conn, event, position) -> None:
        values = {"error_code": event.error_code, "error_message": event.error_message, "next_attempt_at": utc(event.retry_at)}
        if event.retry_at is None:
            values["status"] = "failed"
        conn.execute(self._update(event, **values))

    @handles(OutboundMessage.StatusChanged)
    def _status(self, conn, event, position) -> None:
        values = {"status": event.status}
        if event.error_code:
            values["error_code"] = event.error_code
        conn.execute(self._update(event, **values))


def _add_message(conn, at, position, **values) -> None:
    """A new rm_messages row: nothing sent, failed or attached yet, unless ``values`` says so."""
    row = {
        "whatsapp_message_id": None,
        "content_sid": None,
        "attempts": 0,
        "next_attempt_at": None,
        "error_code": None,
        "error_message": None,
        "media": None,
        "created_at": at,
        "updated_at": at,
        "position": position,
    }
    conn.execute(messages.insert().values({**row, **values}))


PROJECTIONS = [ConversationsProjection]

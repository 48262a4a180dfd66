"""Read-model tables of WhatsApp conversations and messages (written only by projections/conversations.py)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table, Text, Uuid

from readmodels.tables import TZ, metadata

conversations = Table(
    "rm_conversations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("customer_phone", String(32), nullable=False, index=True),
    Column("whatsapp_address", String(64), nullable=False),
    Column("profile_name", String(200), nullable=True),
    Column("status", String(20), nullable=False),  # active | handed_off
    Column("handoff_reason", Text, nullable=True),
    Column("pending_inbound", Integer, nullable=False),  # stored but not yet processed
    Column("message_count", Integer, nullable=False),
    Column("last_inbound_at", TZ, nullable=True),
    Column("last_message_at", TZ, nullable=True),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)
Index("ix_rm_conversations_org_last", conversations.c.organization_id, conversations.c.last_message_at)

messages = Table(
    "rm_messages",
    metadata,
    Column("id", Uuid, primary_key=True),  # InboundMessage id (uuid5 of MessageSid) or outbound message id
    Column("conversation_id", Uuid, nullable=False, index=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("direction", String(10), nullable=False),  # inbound | outbound
    Column("sender_type", String(20), nullable=False),  # customer | ai | system
    Column("kind", String(20), nullable=False),  # message | reply | notification | handoff | ...
    Column("content_type", String(20), nullable=False),  # text | template | media
    Column("content", Text, nullable=False),
    Column("phone", String(32), nullable=False),  # the contact's E.164 phone
    Column("whatsapp_message_id", String(64), nullable=True, index=True),  # Twilio SID
    Column("content_sid", String(64), nullable=True),
    Column("status", String(20), nullable=False),  # received | processed | pending | queued | sent | delivered | read | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", TZ, nullable=True),
    Column("error_code", String(32), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("media", JSON, nullable=True),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("position", BigInteger, nullable=False),
)
Index("ix_rm_messages_conversation_created", messages.c.conversation_id, messages.c.created_at)
Index("ix_rm_messages_pending", messages.c.status, messages.c.next_attempt_at)

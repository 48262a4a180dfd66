"""Queries over rm_conversations / rm_messages (plain dicts out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from readmodels.conversation_tables import conversations, messages
from readmodels.rows import Reads, Row, as_uuid

_uuid = as_uuid


class ConversationReads(Reads):
    # ---- conversations -----------------------------------------------------------------

    def list_conversations(
        self, org_id: Any = None, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[Row]:
        query = select(conversations)
        if org_id is not None:
            query = query.where(conversations.c.organization_id == _uuid(org_id))
        if status:
            query = query.where(conversations.c.status == status)
        query = query.order_by(conversations.c.last_message_at.desc().nulls_last(), conversations.c.id)
        return self._all(query.limit(limit).offset(offset))

    def get_conversation(self, org_id: Any, conversation_id: Any) -> Row | None:
        query = select(conversations).where(conversations.c.id == _uuid(conversation_id))
        if org_id is not None:
            query = query.where(conversations.c.organization_id == _uuid(org_id))
        return self._one(query)

    def get_conversation_by_phone(self, org_id: Any, e164: str) -> Row | None:
        return self._one(
            select(conversations).where(
                conversations.c.organization_id == _uuid(org_id), conversations.c.customer_phone == e164
            )
        )

    def list_handed_off(self, org_id: Any) -> list[Row]:
        return self.list_conversations(org_id, status="handed_off", limit=100)

    def list_conversations_with_pending_inbound(self, before: datetime, limit: int = 100) -> list[Row]:
        """Conversations holding stored-but-unprocessed inbound messages last touched before ``before``."""
        return self._all(
            select(conversations)
            .where(conversations.c.pending_inbound > 0, conversations.c.updated_at < before)
            .order_by(conversations.c.updated_at)
            .limit(limit)
        )

    # ---- messages ----------------------------------------------------------------------

    def list_messages(self, conversation_id: Any, *, limit: int = 200, after_position: int | None = None) -> list[Row]:
        query = select(messages).where(messages.c.conversation_id == _uuid(conversation_id))
        if after_position is not None:
            query = query.where(messages.c.position > after_position)
        return self._all(query.order_by(messages.c.created_at, messages.c.position).limit(limit))

    def get_message(self, message_id: Any) -> Row | None:
        return self._one(select(messages).where(messages.c.id == _uuid(message_id)))

    def get_message_by_sid(self, sid: str) -> Row | None:
        return self._one(select(messages).where(messages.c.whatsapp_message_id == sid))

    def list_pending_outbound(self, now: datetime, limit: int = 100) -> list[Row]:
        """Outbound messages still waiting to be sent whose next attempt is due."""
        return self._all(
            select(messages)
            .where(
                messages.c.direction == "outbound",
                messages.c.status == "pending",
                or_(messages.c.next_attempt_at.is_(None), messages.c.next_attempt_at <= now),
            )
            .order_by(messages.c.next_attempt_at, messages.c.position)
            .limit(limit)
        )

    def list_outbound_to(self, org_id: Any, e164: str, *, after_position: int = 0, limit: int = 100) -> list[Row]:
        return self._all(
            select(messages)
            .where(
                and_(
                    messages.c.organization_id == _uuid(org_id),
                    messages.c.phone == e164,
                    messages.c.direction == "outbound",
                    messages.c.position > after_position,
                )
            )
            .order_by(messages.c.position)
            .limit(limit)
        )

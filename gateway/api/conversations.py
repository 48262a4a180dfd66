"""WhatsApp conversations of a business and their messages (read-only)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from gateway.api import models
from gateway.api.common import in_thread, row
from gateway.api.deps import ApiContainer, Container, ConversationStore
from gateway.auth import OrgAccess, mask_magic_links
from readmodels.conversations import ConversationReads

router = APIRouter(tags=["conversations"])
MISSING = "No encontré esa conversación en este negocio."


def conversation_reads(request: Request) -> ConversationReads:
    """The conversations read model of the app's container (for routes that do not declare ``ConversationStore``)."""
    return request.app.state.container.conversation_reads


def conversation_shape(conversation: dict, tz: str | None, customer: dict | None = None) -> dict:
    data = row(conversation, tz)
    if customer is not None:
        data["customer_id"] = str(customer["id"])
        data["customer_name"] = customer.get("name")
    return data


def message_shape(message: dict, tz: str | None) -> dict:
    data = row(message, tz, drop=("attempts", "next_attempt_at"))
    if isinstance(data.get("content"), str):  # a magic link's placeholder reads as «[enlace de acceso]»
        data["content"] = mask_magic_links(data["content"])
    return data


async def conversation_with_customer(container: ApiContainer, reads: ConversationReads, org_id: Any, conversation_id: uuid.UUID, tz: str | None) -> dict:
    found = await in_thread(reads.get_conversation, org_id, conversation_id)
    if found is None:
        raise HTTPException(status_code=404, detail=MISSING)
    customer = await in_thread(container.reads.get_customer_by_phone, found["organization_id"], found["customer_phone"])
    data = conversation_shape(found, tz, customer)
    data.setdefault("customer_id", None)
    data.setdefault("customer_name", None)
    return data


@router.get("/organizations/{org_id}/conversations", summary="Conversaciones de WhatsApp", response_model=list[models.Conversation], response_model_exclude_unset=True)
async def list_conversations(
    scope: OrgAccess,
    reads: ConversationStore,
    status: Literal["active", "handed_off", "resolved"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict]:
    found = await in_thread(reads.list_conversations, scope.organization_id, status=status, limit=limit, offset=offset)
    return [conversation_shape(c, scope.timezone) for c in found]


@router.get("/organizations/{org_id}/conversations/{conversation_id}", summary="Una conversación", response_model=models.Conversation, response_model_exclude_unset=True)
async def get_conversation(conversation_id: uuid.UUID, scope: OrgAccess, container: Container, reads: ConversationStore) -> dict:
    return await conversation_with_customer(container, reads, scope.organization_id, conversation_id, scope.timezone)


@router.get("/organizations/{org_id}/conversations/{conversation_id}/messages", summary="Mensajes de una conversación", response_model=list[models.Message], response_model_exclude_unset=True)
async def list_messages(
    conversation_id: uuid.UUID,
    scope: OrgAccess,
    reads: ConversationStore,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict]:
    if await in_thread(reads.get_conversation, scope.organization_id, conversation_id) is None:
        raise HTTPException(status_code=404, detail=MISSING)
    found = await in_thread(reads.list_messages, conversation_id, limit=limit)
    return [message_shape(m, scope.timezone) for m in found]

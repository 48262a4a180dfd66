"""The new owner's first magic link, sent on the conversation they are already in (Parlo's
central number, inside the 24-hour window), through the same never-stored link mechanism as
``POST /auth/request-magic-link`` (gateway/security/magic_links.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from aggregates.conversation import CENTRAL_ORGANIZATION_ID
from commands import Actor
from commands.definitions import IssueMagicLink, QueueOutboundMessage
from gateway.security import magic_links

ACTOR = Actor.system("onboarding")
BODY = (
    "Este es tu enlace para entrar al panel web de {business} en Parlo (ahí ves tu agenda, servicios y equipo):\n{url}\n\n"
    "Vence en 15 minutos y solo funciona una vez. Cuando necesites otro, pídelo en la página de acceso."
)


def login_link_sender(app: Any, *, secret: str, central_number: str, dispatch: Callable[[uuid.UUID], Any] | None) -> Callable[[uuid.UUID, str, str], None]:
    def send(organization_id: uuid.UUID, owner_phone: str, cause: str) -> None:
        owner = app.staff_for_phone(organization_id, owner_phone)
        org = app.organization_view(organization_id) or {"name": "tu negocio"}
        nonce = magic_links.new_magic_nonce()
        app.execute(
            IssueMagicLink(actor=ACTOR, cause=cause, organization_id=organization_id, staff_id=owner["id"], token=magic_links.magic_token(secret, nonce))
        )
        business = (org.get("name") or "tu negocio").replace("{", "").replace("}", "")
        result = app.execute(
            QueueOutboundMessage(
                actor=ACTOR,
                cause=cause,
                organization_id=CENTRAL_ORGANIZATION_ID,
                to_phone=owner_phone,
                body=BODY.format(business=business, url=magic_links.magic_link_placeholder(nonce)),
                kind=magic_links.MAGIC_LINK_KIND,
                message_id=uuid.uuid5(CENTRAL_ORGANIZATION_ID, f"onboarding-login:{organization_id}"),
                from_number=central_number or None,
            )
        )
        if dispatch is not None:
            dispatch(result.id)

    return send

"""HTTP endpoints of the WhatsApp channel: Twilio webhook, status callbacks, dev chat and demo page."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from aggregates.errors import DomainError
from commands.definitions import ResolveHandoff
from commands.phones import normalize_phone
from gateway.api.models import HandoffResolved
from gateway.auth import OrgAccess
from gateway.whatsapp.demo_page import DEMO_CHAT_HTML
from gateway.whatsapp.signature import is_valid, public_url

log = logging.getLogger("parlo.whatsapp.http")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
WEBHOOK_PATH = "/api/v1/webhooks/whatsapp"


_SIGNATURE_REFUSED = {"description": "Firma de Twilio inválida o ausente", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
_TWIML_OK = {
    "description": "TwiML vacío: Parlo responde después, con la API de mensajes",
    "content": {"text/xml": {"schema": {"type": "string"}, "example": EMPTY_TWIML}},
}


def _twiml() -> Response:
    return Response(content=EMPTY_TWIML, media_type="text/xml")


class DevMessage(BaseModel):
    phone: str = Field(..., max_length=40)
    text: str = Field(..., max_length=4000)
    to: str | None = Field(None, max_length=40)
    profile_name: str | None = Field(None, max_length=120)
    wait: bool = True


def install(app: FastAPI, container: Any) -> None:
    """Add the WhatsApp routes to the app. ``container.whatsapp`` (a WhatsAppGateway) is built lazily."""
    router = APIRouter()

    def gateway() -> Any:
        return container.whatsapp

    async def authentic(request: Request, form: Any) -> bool:
        wa = gateway()
        if not wa.auth_token:
            return wa.accepts_unsigned
        url = public_url(wa.public_base_url, request.url.path, request.url.query)
        return is_valid(wa.auth_token, url, form, request.headers)

    @router.get(
        WEBHOOK_PATH,
        tags=["whatsapp"],
        response_class=Response,
        responses={
            200: {
                "description": "Sin hub.challenge: el estado del webhook; con el token correcto: el challenge tal cual",
                "content": {"application/json": {"example": {"status": "ok", "channel": "whatsapp"}}, "text/plain": {"schema": {"type": "string"}}},
            },
            403: {"description": "Token de verificación inválido", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}},
        },
    )
    async def verify(
        mode: str | None = Query(None, alias="hub.mode"),
        token: str | None = Query(None, alias="hub.verify_token"),
        challenge: str | None = Query(None, alias="hub.challenge"),
    ) -> Response:
        """Webhook verification. Meta-style (hub.challenge echoed when the verify token matches);
        Twilio does not verify, a plain GET answers that the endpoint is alive."""
        if challenge is None:
            return JSONResponse({"status": "ok", "channel": "whatsapp"})
        wa = gateway()
        if mode == "subscribe" and wa.verify_token and token == wa.verify_token:
            return PlainTextResponse(challenge)
        return JSONResponse({"detail": "Token de verificación inválido."}, status_code=403)

    @router.post(WEBHOOK_PATH, tags=["whatsapp"], response_class=Response, responses={200: _TWIML_OK, 403: _SIGNATURE_REFUSED})
    async def inbound(request: Request) -> Response:
        started = time.perf_counter()
        form = await request.form()
        if not await authentic(request, form):
            log.warning("rejected webhook with a bad or missing signature")
            return JSONResponse({"detail": "Firma inválida."}, status_code=403)
        wa = gateway()
        if form.get("MessageStatus") and not form.get("Body") and not form.get("NumMedia"):
            await anyio.to_thread.run_sync(wa.record_status, form)
            return _twiml()
        result = await anyio.to_thread.run_sync(wa.receive, form)
        log.info("webhook %s %s in %.1f ms", form.get("MessageSid"), result["result"], (time.perf_counter() - started) * 1000)
        return _twiml()

    @router.post(
        WEBHOOK_PATH + "/status",
        tags=["whatsapp"],
        status_code=204,
        response_class=Response,
        responses={204: {"description": "Estado registrado (o ignorado si no se conoce)"}, 403: _SIGNATURE_REFUSED},
    )
    async def status(request: Request) -> Response:
        form = await request.form()
        if not await authentic(request, form):
            return JSONResponse({"detail": "Firma inválida."}, status_code=403)
        await anyio.to_thread.run_sync(gateway().record_status, form)
        return Response(status_code=204)

    # ---- handoff resolution from the dashboard ----------------------------------------------

    @router.post(
        "/api/v1/organizations/{org_id}/conversations/{conversation_id}/resolve-handoff",
        tags=["conversations"],
        summary="Regresar la conversación al asistente",
        response_model=HandoffResolved,
    )
    async def resolve_handoff(conversation_id: uuid.UUID, scope: OrgAccess) -> Response:
        """The team finished with a handed-off customer: the assistant answers again."""
        command = ResolveHandoff(
            actor=scope.actor, cause="api:resolve-handoff", organization_id=scope.organization_id, conversation_id=conversation_id
        )
        result = await anyio.to_thread.run_sync(container.app.execute, command)
        return JSONResponse({"conversation_id": str(result.id), "status": "active", "position": result.position})

    # ---- development only: the demo chat ------------------------------------------------------

    def dev_only() -> Any:
        wa = gateway()
        if wa.env != "development":
            return None
        return wa

    @router.post("/api/v1/dev/whatsapp/messages", tags=["dev"], include_in_schema=False)
    async def dev_message(message: DevMessage) -> Response:
        wa = dev_only()
        if wa is None:
            return JSONResponse({"detail": "No encontrado."}, status_code=404)
        to = message.to or wa.demo_number
        if not to:
            return JSONResponse({"detail": "Falta el número del negocio (to)."}, status_code=422)
        # The dev chat answers clearly (the real webhook keeps answering 200 to anything it ignores).
        try:
            normalize_phone(message.phone)
        except DomainError as error:
            return JSONResponse({"detail": f"El número del cliente (phone) no es válido: {error.message}", "code": "invalid_phone"}, status_code=422)
        try:
            to_number = normalize_phone(to)
        except DomainError as error:
            return JSONResponse({"detail": f"El número del negocio (to) no es válido: {error.message}", "code": "invalid_phone"}, status_code=422)
        if await anyio.to_thread.run_sync(wa.resolve_organization, to_number) is None:
            return JSONResponse(
                {"detail": f"Ningún negocio en Parlo usa el WhatsApp {to_number}; revisa el número del negocio (to).", "code": "unknown_number"},
                status_code=404,
            )
        sid = "SMdev" + uuid.uuid4().hex[:27]
        raw_phone = message.phone.strip()
        form = {
            "MessageSid": sid,
            "From": raw_phone if raw_phone.startswith("whatsapp:") else f"whatsapp:{raw_phone}",
            "To": to if to.startswith("whatsapp:") else f"whatsapp:{to}",
            "Body": message.text,
            "NumMedia": "0",
            "ProfileName": message.profile_name or "",
        }
        result = await anyio.to_thread.run_sync(wa.receive, form)
        outcome = None
        if message.wait and result["result"] == "stored":
            outcome = await anyio.to_thread.run_sync(wa.wait_outcome, sid, 60.0)
        return JSONResponse(
            {
                "message_sid": sid,
                "result": result["result"],
                "outcome": (outcome or {}).get("outcome"),
                "replies": list((outcome or {}).get("replies") or []),
            }
        )

    @router.get("/api/v1/dev/whatsapp/outbox", tags=["dev"], include_in_schema=False)
    async def dev_outbox(phone: str, after: int = 0) -> Response:
        wa = dev_only()
        if wa is None or not hasattr(wa.sender, "sent"):
            return JSONResponse({"detail": "No encontrado."}, status_code=404)
        raw = phone.strip()
        if raw.isdigit():  # "?phone=+52..." unencoded: the "+" arrived as a space
            raw = "+" + raw
        address = raw if raw.startswith("whatsapp:") else f"whatsapp:{raw}"
        messages = wa.sender.messages_to(address, after)
        return JSONResponse(
            {
                "messages": [
                    {"seq": m["seq"], "from": m["from"], "body": m["body"] or "", "template": m["content_sid"], "variables": m["content_variables"], "at": m["at"]}
                    for m in messages
                ]
            }
        )

    @router.get("/demo/chat", tags=["dev"], include_in_schema=False)
    async def demo_chat() -> Response:
        wa = dev_only()
        if wa is None:
            return JSONResponse({"detail": "No encontrado."}, status_code=404)
        config = json.dumps({"to": wa.demo_number or "", "name": wa.demo_name or "Parlo"}).replace("<", "\\u003c")
        return HTMLResponse(DEMO_CHAT_HTML.replace("__CONFIG__", config))

    app.include_router(router)
    _start_with_the_server(app, container)


def _start_with_the_server(app: FastAPI, container: Any) -> None:
    """Start the channel's background work (notifications, retries, sweep) when the server starts."""
    from contextlib import asynccontextmanager

    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Any):
        async with original(asgi_app) as state:
            started = False
            if container.settings.env == "test":  # tests start the channel themselves (or on the first webhook)
                yield state
                return
            try:
                await anyio.to_thread.run_sync(container.whatsapp.start)
                started = True
            except Exception:  # noqa: BLE001 - the first webhook starts it again
                log.exception("could not start the WhatsApp channel at startup")
            try:
                yield state
            finally:
                if started:
                    await anyio.to_thread.run_sync(container.whatsapp.stop)

    app.router.lifespan_context = lifespan

"""Sends queued outbound messages: one at a time per message (a claim lease), retried with backoff.

The queued event stays pending until Twilio accepts the message; failures are recorded with the
time of the next attempt, and whoever runs the retries (a timer in-process, a deferred arq job, the
pending sweep) calls :meth:`OutboundDispatcher.dispatch` again. Outside the 24-hour window only an
approved template (content SID per message kind) may go; without one the message fails with a
clear reason instead of being silently dropped by WhatsApp.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from commands import Actor
from commands.definitions import ClaimOutboundMessage, RecordOutboundFailed, RecordOutboundSent
from commands.phones import whatsapp_address
from gateway.whatsapp.sender import Sender, SendError

log = logging.getLogger("parlo.whatsapp.dispatcher")
ACTOR = Actor.system("whatsapp-dispatcher")


class OutboundDispatcher:
    def __init__(
        self,
        app: Any,
        sender: Sender,
        *,
        templates: dict[str, str] | None = None,
        central_number: str = "",
        status_callback: str | None = None,
        retry_base_seconds: float = 2.0,
        retry_max_seconds: float = 900.0,
        lease_seconds: float = 60.0,
        schedule_retry: Callable[[uuid.UUID, datetime], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        render_body: Callable[[str, str], str] | None = None,
    ) -> None:
        self.app = app
        self.sender = sender
        self.templates = dict(templates or {})
        self.central_number = central_number
        self.status_callback = status_callback
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds
        self.lease_seconds = lease_seconds
        self.schedule_retry = schedule_retry
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        # ``render_body(kind, body) -> str``: the text that really goes out, computed right before
        # sending (magic links: the stored placeholder becomes the login URL; nothing secret is stored).
        self.render_body = render_body
        self.sends = 0
        self.failures = 0

    def backoff(self, attempts: int) -> float:
        delay = min(self.retry_base_seconds * 2 ** max(0, attempts - 1), self.retry_max_seconds)
        return delay * random.uniform(0.9, 1.1)

    def dispatch(self, message_id: uuid.UUID) -> dict:
        """Try to send one message now. Returns {"result": sent|retry|failed|skipped, ...}."""
        message_id = uuid.UUID(str(message_id))
        cause = f"dispatch:{message_id}"
        claim = self.app.execute(
            ClaimOutboundMessage(actor=ACTOR, cause=cause, message_id=message_id, lease_seconds=self.lease_seconds)
        )
        data = claim.data
        if not data["claimed"]:
            return {"result": "skipped", "status": data["status"], "next_attempt_at": data["next_attempt_at"]}
        kind = data["kind"]
        body = self._render(kind, data["body"])
        use_template = bool(data["force_template"] or not data["within_window"])
        content_sid = None
        variables = None
        if use_template:
            content_sid = self.templates.get(kind)
            if not content_sid:
                reason = (
                    "Fuera de la ventana de 24 horas de WhatsApp y no hay plantilla aprobada "
                    f"para mensajes de tipo «{kind}» (configura PARLO_TWILIO_TEMPLATES)."
                )
                return self._fail(message_id, cause, "no_template", reason, retry_at=None)
            variables = data["template_variables"]
            if variables:
                variables = {key: self._render(kind, value) for key, value in variables.items()}
            else:
                variables = {"1": body}
        from_address = whatsapp_address(data["from_number"] or self.central_number)
        try:
            result = self.sender.send(
                from_address=from_address,
                to_address=data["to_address"],
                body=body,  # with a template the real sender sends only content_sid + variables
                content_sid=content_sid,
                content_variables=variables,
                status_callback=self.status_callback,
            )
        except SendError as error:
            self.failures += 1
            if error.outside_window and not use_template:
                if self.templates.get(kind):
                    # Free-form refused (63016): go again at once, this time with the approved template.
                    self._fail(message_id, cause, error.code, error.message, retry_at=self.clock(), use_template=True)
                    return self.dispatch(message_id)
                reason = f"WhatsApp rechazó el mensaje fuera de la ventana de 24 horas y no hay plantilla para «{kind}»."
                return self._fail(message_id, cause, error.code, reason, retry_at=None)
            if error.retryable:
                return self._retry(message_id, cause, error.code, error.message, data["attempts"])
            return self._fail(message_id, cause, error.code, error.message, retry_at=None)
        except Exception as error:  # noqa: BLE001 - unknown trouble: keep the message, try later
            self.failures += 1
            log.exception("sending %s failed", message_id)
            return self._retry(message_id, cause, type(error).__name__, str(error), data["attempts"])
        self.sends += 1
        self.app.execute(
            RecordOutboundSent(
                actor=ACTOR, cause=cause, message_id=message_id, twilio_sid=result.sid, status=result.status, content_sid=content_sid
            )
        )
        return {"result": "sent", "sid": result.sid, "template": content_sid}

    def _render(self, kind: str, body: Any) -> Any:
        if self.render_body is None or not isinstance(body, str):
            return body
        return self.render_body(kind, body)

    def _retry(self, message_id: uuid.UUID, cause: str, code: str, message: str, attempts: int) -> dict:
        retry_at = self.clock() + timedelta(seconds=self.backoff(attempts))
        self._fail(message_id, cause, code, message, retry_at=retry_at)
        if self.schedule_retry is not None:
            self.schedule_retry(message_id, retry_at)
        return {"result": "retry", "code": code, "retry_at": retry_at}

    def _fail(
        self, message_id: uuid.UUID, cause: str, code: str, message: str, *, retry_at: datetime | None, use_template: bool = False
    ) -> dict:
        self.app.execute(
            RecordOutboundFailed(
                actor=ACTOR,
                cause=cause,
                message_id=message_id,
                error_code=str(code),
                error_message=message,
                retry_at=retry_at,
                use_template=use_template,
            )
        )
        if retry_at is None:
            log.warning("outbound %s failed for good: %s %s", message_id, code, message)
        return {"result": "failed" if retry_at is None else "retry", "code": code, "reason": message}

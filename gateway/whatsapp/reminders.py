"""Appointment reminders: "Te mandaré un recordatorio un día antes", kept.

A sweep (every few minutes: a thread of the in-process jobs, or an arq cron job in infra/worker.py)
reads the appointments due a reminder from the read models (``readmodels.reminders.ReminderReads``),
re-checks each against the write model (the read side lags: the appointment may have been cancelled
or moved a moment ago), then

1. queues the WhatsApp message with ``QueueOutboundMessage(kind="reminder")`` under the deterministic
   id ``uuid5(appointment_id, "reminder")``: a retried or concurrent sweep finds it queued already
   (``created: False``) and queues nothing new, so a customer never gets two reminders;
2. records ``RecordReminderSent`` (idempotent in the aggregate), which takes the appointment off
   the due list once the projections catch up.

Sending is not done here: the WhatsApp dispatch policy (policies/whatsapp.py) enqueues every
queued non-reply message for the dispatcher, which switches to the approved "reminder" template
outside the 24-hour window.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from agent.spanish.format import format_at_time, format_day_phrase
from aggregates.errors import DomainError
from commands import Actor
from commands.definitions import QueueOutboundMessage, RecordReminderSent
from vocabulary.statuses import LIVE_APPOINTMENT_STATUSES

log = logging.getLogger("parlo.whatsapp.reminders")
ACTOR = Actor.system("reminders")
LIVE = LIVE_APPOINTMENT_STATUSES

REMINDER_TEXT = (
    "¡Hola{name}! Te recuerdo tu cita de {service} {when} en {business}. "
    "Si necesitas cambiarla o cancelarla, escríbeme aquí."
)


def reminder_message_id(appointment_id: Any) -> uuid.UUID:
    """The one message id a reminder of this appointment can ever have."""
    return uuid.uuid5(uuid.UUID(str(appointment_id)), "reminder")


def _first_name(name: str | None) -> str:
    parts = (name or "").split()
    return parts[0] if parts else ""


def _service_phrase(name: str | None) -> str:
    """'Corte de cabello' -> 'corte de cabello' (inside a sentence); acronyms ('VIP ...') stay."""
    text = " ".join((name or "").split()) or "servicio"
    if len(text) > 1 and text[1].isupper():
        return text
    return text[0].lower() + text[1:]


def when_phrase(start: datetime, tz: str, now: datetime) -> str:
    """'mañana sábado 16 de enero a las 11:30 AM' (the business's wall clock, relative to its today)."""
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    today = now.astimezone(zone).date()
    return f"{format_day_phrase(local.date(), today)} {format_at_time(local)}"


def reminder_text(
    *, customer_name: str | None, service_name: str | None, business_name: str, start: datetime, tz: str, now: datetime
) -> tuple[str, dict[str, str]]:
    """The Spanish body and the template variables ({"1": first name, "2": service, "3": when})."""
    first = _first_name(customer_name)
    service = _service_phrase(service_name)
    when = when_phrase(start, tz, now)
    body = REMINDER_TEXT.format(name=f" {first}" if first else "", service=service, when=when, business=business_name)
    variables = {"1": first or "cliente", "2": service, "3": when}  # WhatsApp refuses empty variables
    return body, variables


class ReminderSweeper:
    """Finds due reminders and queues each exactly once. ``sweep()`` is safe to run concurrently."""

    def __init__(
        self,
        app: Any,
        reads: Any,
        *,
        clock: Callable[[], datetime] | None = None,
        limit: int = 500,
    ) -> None:
        self.app = app
        self.reads = reads
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.limit = limit
        self.runs = 0
        self.queued = 0

    def now(self) -> datetime:
        return self.clock().astimezone(timezone.utc)

    def sweep(self, run_id: str | None = None) -> dict:
        """One pass. Returns counts (due/queued/already_queued/skipped/failed), the run id and
        ``position`` (the last event written; wait for it to read ``reminder_sent_at``)."""
        now = self.now()
        run_id = run_id or f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        cause = f"reminders:{run_id}"
        summary: dict[str, Any] = {
            "run_id": run_id, "due": 0, "queued": 0, "already_queued": 0, "skipped": 0, "failed": 0, "position": None,
        }
        rows = self.reads.list_due_reminders(now, limit=self.limit)
        summary["due"] = len(rows)
        for row in rows:
            try:
                outcome, position = self._remind(row, now, cause)
            except Exception:  # noqa: BLE001 - one bad appointment must not stop the others
                log.exception("reminder for appointment %s failed; the next sweep tries again", row.get("appointment_id"))
                summary["failed"] += 1
                continue
            summary[outcome] += 1
            if position is not None:
                summary["position"] = max(summary["position"] or 0, position)
        self.runs += 1
        self.queued += summary["queued"]
        if summary["due"]:
            log.info("reminder sweep %s: %s", run_id, {k: v for k, v in summary.items() if k != "run_id"})
        return summary

    def _remind(self, row: dict, now: datetime, cause: str) -> tuple[str, int | None]:
        appointment_id = uuid.UUID(str(row["appointment_id"]))
        # The read model lags the event store: decide on the write model's current state.
        context = self.app.appointment_notice_context(appointment_id)
        if context is None or context["status"] not in LIVE:
            return "skipped", None
        phone = context.get("customer_phone") or ""
        if not phone.startswith("+"):
            return "skipped", None  # a walk-in without a phone
        start = context["scheduled_start"]
        if not (now < start <= now + timedelta(hours=float(row["hours_before"]))):
            return "skipped", None  # moved since the read model saw it; a later sweep decides again
        organization_id = context["organization_id"]
        body, variables = reminder_text(
            customer_name=context.get("customer_name"),
            service_name=context.get("service_name"),
            business_name=context.get("organization_name") or row.get("organization_name") or "",
            start=start,
            tz=context.get("timezone") or row["timezone"],
            now=now,
        )
        try:
            queued = self.app.execute(
                QueueOutboundMessage(
                    actor=ACTOR,
                    cause=cause,
                    organization_id=organization_id,
                    to_phone=phone,
                    body=body,
                    kind="reminder",
                    template_variables=variables,
                    message_id=reminder_message_id(appointment_id),
                )
            )
        except DomainError as error:
            # Not recorded as sent (it was not): the next sweep tries again, until the appointment starts.
            log.warning("reminder for appointment %s not queued: %s", appointment_id, error)
            return "failed", None
        created = bool(queued.data.get("created"))
        # Queued now or by an earlier (crashed or concurrent) run: either way the reminder exists.
        recorded = self._record(organization_id, appointment_id, now, cause)
        position = max((p for p in (queued.position, recorded) if p is not None), default=None)
        return ("queued" if created else "already_queued"), position

    def _record(self, organization_id: uuid.UUID, appointment_id: uuid.UUID, now: datetime, cause: str) -> int | None:
        result = self.app.execute(
            RecordReminderSent(actor=ACTOR, cause=cause, organization_id=organization_id, appointment_id=appointment_id, at=now)
        )
        return result.position


__all__ = ["ReminderSweeper", "reminder_message_id", "reminder_text", "when_phrase", "REMINDER_TEXT"]

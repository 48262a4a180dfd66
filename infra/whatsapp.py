"""Wiring of the WhatsApp channel: its settings, the sender, and the policies that react to events.

The reactions (team notifications for appointment changes, dispatch of queued non-reply
messages) are policies (policies/whatsapp.py) run by a ``PolicyRunner`` with its own tracking
positions and this container's clock: never by the projections, so a rebuild sends nothing.

``build_whatsapp(container)`` returns the ``WhatsAppGateway`` that ``container.whatsapp`` holds.
Jobs run in-process by default (PARLO_JOBS=inprocess); with PARLO_JOBS=arq the webhook enqueues
arq jobs on Redis and ``parlo worker`` runs them (infra/worker.py).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


log = logging.getLogger("parlo.whatsapp")


class WhatsAppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # {"notification": "HX...", "reminder": "HX...", "handoff": "HX...", ...}: approved templates per kind,
    # the only thing WhatsApp lets through outside the 24-hour window.
    templates: dict[str, str] = Field(default_factory=dict, validation_alias="PARLO_TWILIO_TEMPLATES")
    jobs: Literal["inprocess", "arq"] = Field("inprocess", validation_alias="PARLO_JOBS")
    verify_token: str | None = Field(None, validation_alias="PARLO_WHATSAPP_VERIFY_TOKEN")
    retry_base_seconds: float = Field(2.0, validation_alias="PARLO_WHATSAPP_RETRY_BASE_SECONDS")
    retry_max_seconds: float = Field(900.0, validation_alias="PARLO_WHATSAPP_RETRY_MAX_SECONDS")
    lease_seconds: float = Field(60.0, validation_alias="PARLO_WHATSAPP_LEASE_SECONDS")
    sweep_interval_seconds: float = Field(30.0, validation_alias="PARLO_WHATSAPP_SWEEP_SECONDS")
    inbound_stale_seconds: float = Field(60.0, validation_alias="PARLO_WHATSAPP_INBOUND_STALE_SECONDS")
    twilio_timeout_seconds: float = Field(10.0, validation_alias="PARLO_TWILIO_TIMEOUT_SECONDS")
    status_callbacks: bool = Field(True, validation_alias="PARLO_WHATSAPP_STATUS_CALLBACKS")
    arq_queue: str = Field("parlo:whatsapp", validation_alias="PARLO_ARQ_QUEUE")
    # Appointment reminders (gateway/whatsapp/reminders.py): how often the in-process jobs sweep
    # (arq runs its own cron every 5 minutes, infra/worker.py).
    reminder_sweep_seconds: float = Field(300.0, validation_alias="PARLO_REMINDER_SWEEP_SECONDS")


def build_sender(container: Any) -> Any:
    settings = container.settings
    wa_settings = container.whatsapp_settings
    if settings.twilio_account_sid and settings.twilio_auth_token is not None:
        from infra.twilio_client import TwilioSender

        return TwilioSender(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            settings.twilio_api_url,
            timeout=wa_settings.twilio_timeout_seconds,
        )
    from gateway.whatsapp.sender import MockSender

    log.warning("TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN not set: WhatsApp messages are recorded, not sent")
    return MockSender()


def build_whatsapp(container: Any, *, jobs: Any = None) -> Any:
    """The WhatsAppGateway with processor, dispatcher, jobs and the policy runner."""
    from commands.phones import normalize_phone
    from gateway.whatsapp.dispatcher import OutboundDispatcher
    from gateway.whatsapp.jobs import InProcessJobs
    from gateway.whatsapp.notifier import AppointmentNotifier
    from gateway.whatsapp.processor import InboundProcessor
    from gateway.whatsapp.reminders import ReminderSweeper
    from gateway.whatsapp.service import WhatsAppGateway
    from policies.base import DispatchOutbound
    from policies.runner import PolicyRunner
    from policies.whatsapp import OutboundDispatchPolicy, TeamNotificationPolicy
    from readmodels.reminders import ReminderReads

    settings = container.settings
    wa_settings = container.whatsapp_settings
    clock = container.clock or (lambda: datetime.now(timezone.utc))
    central = normalize_phone(settings.central_whatsapp_number) if settings.central_whatsapp_number else ""
    sender = container.whatsapp_sender
    conversation_reads = container.conversation_reads
    container.projections  # noqa: B018 - make sure the read-model tables exist
    status_callback = (
        settings.public_base_url.rstrip("/") + "/api/v1/webhooks/whatsapp/status" if wa_settings.status_callbacks else None
    )
    holder: dict[str, Any] = {}

    def schedule_retry(message_id: uuid.UUID, at: datetime) -> None:
        holder["jobs"].enqueue_outbound(message_id, at)

    from gateway.security.magic_links import outbound_renderer

    dispatcher = OutboundDispatcher(
        container.app,
        sender,
        # The dev mock delivers magic links outside the 24-hour window too (README: the dev outbox).
        templates={**getattr(sender, "templates", {}), **wa_settings.templates},
        central_number=central,
        status_callback=status_callback,
        retry_base_seconds=wa_settings.retry_base_seconds,
        retry_max_seconds=wa_settings.retry_max_seconds,
        lease_seconds=wa_settings.lease_seconds,
        schedule_retry=schedule_retry,
        clock=clock,
        # Magic-link messages are stored with a placeholder; the login URL is derived (HMAC of the
        # secret key) only here, right before sending.
        render_body=outbound_renderer(settings.secret_key.get_secret_value(), settings.public_base_url),
    )
    processor = InboundProcessor(
        container.app,
        agent_factory=lambda: container.agent,
        reads=container.reads,
        conversation_reads=conversation_reads,
        dispatch=dispatcher.dispatch,
        central_number=central,
        wait_for=container.wait_for,
        team_agent_factory=lambda: container.team_agent,
    )
    from infra.provisioning import build_onboarding

    processor.onboarding = build_onboarding(container, central, lambda message_id: holder["jobs"].enqueue_outbound(message_id))
    reminders = ReminderSweeper(container.app, ReminderReads(container.engine), clock=clock)
    if jobs is None:
        if wa_settings.jobs == "arq":
            from infra.worker import ArqJobs

            jobs = ArqJobs(settings.redis_url, queue_name=wa_settings.arq_queue, clock=clock)
        else:
            jobs = InProcessJobs(
                drain=processor.drain,
                dispatch=dispatcher.dispatch,
                conversation_reads=conversation_reads,
                clock=clock,
                sweep_interval=wa_settings.sweep_interval_seconds,
                inbound_stale_seconds=wa_settings.inbound_stale_seconds,
                reminders=reminders.sweep,
                reminder_interval=wa_settings.reminder_sweep_seconds,
            )
    holder["jobs"] = jobs
    notifier = AppointmentNotifier(container.app, clock=clock)

    def enqueue(job: Any) -> None:
        if not isinstance(job, DispatchOutbound):
            raise TypeError(f"no job queue for {job!r}")
        holder["jobs"].enqueue_outbound(job.message_id)

    # Same loop as before: in this process (in-process jobs) or in ``parlo worker`` (arq).
    reactions = PolicyRunner(
        container.app,
        container.engine,
        [TeamNotificationPolicy(notifier), OutboundDispatchPolicy()],
        clock=clock,
        enqueue=enqueue,
    )
    run_reactions_here = wa_settings.jobs != "arq"

    def on_start() -> None:
        if run_reactions_here:
            reactions.start()

    def on_stop() -> None:
        reactions.stop()

    gateway = WhatsAppGateway(
        app=container.app,
        processor=processor,
        dispatcher=dispatcher,
        jobs=jobs,
        sender=sender,
        reads=container.reads,
        conversation_reads=conversation_reads,
        central_number=central,
        auth_token=settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None,
        public_base_url=settings.public_base_url,
        env=settings.env,
        verify_token=wa_settings.verify_token,
        on_start=on_start,
        on_stop=on_stop,
    )
    gateway.notifier = notifier
    gateway.reactions = gateway.policies = reactions
    gateway.reminders = reminders  # arq's cron (infra/worker.py send_reminders) runs reminders.sweep
    return gateway

"""The composition root: the one place that builds and wires Parlo's parts.

Nothing is created at import time; every part receives what it needs from here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import cached_property

from sqlalchemy import Engine, text

from commands import ParloApplication
from infra.persistence import create_readmodel_engine, ensure_database, event_store_env
from infra.settings import Settings

log = logging.getLogger("parlo.health")


class Container:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self._closers: list[Callable[[], None]] = []

    @cached_property
    def app(self) -> ParloApplication:
        ensure_database(self.settings)
        # Processes started together (serve, projections, worker) race on CREATE TABLE IF NOT EXISTS,
        # which PostgreSQL can refuse with "tuple concurrently updated": the loser simply tries again.
        for attempt in range(5):
            try:
                application = ParloApplication(event_store_env(self.settings), clock=self.clock)
                break
            except Exception as error:  # noqa: BLE001 - only the table-creation race is retried
                if "concurrently" not in str(error) or attempt == 4:
                    raise
                time.sleep(0.1 * (attempt + 1))
        self._closers.append(application.close)
        return application

    @cached_property
    def engine(self) -> Engine:
        ensure_database(self.settings)
        engine = create_readmodel_engine(self.settings)
        self._closers.append(engine.dispose)
        return engine

    @cached_property
    def availability(self):
        from readmodels.availability import AvailabilityService

        return AvailabilityService(self.engine)

    # ---- read side: projections (issue #4) ------------------------------------------------

    @cached_property
    def projections(self):
        """The ProjectionRunner with every projection (tables and tracking rows created)."""
        from projections.registry import all_projections
        from projections.runner import ProjectionRunner

        runner = ProjectionRunner(self.app, self.engine, all_projections())
        self._closers.append(runner.stop)
        return runner

    @cached_property
    def reads(self):
        from readmodels.queries import ReadStore

        return ReadStore(self.engine)

    def start_projection_thread(self):
        """Embedded default: run the projections in a background thread of this process."""
        return self.projections.start()

    def wait_for(self, position: int | None, timeout: float = 10.0) -> bool:
        """Read-your-writes: block until every projection has processed ``position`` (None: no-op)."""
        if position is None:
            return True
        return self.projections.wait_for(position, timeout)

    # ---- the customer agent (issue #5) -------------------------------------------------------

    @cached_property
    def llm(self):
        """The agent's LLM engine, or None without OPENAI_API_KEY (the offline engine answers)."""
        from infra.llm_client import build_llm_engine

        return build_llm_engine(self.settings)

    @cached_property
    def agent(self):
        """``CustomerAgent``: the gateway calls ``container.agent.handle(turn)``."""
        from agent.service import CustomerAgent

        return CustomerAgent(
            app=self.app,
            reads=self.reads,
            availability=self.availability,
            wait_for=self.wait_for,
            llm=self.llm,
            clock=self.clock,
        )

    @cached_property
    def team_agent(self):
        """``TeamAgent``: staff, admins, owners and viewers writing to their business's number (issue #10)."""
        from agent.team.service import TeamAgent

        # The same OpenAI client as the customer agent (None without a key: offline team engine).
        return TeamAgent(app=self.app, reads=self.reads, wait_for=self.wait_for, clock=self.clock, llm=self.llm)

    # ---- WhatsApp channel (issue #5, gateway) ------------------------------------------------

    @cached_property
    def whatsapp_settings(self):
        from infra.whatsapp import WhatsAppSettings

        return WhatsAppSettings()

    @cached_property
    def whatsapp_sender(self):
        """TwilioSender with credentials, else a MockSender that records the messages."""
        from infra.whatsapp import build_sender

        return build_sender(self)

    @cached_property
    def conversation_reads(self):
        from readmodels.conversations import ConversationReads

        return ConversationReads(self.engine)

    @cached_property
    def whatsapp(self):
        """The WhatsAppGateway (webhook handling, processing, dispatch, notifications)."""
        from infra.whatsapp import build_whatsapp

        gateway = build_whatsapp(self)
        self._closers.append(gateway.stop)
        return gateway

    def store_is_reachable(self) -> tuple[bool, str]:
        """(True, "reachable") or (False, "unreachable"). The error itself only goes to the log:
        /health is public and must not reveal hosts, users or driver messages."""
        try:
            self.app.recorder.max_notification_id()
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - health reports any failure
            log.exception("health check: the event store or the read models are unreachable")
            return False, "unreachable"
        return True, "reachable"

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()

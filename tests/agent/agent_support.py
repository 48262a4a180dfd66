"""Helpers for the agent tests: the demo business on SQLite with projections, and a chat driver.

``AgentWorld(tmp_path, clock)`` seeds Barbería Don Carlos into a SQLite event store, projects it
into read models in the same file, and builds a ``CustomerAgent`` (optionally with an LLM).
``world.chat(phone)`` returns a ``Chat`` that keeps the conversation state and history the way
the gateway does, so a dialogue is a list of ``chat.say("...")`` calls.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timezone
from typing import Any

from agent.service import AgentOutcome, AgentTurn, CustomerAgent
from infra.seed import seed_demo

_counter = itertools.count(1)


class AgentWorld:
    def __init__(self, tmp_path, clock, llm: Any = None) -> None:
        from infra.container import Container
        from infra.settings import Settings

        self.clock = clock
        self.settings = Settings(_env_file=None, PARLO_DATABASE_URL=f"sqlite:///{tmp_path / 'parlo.db'}", PARLO_ENV="test")
        self.container = Container(self.settings, clock=clock)
        self.app = self.container.app
        self.demo = seed_demo(self.app)
        self.runner = _runner(self.container)
        from readmodels.availability import AvailabilityService
        from readmodels.queries import ReadStore

        self.reads = getattr(self.container, "reads", None) or ReadStore(self.container.engine)
        self.availability = AvailabilityService(self.container.engine)
        self.catch_up()
        self.agent = self.make_agent(llm)

    def make_agent(self, llm: Any = None) -> CustomerAgent:
        return CustomerAgent(
            app=self.app,
            reads=self.reads,
            availability=self.availability,
            wait_for=self.wait_for,
            llm=llm,
            clock=self.clock,
        )

    def catch_up(self) -> None:
        for _ in range(100):
            if not self.runner.run_once():
                break

    def wait_for(self, position: int | None, timeout: float = 10.0) -> bool:
        self.catch_up()
        return self.runner.wait_for(position, timeout=timeout)

    @property
    def org_id(self) -> uuid.UUID:
        return self.demo.organization_id

    def service_id(self, name: str) -> uuid.UUID:
        return self.demo.service_ids[name]

    def chat(self, phone: str = "+525599990001", profile_name: str | None = None, agent: CustomerAgent | None = None) -> Chat:
        return Chat(self, phone, profile_name, agent)

    def appointments(self, phone: str | None = None, status: str | None = None) -> list[dict]:
        self.catch_up()
        rows = self.reads.list_appointments(self.org_id, status=status)
        if phone is not None:
            customer = self.reads.get_customer_by_phone(self.org_id, phone)
            if customer is None:
                return []
            rows = [r for r in rows if r["customer_id"] == customer["id"]]
        return rows

    def customer(self, phone: str) -> dict | None:
        self.catch_up()
        return self.reads.get_customer_by_phone(self.org_id, phone)

    def close(self) -> None:
        self.container.close()


def _runner(container: Any) -> Any:
    runner = getattr(type(container), "projections", None)
    if runner is not None:
        try:
            return container.projections
        except Exception:  # noqa: BLE001 - fall back to building the runner here
            pass
    from projections.appointments import AppointmentsProjection, StaffBlocksProjection
    from projections.organizations import OrganizationsProjection
    from projections.people import CustomersProjection, StaffProjection
    from projections.runner import ProjectionRunner

    return ProjectionRunner(
        container.app,
        container.engine,
        [OrganizationsProjection, StaffProjection, CustomersProjection, AppointmentsProjection, StaffBlocksProjection],
    )


class Chat:
    """One customer's WhatsApp conversation, stored the way the gateway stores it."""

    def __init__(self, world: AgentWorld, phone: str, profile_name: str | None, agent: CustomerAgent | None) -> None:
        self.world = world
        self.phone = phone
        self.profile_name = profile_name
        self.agent = agent or world.agent
        self.state: dict = {}
        self.history: list[dict] = []
        self.outcomes: list[AgentOutcome] = []
        self.transcript: list[str] = []

    def say(self, text: str) -> str:
        turn = AgentTurn(
            organization_id=self.world.org_id,
            customer_phone=self.phone,
            text=text,
            message_id=f"SM{next(_counter):032x}",
            profile_name=self.profile_name,
            state=self.state,
            history=list(self.history),
            received_at=self.world.clock().astimezone(timezone.utc),
        )
        outcome = self.agent.handle(turn)
        self.outcomes.append(outcome)
        self.state = outcome.state
        self.history.append({"role": "customer", "text": text})
        self.transcript.append(f"Cliente: {text}")
        for reply in outcome.replies:
            self.history.append({"role": "assistant", "text": reply})
            self.transcript.append(f"Parlo: {reply}")
        return "\n".join(outcome.replies)

    @property
    def last(self) -> AgentOutcome:
        return self.outcomes[-1]

    @property
    def handoff_reason(self) -> str | None:
        return next((o.handoff_reason for o in reversed(self.outcomes) if o.handoff_reason), None)

    def dump(self) -> str:
        return "\n".join(self.transcript)


def now_utc(clock) -> datetime:
    return clock().astimezone(timezone.utc)

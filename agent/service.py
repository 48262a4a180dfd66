"""The customer agent: one inbound WhatsApp message in, replies and new state out.

With an LLM configured the turn goes through the OpenAI tool loop (``agent.llm``); without one,
or when the API fails or times out, the deterministic Spanish engine (``agent.offline``) handles
the same turn. Both act only through ``CustomerTools``, scoped to (organization, customer phone);
the LLM reaches them through ``agent.toolbox.ToolSession`` (propose first, confirm next turn).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from agent.offline.engine import OfflineEngine
from agent.toolbox import PROPOSALS_KEY, ToolSession
from agent.tools import CustomerTools, ToolError

log = logging.getLogger(__name__)


@dataclass
class AgentTurn:
    organization_id: UUID
    customer_phone: str  # E.164
    text: str
    message_id: str  # MessageSid: the cause of every command the agent issues
    profile_name: str | None
    state: dict  # stored agent state of this conversation ({} at first)
    history: list[dict]  # [{"role": "customer"|"assistant", "text": ...}] oldest first
    received_at: datetime


@dataclass
class AgentOutcome:
    replies: list[str]
    state: dict  # new state to store with the conversation
    handoff_reason: str | None = None  # set: the gateway marks the conversation handed off
    engine: str = field(default="offline", compare=False)  # "llm" | "offline" (diagnostics)


LLM_COOLDOWN_SECONDS = 30.0
FALLBACK_REPLY = "Perdón, tuve un problema para revisar la agenda. ¿Me lo repites en un momento, por favor?"


class CustomerAgent:
    def __init__(
        self,
        *,
        app: Any,
        reads: Any,
        availability: Any,
        wait_for: Callable[..., Any] | None,
        llm: Any = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.app = app
        self.reads = reads
        self.availability = availability
        self.wait_for = wait_for
        self.clock = clock
        self.offline = OfflineEngine()
        self.llm = _as_engine(llm)
        # After an API failure the LLM is skipped for a while: every turn would otherwise wait
        # for the full timeout before falling back while the API is down.
        self.llm_cooldown_seconds = LLM_COOLDOWN_SECONDS
        self._llm_down_until = 0.0

    def _now(self, turn: AgentTurn) -> datetime:
        if self.clock is not None:
            return self.clock()
        return datetime.now(timezone.utc)

    def tools_for(self, turn: AgentTurn) -> CustomerTools:
        return CustomerTools(
            app=self.app,
            reads=self.reads,
            availability=self.availability,
            wait_for=self.wait_for,
            organization_id=turn.organization_id,
            customer_phone=turn.customer_phone,
            message_id=turn.message_id,
            now=self._now(turn),
        )

    def handle(self, turn: AgentTurn) -> AgentOutcome:
        state = dict(turn.state or {})
        offline_state = state.get("offline") if isinstance(state.get("offline"), dict) else _legacy(state)
        if self.llm is not None and time.monotonic() >= self._llm_down_until:
            tools = self.tools_for(turn)
            session = ToolSession.for_turn(tools, turn, state.get(PROPOSALS_KEY))
            try:
                replies = self.llm.run(turn, tools, session)
            except Exception as error:  # noqa: BLE001 - any API/transport failure degrades to offline
                log.warning("LLM turn failed (%s: %s); using the offline engine", type(error).__name__, error)
                self._llm_down_until = time.monotonic() + self.llm_cooldown_seconds
                done = [a for a in tools.actions if a.kind != "named"]
                if done:
                    # Something already happened this turn: report it instead of re-interpreting.
                    new_state = {**state, "offline": {}, PROPOSALS_KEY: {}, "llm_failures": int(state.get("llm_failures", 0)) + 1}
                    return AgentOutcome([a.summary for a in done], new_state, tools.handoff_reason, engine="llm")
            else:
                # The model carries the conversation (from the history); a later fallback starts fresh.
                # Proposals live for one customer turn: the ones shown in these replies.
                new_state = {**state, "llm_failures": 0, "offline": {}, PROPOSALS_KEY: session.state()}
                return AgentOutcome(replies, new_state, tools.handoff_reason, engine="llm")
            state["llm_failures"] = int(state.get("llm_failures", 0)) + 1
        return self._offline(turn, state, offline_state)

    def _offline(self, turn: AgentTurn, state: dict, offline_state: dict) -> AgentOutcome:
        tools = self.tools_for(turn)
        try:
            replies, new_offline, handoff = self.offline.handle(turn.text, offline_state, tools, turn.profile_name)
        except ToolError as error:
            replies, new_offline, handoff = [str(error)], offline_state, None
        except Exception:  # noqa: BLE001 - never leave the customer without an answer
            log.exception("offline engine failed")
            replies, new_offline, handoff = [FALLBACK_REPLY], offline_state, None
        # The offline engine keeps its own confirmations: LLM proposals never outlive an offline turn.
        new_state = {k: v for k, v in state.items() if k not in _LEGACY_KEYS and k != PROPOSALS_KEY}
        new_state["offline"] = new_offline
        return AgentOutcome(replies, new_state, handoff or tools.handoff_reason, engine="offline")


_LEGACY_KEYS = ("flow", "step", "data", "status", "last_active_state", "failures", "updated_at", "last")


def _legacy(state: dict) -> dict:
    return {k: state[k] for k in _LEGACY_KEYS if k in state}


def _as_engine(llm: Any) -> Any:
    """Accept an ``LLMEngine``, a bare OpenAI-compatible client, or None."""
    if llm is None:
        return None
    if hasattr(llm, "run"):
        return llm
    if hasattr(llm, "chat"):
        from agent.llm.engine import LLMEngine

        return LLMEngine(llm)
    raise TypeError("llm must be an agent.llm.LLMEngine or an OpenAI client")

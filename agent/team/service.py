"""The team agent: a message from a staff member (any permission level) in, replies and state out.

The gateway calls ``TeamAgent.handle(...)`` for active staff writing to their business's number.
The offline dialogue state lives under ``"team"`` in the conversation's stored agent state, the
LLM path's short history and pending changes under ``"team_llm"``; the rest is kept untouched.

With an LLM configured the turn goes through the team tool loop (``agent.llm.team_engine``);
without one, while staff onboarding is in progress, or when the API fails, the offline team
engine answers. After an API failure the LLM is skipped for a while (like ``CustomerAgent``).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from agent.team.engine import TeamEngine
from agent.team.state import TeamState
from agent.team.tools import TeamToolError, TeamTools

log = logging.getLogger("parlo.team")
TROUBLE = "Perdón, tuve un problema para revisar eso 🙏 ¿Me lo repites en un momento?"
LLM_KEY = "team_llm"
HISTORY_KEPT = 16
LLM_COOLDOWN_SECONDS = 30.0


@dataclass
class TeamOutcome:
    replies: list[str]
    state: dict
    engine: str = field(default="offline", compare=False)  # "llm" | "offline" (diagnostics)


class TeamAgent:
    def __init__(self, *, app: Any, reads: Any, wait_for: Callable[..., Any] | None, clock: Callable[[], datetime] | None = None,
                 llm: Any = None) -> None:
        self.app = app
        self.reads = reads
        self.wait_for = wait_for
        self.clock = clock
        self.engine = TeamEngine()
        self.llm = _as_team_engine(llm)
        self.llm_cooldown_seconds = LLM_COOLDOWN_SECONDS
        self._llm_down_until = 0.0

    def now(self) -> datetime:
        return (self.clock or (lambda: datetime.now(timezone.utc)))()

    def tools_for(self, organization_id: uuid.UUID, staff_id: uuid.UUID, message_id: str) -> TeamTools:
        return TeamTools(app=self.app, reads=self.reads, wait_for=self.wait_for, organization_id=organization_id,
                         staff_id=staff_id, message_id=message_id, now=self.now())

    def handle(
        self, *, organization_id: uuid.UUID, staff_id: uuid.UUID, text: str, message_id: str, state: dict | None, first_message: bool = False
    ) -> TeamOutcome:
        """``first_message``: this is the first message the person ever sent (staff onboarding starts)."""
        state = dict(state or {})
        try:
            tools = self.tools_for(organization_id, staff_id, message_id)
        except TeamToolError as error:
            return TeamOutcome([str(error)], state)
        except Exception:  # noqa: BLE001 - a broken turn still gets an answer
            log.exception("team tools failed on %s", message_id)
            return TeamOutcome([TROUBLE], state)
        if self.llm is not None and time.monotonic() >= self._llm_down_until and not self._onboarding(state, tools, first_message):
            outcome = self._llm(tools, text, message_id, state)
            if outcome is not None:
                return outcome
            tools = self.tools_for(organization_id, staff_id, message_id)
        return self._offline(tools, text, message_id, state, first_message)

    def _onboarding(self, state: dict, tools: TeamTools, first_message: bool) -> bool:
        """Staff onboarding (flow 2) stays with the offline engine: it is a fixed sequence of questions."""
        team = TeamState.load(state.get("team"), tools.now)
        return team.onboarding is not None or (first_message and not team.onboarded and tools.level != "owner")

    def _llm(self, tools: TeamTools, text: str, message_id: str, state: dict) -> TeamOutcome | None:
        from agent.llm.team_engine import TeamLLMTurn, TeamSession

        memory = state.get(LLM_KEY) if isinstance(state.get(LLM_KEY), dict) else {}
        history = [h for h in memory.get("history") or [] if isinstance(h, dict)]
        session = TeamSession(tools, text=text, message_id=message_id, proposals=memory.get("proposals"))
        try:
            replies = self.llm.run(TeamLLMTurn(text=text or "", message_id=message_id, history=history), tools, session)
        except Exception as error:  # noqa: BLE001 - any API/transport failure degrades to offline
            log.warning("team LLM turn failed (%s: %s); using the offline engine", type(error).__name__, error)
            self._llm_down_until = time.monotonic() + self.llm_cooldown_seconds
            if session.done:
                # Something already happened this turn: report it instead of re-interpreting the message.
                return TeamOutcome(session.done, {**state, LLM_KEY: {"history": history, "proposals": {}}}, engine="llm")
            return None
        history = [*history, {"role": "staff", "text": text or ""}, {"role": "assistant", "text": "\n".join(replies)}][-HISTORY_KEPT:]
        # The model carries the conversation now: an offline flow left waiting must not take a later "sí".
        team = TeamState.load(state.get("team"), tools.now)
        team.clear()
        return TeamOutcome(replies, {**state, "team": team.dump(tools.now), LLM_KEY: {"history": history, "proposals": session.state()}}, engine="llm")

    def _offline(self, tools: TeamTools, text: str, message_id: str, state: dict, first_message: bool) -> TeamOutcome:
        try:
            replies, team_state = self.engine.handle(text, state.get("team"), tools, first_message=first_message)
        except TeamToolError as error:
            return TeamOutcome([str(error)], state)
        except Exception:  # noqa: BLE001 - a broken turn still gets an answer
            log.exception("team engine failed on %s", message_id)
            return TeamOutcome([TROUBLE], state)
        state["team"] = team_state
        if LLM_KEY in state:
            # LLM proposals never outlive an offline turn (the offline engine keeps its own confirmations).
            memory = state[LLM_KEY] if isinstance(state[LLM_KEY], dict) else {}
            state[LLM_KEY] = {"history": memory.get("history") or [], "proposals": {}}
        return TeamOutcome(replies, state)


def _as_team_engine(llm: Any) -> Any:
    """Accept a ``TeamLLMEngine``, the customer ``LLMEngine`` (its client and model are reused), a bare client, or None."""
    if llm is None:
        return None
    from agent.llm.team_engine import TeamLLMEngine

    if isinstance(llm, TeamLLMEngine):
        return llm
    if hasattr(llm, "client") and hasattr(llm, "run"):
        return TeamLLMEngine(llm.client, llm.model, max_rounds=llm.max_rounds, temperature=llm.temperature)
    if hasattr(llm, "chat"):
        return TeamLLMEngine(llm)
    raise TypeError("llm must be a TeamLLMEngine, an LLMEngine or an OpenAI client")

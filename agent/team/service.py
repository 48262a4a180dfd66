"""The team agent: a message from a staff member (any permission level) in, replies and state out.

The gateway calls ``TeamAgent.handle(...)`` for active staff writing to their business's number.
The dialogue state lives under ``"team"`` in the conversation's stored agent state; the rest of
that state is kept untouched.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from agent.team.engine import TeamEngine
from agent.team.tools import TeamToolError, TeamTools

log = logging.getLogger("parlo.team")
TROUBLE = "Perdón, tuve un problema para revisar eso 🙏 ¿Me lo repites en un momento?"


@dataclass
class TeamOutcome:
    replies: list[str]
    state: dict


class TeamAgent:
    def __init__(self, *, app: Any, reads: Any, wait_for: Callable[..., Any] | None, clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.reads = reads
        self.wait_for = wait_for
        self.clock = clock
        self.engine = TeamEngine()

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
            replies, team_state = self.engine.handle(text, state.get("team"), tools, first_message=first_message)
        except TeamToolError as error:
            return TeamOutcome([str(error)], state)
        except Exception:  # noqa: BLE001 - a broken turn still gets an answer
            log.exception("team engine failed on %s", message_id)
            return TeamOutcome([TROUBLE], state)
        state["team"] = team_state
        return TeamOutcome(replies, state)

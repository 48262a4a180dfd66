"""Proposals: what the assistant offered to book, move or cancel, waiting for the customer's yes.

A ``propose_*`` tool checks everything (real slot, own appointment, staff) and records a
``Proposal`` holding the exact summary the customer is shown. Only a LATER turn can commit it
(``confirm_proposal``), and only when that turn's message is an acceptance: the model can never
book in the turn it first mentions a slot, because the proposal it just made is not yet
confirmable. Proposals live in the conversation state for exactly one customer turn (the reply
they were shown in, and the customer's answer to it) and at most ``PROPOSAL_TTL``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agent.toolbox.consent import fold

PROPOSAL_TTL = timedelta(hours=2)
MAX_PER_TURN = 3
_NAMESPACE = uuid.UUID("6b1c3f0e-4a52-4d8e-9a47-2f7e0c9d5b13")


@dataclass
class Proposal:
    id: str
    kind: str  # book | reschedule | cancel
    turn: str  # the inbound message id of the turn that made it
    created_at: str  # UTC ISO
    summary: str  # exactly what the customer is shown
    key_facts: list[str]  # what the reply must mention for the proposal to count as shown
    local_start: str  # business-local ISO start of the slot it is about
    service_id: str | None = None
    start: str | None = None  # UTC ISO (book / reschedule)
    staff_id: str | None = None  # the staff member the customer is shown (None: whoever is free)
    staff_name: str | None = None
    customer_name: str | None = None
    asks_name: bool = False  # the summary asks for the customer's name
    appointment_id: str | None = None  # reschedule / cancel
    reason: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> Proposal | None:
        try:
            known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            return cls(**known)
        except TypeError:
            return None

    def shown_in(self, text: str) -> bool:
        folded = fold(text)
        return all(fold(fact) in folded for fact in self.key_facts if fact)


class ProposalBook:
    """The proposals of one conversation, for one turn (load from state, dump back into it)."""

    def __init__(self, state: Any, message_id: str, now: datetime) -> None:
        self.message_id = message_id
        self.now = now
        self._items: list[Proposal] = []
        raw = state.get("items") if isinstance(state, dict) else None
        for item in raw if isinstance(raw, list) else []:
            proposal = Proposal.from_dict(item) if isinstance(item, dict) else None
            if proposal is None:
                continue
            try:
                created = datetime.fromisoformat(proposal.created_at)
            except (TypeError, ValueError):
                continue
            if timedelta(0) <= now - created <= PROPOSAL_TTL or proposal.turn == message_id:
                self._items.append(proposal)

    # ---- reading ------------------------------------------------------------------------------

    def get(self, proposal_id: str) -> Proposal | None:
        wanted = str(proposal_id or "").strip().lower()
        return next((p for p in self._items if p.id == wanted), None)

    def confirmable(self) -> list[Proposal]:
        """Proposals shown in an earlier turn: the customer's current message may answer them."""
        return [p for p in self._items if p.turn != self.message_id]

    def made_now(self) -> list[Proposal]:
        return [p for p in self._items if p.turn == self.message_id]

    # ---- writing ------------------------------------------------------------------------------

    def new_id(self, *parts: str) -> str:
        count = len(self.made_now())
        return "p-" + uuid.uuid5(_NAMESPACE, ":".join([self.message_id, str(count), *parts])).hex[:8]

    def add(self, proposal: Proposal) -> bool:
        """Record a proposal made this turn (replacing an identical one); False when too many."""
        same = [p for p in self.made_now() if p.summary == proposal.summary]
        if same:
            proposal.id = same[0].id
            return True
        if len(self.made_now()) >= MAX_PER_TURN:
            return False
        self._items.append(proposal)
        return True

    def take(self, proposal: Proposal) -> None:
        """A committed proposal is used up; the others of its turn go with it (they were alternatives)."""
        self._items = [p for p in self._items if p.turn != proposal.turn]

    def dump(self) -> dict:
        """The state to store: only what this turn showed survives to the next one."""
        return {"items": [asdict(p) for p in self.made_now()]}

"""The offline conversation engine: deterministic Spanish flows for customers.

Every turn reads the stored ``state`` (a JSON-able dict), understands the message with the
``agent.spanish`` toolkit, acts through ``CustomerTools`` (scoped to the customer writing) and
returns the replies and the new state. Slots are only ever the AvailabilityService's.

The state is ``agent.offline.state.DialogueState`` (stored as its dict). Modules: ``core``
(plumbing), ``inquiries`` (questions and handoffs at any point), ``booking``, ``modify``,
``cancel`` (one per flow), ``slots`` (finding and offering real times), ``render`` (prompts).
"""

from __future__ import annotations

import copy

from agent.offline.booking import BookingMixin
from agent.offline.cancel import CancelMixin
from agent.offline.choices import ChoicesMixin
from agent.offline.core import DialogueBase
from agent.offline.inquiries import InquiriesMixin
from agent.offline.modify import ModifyMixin
from agent.offline.offscript import OffScriptMixin
from agent.offline.render import RenderMixin
from agent.offline.slots import SlotsMixin
from agent.offline.state import DialogueState
from agent.tools import CustomerTools


class OfflineEngine:
    """``handle(text, state, tools, profile_name) -> (replies, state, handoff_reason)``."""

    def handle(
        self, text: str, state: dict, tools: CustomerTools, profile_name: str | None = None
    ) -> tuple[list[str], dict, str | None]:
        run = _Run(text or "", DialogueState.from_dict(copy.deepcopy(state or {})), tools, profile_name)
        run.go()
        run.state.updated_at = tools.now.isoformat()
        return run.out.replies, run.state.to_dict(), run.out.handoff_reason



class _Run(OffScriptMixin, ChoicesMixin, InquiriesMixin, BookingMixin, ModifyMixin, CancelMixin, SlotsMixin, RenderMixin, DialogueBase):
    """One turn of the dialogue: the flows are mixins over the shared ``DialogueBase``."""

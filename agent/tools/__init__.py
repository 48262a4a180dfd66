"""The customer's tools: everything the agent (offline engine or LLM) may read or do.

Scoped BY CONSTRUCTION: a ``CustomerTools`` is built for one (organization, customer phone,
inbound message). No method takes a customer id or a phone: the customer is always the one
writing, every command is issued as ``Actor.customer(phone)`` with ``cause=message_id``, and an
appointment id coming from outside (an LLM tool call) is only acted on when it is one of this
customer's own upcoming appointments (the command handler checks it again).

Reads go through the ReadStore and the AvailabilityService; after a successful command the tools
wait for the projections to reach the command's position before reading again.

The model-facing side (argument models, generated schemas, the one dispatcher, and the
propose-then-confirm rule for booking, moving and cancelling) is ``agent.toolbox``; it acts only
through this class.

The class is split by purpose: ``profile`` (reads of the business and the customer), ``actions``
(the tools proper) and ``helpers`` (shared by the engines). Import from ``agent.tools``.
"""

from agent.tools.actions import CustomerTools
from agent.tools.helpers import (
    AGENT_NAMESPACE,
    LIVE_ORGANIZATION_STATUSES,
    PART_HOURS,
    WEEKDAY_KEYS,
    ActionRecord,
    ToolError,
    as_utc,
    clean_name,
    confirmation_text,
    first_name,
    spread,
    staff_mentioned,
)
from agent.tools.profile import CustomerProfile

__all__ = [
    "AGENT_NAMESPACE",
    "LIVE_ORGANIZATION_STATUSES",
    "PART_HOURS",
    "WEEKDAY_KEYS",
    "ActionRecord",
    "CustomerProfile",
    "CustomerTools",
    "ToolError",
    "as_utc",
    "clean_name",
    "confirmation_text",
    "first_name",
    "spread",
    "staff_mentioned",
]

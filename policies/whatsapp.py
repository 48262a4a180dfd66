"""The WhatsApp policies: tell the team about appointment changes, and send queued messages.

``TeamNotificationPolicy`` turns ``Appointment.Booked/Rescheduled/Cancelled`` into
``QueueOutboundMessage`` commands (ids uuid5(event, recipient): replaying queues nothing new). The
texts are written by the injected notifier (``gateway.whatsapp.notifier.AppointmentNotifier``).
The age of the event does not matter (a booking made while the worker was down must still reach
the team); the notifier skips appointments that already started.

``OutboundDispatchPolicy`` turns every queued non-reply message (notifications, reminders,
handoffs, magic links...) into a ``DispatchOutbound`` job. Replies are dispatched by the inbound
processor right after it queues them, in order. Old history (older than an hour by the runner's
clock: catching up after downtime) is not enqueued from here: the pending sweep owns it. It
re-enqueues every outbound message still ``pending`` and due (list_pending_outbound), every sweep
interval in process and every minute plus at startup under arq. Dispatch is idempotent (claim
lease + status), so nothing is lost or sent twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from aggregates.appointment import Appointment
from aggregates.conversation import OutboundMessage
from commands.definitions import QueueOutboundMessage
from policies.base import DispatchOutbound, Policy, reacts_to

LEGACY_NAME = "whatsapp_reactions"  # the projection-runner reaction these two replace


class Notices(Protocol):
    def notices(self, kind: str, event: Any, now: datetime) -> list[QueueOutboundMessage]: ...


class TeamNotificationPolicy(Policy):
    name = "whatsapp_notifications"
    replaces = LEGACY_NAME

    def __init__(self, notifier: Notices) -> None:
        self.notifier = notifier

    @reacts_to(Appointment.Booked)
    def _booked(self, event: Any, now: datetime) -> list[QueueOutboundMessage]:
        return self.notifier.notices("booked", event, now)

    @reacts_to(Appointment.Rescheduled)
    def _rescheduled(self, event: Any, now: datetime) -> list[QueueOutboundMessage]:
        return self.notifier.notices("rescheduled", event, now)

    @reacts_to(Appointment.Cancelled)
    def _cancelled(self, event: Any, now: datetime) -> list[QueueOutboundMessage]:
        return self.notifier.notices("cancelled", event, now)


class OutboundDispatchPolicy(Policy):
    name = "whatsapp_dispatch"
    replaces = LEGACY_NAME
    max_event_age = timedelta(hours=1)

    @reacts_to(OutboundMessage.Queued)
    def _queued(self, event: Any, now: datetime) -> list[DispatchOutbound]:
        if event.kind == "reply":
            return []
        return [DispatchOutbound(event.originator_id)]

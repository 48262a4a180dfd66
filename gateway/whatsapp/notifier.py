"""WhatsApp notifications to the team for every new, moved or cancelled appointment, from any source.

Driven by appointment events through a policy (policies/whatsapp.py ``TeamNotificationPolicy``,
run by the policy runner infra/whatsapp.py wires, never by the projections): ``notices`` returns
the ``QueueOutboundMessage`` commands for one event and the runner executes them. Each
notification's id is uuid5(event, recipient), so replaying an event queues nothing new: exactly
one message per event and person.

How old the event is does not matter (a booking made while the worker was down for hours must
still reach the team); what matters is the appointment: a notice about an appointment whose
start has already passed is useless, so none is sent. That also keeps a rebuild or a new
notifier catching up on history from messaging the team about long-gone appointments.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from agent.spanish.format import format_date, format_phone, format_time
from commands import Actor
from commands.definitions import QueueOutboundMessage
from gateway.whatsapp import texts

log = logging.getLogger("parlo.whatsapp.notifier")
ACTOR = Actor.system("whatsapp-notifier")
NOTIFY_NAMESPACE = uuid.UUID("0b7f3e4e-5a39-4c1e-9f7e-6d2a52c1b8a1")


def notification_id(originator_id: uuid.UUID, version: int, recipient_id: Any) -> uuid.UUID:
    return uuid.uuid5(NOTIFY_NAMESPACE, f"{originator_id}:{version}:{recipient_id}")


WALK_IN_GRACE = timedelta(minutes=30)


class AppointmentNotifier:
    def __init__(
        self,
        app: Any,
        *,
        clock: Callable[[], datetime] | None = None,
        max_age: timedelta | None = None,
        on_queued: Callable[[uuid.UUID], None] | None = None,
    ) -> None:
        self.app = app
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.max_age = max_age  # no longer used (events are not skipped for their age); kept for callers
        self.on_queued = on_queued
        self.queued = 0

    def _when(self, moment: datetime, tz: str) -> str:
        local = moment.astimezone(ZoneInfo(tz))
        return f"{format_date(local.date())}, {format_time(local)}"

    def handle(self, kind: str, event: Any) -> list[uuid.UUID]:
        """Queue the notices of one event now (``kind``: booked | rescheduled | cancelled).
        Returns the ids of the notifications queued (none when they were queued before)."""
        queued = []
        for command in self.notices(kind, event, self.clock()):
            result = self.app.execute(command)
            if result.data.get("created"):
                self.queued += 1
                queued.append(command.message_id)
                if self.on_queued is not None:
                    self.on_queued(command.message_id)
        return queued

    def notices(self, kind: str, event: Any, now: datetime) -> list[QueueOutboundMessage]:
        """The ``QueueOutboundMessage`` commands this appointment event calls for, as of ``now``
        (the policy runner's clock); executing them twice queues each message once."""
        context = self.app.appointment_notice_context(event.originator_id, event.originator_version)
        if context is None:
            return []
        if context["scheduled_start"] < now - WALK_IN_GRACE:
            # The appointment (as of this event) started a while ago: nothing useful to tell. The grace
            # keeps walk-ins booked for "now" (already a few seconds past when this runs) announced.
            return []
        actor = getattr(event, "actor", "") or ""
        tz = context["timezone"]
        customer = context["customer_name"] or (format_phone(context["customer_phone"]) if context["customer_phone"] else "Cliente")
        when = self._when(context["scheduled_start"], tz)
        recipients = self._recipients(context["organization_id"], context["staff_id"], actor)
        if kind == "rescheduled":
            previous_staff = getattr(event, "previous_staff_id", None)
            if previous_staff and previous_staff != context["staff_id"]:
                recipients += [r for r in self._recipients(context["organization_id"], previous_staff, actor) if r not in recipients]
        commands = []
        for person in recipients:
            staff_part = ""
            if person["id"] != context["staff_id"]:
                staff = self.app.staff_view(context["staff_id"])
                if staff:
                    staff_part = f" · con {staff['name'].split(' ')[0]}"
            if kind == "booked":
                body = texts.NOTIFY_NEW.format(customer=customer, service=context["service_name"], when=when, staff=staff_part)
            elif kind == "rescheduled":
                before = self._when(event.previous_start, tz)
                body = texts.NOTIFY_MOVED.format(customer=customer, service=context["service_name"], when=when, staff=staff_part, before=before)
            else:
                reason = context.get("cancellation_reason") or ""
                body = texts.NOTIFY_CANCELLED.format(
                    customer=customer, service=context["service_name"], when=when, staff=staff_part,
                    reason=f" · motivo: {reason}" if reason else "",
                )
            message_id = notification_id(event.originator_id, event.originator_version, person["id"])
            commands.append(
                QueueOutboundMessage(
                    actor=ACTOR,
                    cause=f"appointment:{event.originator_id}:{event.originator_version}",
                    organization_id=context["organization_id"],
                    to_phone=person["phone_number"],
                    body=body,
                    kind="notification",
                    message_id=message_id,
                    template_variables={"1": customer, "2": context["service_name"], "3": when},
                )
            )
        return commands

    def _recipients(self, organization_id: uuid.UUID, staff_id: uuid.UUID, actor: str) -> list[dict]:
        people = list(self.app.owner_contacts(organization_id))
        staff = self.app.staff_view(staff_id)
        if staff and staff["is_active"] and all(p["id"] != staff["id"] for p in people):
            people.append(staff)
        seen_phones = set()
        chosen = []
        for person in people:
            if actor.endswith(f":{person['id']}") or person["phone_number"] in seen_phones:
                continue  # the person who made the change already knows
            seen_phones.add(person["phone_number"])
            chosen.append(person)
        return chosen

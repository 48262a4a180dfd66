"""The team's WhatsApp notices for appointment changes (gateway/whatsapp/notifier.py) and the
policy that enqueues queued messages (policies/whatsapp.py), on the in-memory store."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aggregates.conversation import OutboundMessage
from commands import Actor
from commands.definitions import BookAppointment, CancelAppointment, QueueOutboundMessage
from gateway.whatsapp.notifier import WALK_IN_GRACE, AppointmentNotifier
from policies.runner import PolicyRunner
from policies.whatsapp import OutboundDispatchPolicy

MX = ZoneInfo("America/Mexico_City")
JUAN = "+525598765432"


def book(app, demo, start: datetime):
    return app.execute(
        BookAppointment(actor=Actor.customer(JUAN), cause=f"SM-{uuid.uuid4().hex[:6]}", organization_id=demo.organization_id,
                        service_id=demo.service_ids["Corte de cabello"], start=start, customer_name="Juan",
                        staff_id=demo.staff_ids["Miguel Sánchez"])
    )


def events_of(app, aggregate_id):
    return list(app.repository.event_store.get(aggregate_id))


def test_a_booking_made_while_the_worker_was_down_still_notifies_the_team(memory_app, demo, clock):
    # given: Juan books Thursday 11:00 on Wednesday at noon, and the notifier is down
    booked = book(memory_app, demo, datetime(2026, 1, 15, 11, tzinfo=MX))
    (event,) = events_of(memory_app, booked.id)
    notifier = AppointmentNotifier(memory_app, clock=clock)

    # when: it comes back three hours later and handles the booking
    clock.advance(hours=3)
    queued = notifier.handle("booked", event)

    # then: the owner and Miguel are told (the event's age does not matter)
    recipients = {memory_app.repository.get(message_id).to_phone for message_id in queued}
    team = {memory_app.repository.get(demo.staff_ids[name]).phone_number for name in ("Carlos Mendoza", "Miguel Sánchez")}
    assert len(queued) == 2 and recipients == team
    assert all(isinstance(memory_app.repository.get(m), OutboundMessage) for m in queued)

    # and replaying the same event queues nothing new
    assert notifier.handle("booked", event) == []


def test_no_notice_for_an_appointment_that_already_started(memory_app, demo, clock):
    # given: a booking and its cancellation, handled only well after the appointment's start
    start = datetime(2026, 1, 15, 11, tzinfo=MX)
    booked = book(memory_app, demo, start)
    memory_app.execute(CancelAppointment(actor=Actor.customer(JUAN), cause="t", organization_id=demo.organization_id, appointment_id=booked.id))
    booked_event, cancelled_event = events_of(memory_app, booked.id)
    notifier = AppointmentNotifier(memory_app, clock=clock)
    clock.set(start + WALK_IN_GRACE + timedelta(minutes=1))
    before = memory_app.recorder.max_notification_id()

    # when
    queued = notifier.handle("booked", booked_event) + notifier.handle("cancelled", cancelled_event)

    # then: nothing is queued
    assert queued == []
    assert memory_app.recorder.max_notification_id() == before


def test_a_notice_within_the_walk_in_grace_is_still_sent(memory_app, demo, clock):
    # given: a walk-in booked for "now", noticed a few minutes after its start
    start = datetime(2026, 1, 15, 11, tzinfo=MX)
    booked = book(memory_app, demo, start)
    (event,) = events_of(memory_app, booked.id)
    clock.set(start + WALK_IN_GRACE - timedelta(minutes=1))
    # when / then: the owner and Miguel are still told
    assert len(AppointmentNotifier(memory_app, clock=clock).handle("booked", event)) == 2


def queued_event(app, demo, kind: str):
    result = app.execute(
        QueueOutboundMessage(actor=Actor.system("t"), cause="t", organization_id=demo.organization_id, to_phone=JUAN,
                             body="Hola", kind=kind)
    )
    (event,) = events_of(app, result.id)
    return event


def test_queued_non_reply_messages_are_enqueued_unless_old_history(memory_app, demo, clock):
    # given: the dispatch policy in a runner with a recording job queue and the test clock
    enqueued = []
    policy = OutboundDispatchPolicy()
    runner = PolicyRunner(memory_app, None, [policy], clock=clock, enqueue=lambda job: enqueued.append(job.message_id))
    fresh = queued_event(memory_app, demo, "notification")
    reply = queued_event(memory_app, demo, "reply")
    # the age is the event's own timestamp against the runner's clock: a reminder queued two hours ago
    old = dataclasses.replace(queued_event(memory_app, demo, "reminder"), timestamp=fresh.timestamp - timedelta(hours=2))
    clock.set(fresh.timestamp)

    # when
    for event in (fresh, reply, old):
        runner.act(policy, event)

    # then: only the fresh one; replies go out with the inbound turn, old ones through the pending sweep
    assert enqueued == [fresh.originator_id]

"""The WhatsApp reactions are policies (policies/): a projection rebuild never sends or queues a
message, and a policy replayed from its saved position acts on nothing twice (issue #9)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from commands import Actor
from commands.definitions import BookAppointment
from policies.runner import PolicyRunner, policy_positions
from wa_support import CUSTOMER_E164, OWNER, STAFF, Stack

MX = ZoneInfo("America/Mexico_City")


def _book_friday(stack: Stack, hour: int):
    today = stack.clock().astimezone(MX).date()
    day = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return stack.app.execute(
        BookAppointment(
            actor=Actor.customer(CUSTOMER_E164), cause=f"t-{hour}", organization_id=stack.demo.organization_id,
            service_id=stack.demo.service_ids["Corte de cabello"], start=datetime(day.year, day.month, day.day, hour, tzinfo=MX),
            customer_phone=CUSTOMER_E164, customer_name="Juan Pérez", staff_id=stack.demo.staff_ids["Miguel Sánchez"],
        )
    )


def _team_messages(stack: Stack) -> int:
    return len(stack.replies_to(OWNER)) + len(stack.replies_to(STAFF))


def test_rebuilding_every_projection_sends_nothing_and_queues_nothing(stack: Stack) -> None:
    # given: a booking the owner and Miguel were told about
    stack.wa.dispatcher.templates["notification"] = "HX" + "d" * 32
    _book_friday(stack, 16)
    stack.settle()
    assert _team_messages(stack) == 2
    sent, events = len(stack.twilio.messages), stack.app.recorder.max_notification_id()

    # when: every projection is rebuilt (what `parlo projections rebuild` does)
    runner = stack.container.projections
    assert not set(runner.by_name) & set(stack.wa.policies.by_name)  # policies are not projections
    assert runner.rebuild_all() > 0
    stack.settle()

    # then: nothing was sent and no event was recorded (no message queued)
    assert len(stack.twilio.messages) == sent
    assert stack.app.recorder.max_notification_id() == events
    # and the read model still lists the owner's notification once
    org = stack.demo.organization_id
    assert len(stack.container.conversation_reads.list_outbound_to(org, OWNER)) == 1


def test_replaying_the_policies_from_a_saved_position_queues_nothing_twice(stack: Stack) -> None:
    # given: the policies' saved position before a booking, and the booking notified
    stack.wa.dispatcher.templates["notification"] = "HX" + "d" * 32
    stack.settle()
    saved = stack.app.recorder.max_notification_id()
    _book_friday(stack, 17)
    stack.settle()
    assert _team_messages(stack) == 2
    sent, events = len(stack.twilio.messages), stack.app.recorder.max_notification_id()
    policies = stack.wa.policies
    assert min(p["position"] for p in policies.status()) >= events

    # when: the policies crash before saving their positions and a new process starts again from the saved one
    policies.stop()
    with stack.container.engine.begin() as conn:
        conn.execute(update(policy_positions).values(position=saved))
    restarted = PolicyRunner(stack.app, stack.container.engine, policies.policies, clock=stack.clock, enqueue=policies.enqueue)
    assert restarted.run_once() > 0
    stack.settle()

    # then: the notices were issued again, but their deterministic ids queued nothing new and
    # nothing was sent twice
    assert restarted.commands_executed == 2 and restarted.jobs_enqueued == 2
    assert stack.app.recorder.max_notification_id() == events
    assert len(stack.twilio.messages) == sent
    assert _team_messages(stack) == 2

    # and once caught up, it has nothing more to do
    assert restarted.run_once() == 0
    assert all(p["position"] >= events for p in restarted.status())

"""The policy framework (policies/base.py, policies/runner.py) on the in-memory event store and an
in-memory SQLite database for the positions."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from aggregates.conversation import OutboundMessage
from commands import Actor
from commands.definitions import QueueOutboundMessage
from policies.base import DispatchOutbound, Policy, reacts_to
from policies.runner import PolicyRunner

JUAN = "+525598765432"


class EveryQueued(Policy):
    name = "every_queued"

    def __init__(self, fail_on: set[uuid.UUID] | None = None) -> None:
        self.seen: list[uuid.UUID] = []
        self.fail_on = fail_on or set()

    @reacts_to(OutboundMessage.Queued)
    def _queued(self, event, now):
        if event.originator_id in self.fail_on:
            raise RuntimeError("boom")
        self.seen.append(event.originator_id)
        return [DispatchOutbound(event.originator_id)]


@pytest.fixture
def engine():
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    yield engine
    engine.dispose()


def queue(app, demo, body: str = "Hola") -> uuid.UUID:
    return app.execute(
        QueueOutboundMessage(actor=Actor.system("t"), cause="t", organization_id=demo.organization_id, to_phone=JUAN, body=body, kind="notification")
    ).id


def test_each_event_is_acted_on_once_and_the_position_is_saved(memory_app, demo, clock, engine):
    # given: two queued messages and a runner over a policy that enqueues their dispatch
    first, second = queue(memory_app, demo, "uno"), queue(memory_app, demo, "dos")
    jobs: list[uuid.UUID] = []
    policy = EveryQueued()
    runner = PolicyRunner(memory_app, engine, [policy], clock=clock, enqueue=lambda job: jobs.append(job.message_id))

    # when: it runs twice, and a second runner (another process, a restart) runs from the saved position
    runner.run_once()
    runner.run_once()
    again = PolicyRunner(memory_app, engine, [EveryQueued()], clock=clock, enqueue=lambda job: jobs.append(job.message_id))
    assert again.run_once() == 0

    # then: each message was enqueued once, and the position is the store's end
    assert jobs == [first, second]
    top = memory_app.recorder.max_notification_id()
    assert again.read_positions() == {"every_queued": top}
    assert runner.wait_for(top, timeout=0.5)


def test_the_policy_only_reads_the_topics_it_handles(demo):
    assert EveryQueued.topics == ("aggregates.conversation:OutboundMessage.Queued",)


def test_a_failing_event_holds_its_policy_back_then_is_skipped(memory_app, demo, clock, engine):
    # given: the first of two messages makes the handler fail
    bad, good = queue(memory_app, demo, "malo"), queue(memory_app, demo, "bueno")
    jobs: list[uuid.UUID] = []
    policy = EveryQueued(fail_on={bad})
    runner = PolicyRunner(
        memory_app, engine, [policy], clock=clock, enqueue=lambda job: jobs.append(job.message_id), max_attempts=3, retry_base_seconds=0
    )

    # when: the first tries fail (the position stays before it: the error may be passing)
    runner.process_batch()
    runner.process_batch()
    top = memory_app.recorder.max_notification_id()
    assert jobs == [] and isinstance(runner.last_error, RuntimeError)
    assert runner.read_positions()["every_queued"] < top

    # then: the last try skips it and the events after it go on
    runner.run_once()
    assert jobs == [good]
    assert runner.read_positions()["every_queued"] == top


def test_a_failing_event_is_tried_again_only_after_a_pause(memory_app, demo, clock, engine):
    # given: a message the handler fails on, and a minute's pause between tries
    bad = queue(memory_app, demo, "malo")
    calls = []

    class Counting(EveryQueued):
        def react(self, event, now):
            calls.append(event.originator_id)
            return super().react(event, now)

    runner = PolicyRunner(memory_app, engine, [Counting(fail_on={bad})], clock=clock, enqueue=lambda job: None, retry_base_seconds=60)

    # when: it fails once and the loop polls again at once
    runner.process_batch()
    runner.process_batch()

    # then: it was tried once; the event is still ahead of the position
    assert calls == [bad]
    assert runner.read_positions()["every_queued"] < memory_app.recorder.max_notification_id()


def test_a_policy_is_never_replayed(memory_app, clock, engine):
    runner = PolicyRunner(memory_app, engine, [EveryQueued()], clock=clock)
    with pytest.raises(ValueError):
        runner.rebuild("every_queued")


def test_a_policy_that_replaces_a_reaction_starts_where_it_stopped(memory_app, demo, clock, engine):
    # given: the old projection-runner reaction's tracking row at the store's end
    from readmodels.tables import metadata, projection_tracking

    queue(memory_app, demo)
    top = memory_app.recorder.max_notification_id()
    metadata.create_all(engine, tables=[projection_tracking])
    with engine.begin() as conn:
        conn.execute(projection_tracking.insert().values(name="whatsapp_reactions", position=top, updated_at=clock()))

    class Replacing(EveryQueued):
        name = "replacing"
        replaces = "whatsapp_reactions"

    # when / then: the new policy starts there, so the old events are not acted on again
    jobs: list = []
    runner = PolicyRunner(memory_app, engine, [Replacing()], clock=clock, enqueue=jobs.append)
    assert runner.read_positions() == {"replacing": top}
    assert runner.run_once() == 0 and jobs == []

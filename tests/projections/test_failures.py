"""A failing handler: the event it fails on is skipped and recorded (issue #8), the others keep
going, and a retry applies it once fixed. A failure that says nothing about the event (the
database is unreachable, a lock timed out) holds that projection back instead, and it recovers."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.exc import OperationalError

from aggregates.customer import Customer
from infra.seed import seed_demo
from projections.base import Projection, handles
from projections.registry import all_projections
from projections.runner import ProjectionError, ProjectionRunner
from proj_support import ADMIN
from commands.definitions import AddCustomer

scratch = MetaData()
seen = Table("t4p_seen_customers", scratch, Column("phone", String(32), primary_key=True), Column("n", Integer))


class Flaky(Projection):
    name = "flaky"
    tables = [seen]
    fail = True
    error: type[Exception] | None = None

    @handles(Customer.Registered)
    def _registered(self, conn, event, position):
        conn.execute(seen.insert().values(phone=event.phone_number, n=1))
        if self.fail and event.phone_number.endswith("03"):
            if self.error is not None:
                raise self.error("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
            raise ValueError("boom")


class Unreachable(Flaky):
    name = "unreachable"
    error = OperationalError


def count_seen(container) -> int:
    with container.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(seen)).scalar()


def test_failing_event_is_skipped_recorded_and_retried_once_fixed(tmp_path, make_container):
    # given a projection whose handler fails on one customer's event
    container = make_container(f"sqlite:///{tmp_path / 'parlo.db'}")
    demo = seed_demo(container.app)
    flaky = Flaky()
    runner = ProjectionRunner(container.app, container.engine, [*all_projections(), flaky], batch_size=2)
    for n in range(6):
        container.app.execute(AddCustomer(actor=ADMIN, cause=f"c{n}", organization_id=demo.organization_id, phone_number=f"+5255100000{n:02d}"))
    # when the projections run
    runner.run_once()
    # then every projection, the failing one too, reached the end: the bad event was skipped
    top = container.app.recorder.max_notification_id()
    assert all(position == top for position in runner.read_positions().values())
    assert len(container.reads.list_customers(demo.organization_id)) == 6
    assert count_seen(container) == 5  # the failed event's own writes were rolled back
    [failure] = runner.failures()
    bad = next(n for n in container.app.recorder.select_notifications(start=1, limit=1000) if n.id == failure["notification_id"])
    assert failure["projection"] == "flaky" and failure["topic"] == bad.topic and bad.topic.endswith("Customer.Registered")
    assert failure["originator_id"] == str(bad.originator_id) and failure["originator_version"] == bad.originator_version
    assert failure["organization_id"] == demo.organization_id
    assert failure["error"] == "ValueError: boom" and failure["attempts"] == 1
    assert {r["name"]: r["failures"] for r in runner.status()}["flaky"] == 1
    # a retry before the fix keeps it recorded, counting the attempt
    assert [r["ok"] for r in runner.retry_failures("flaky")] == [False]
    assert runner.failures()[0]["attempts"] == 2 and count_seen(container) == 5
    # once fixed, a retry applies it exactly once and forgets the failure
    flaky.fail = False
    assert runner.retry_failures(failure_id=failure["id"]) == [
        {"id": failure["id"], "projection": "flaky", "notification_id": bad.id, "ok": True, "error": None}
    ]
    assert count_seen(container) == 6 and runner.failures() == []
    assert runner.retry_failures() == []


def test_rebuild_skips_and_records_the_same_failures(tmp_path, make_container):
    container = make_container(f"sqlite:///{tmp_path / 'parlo.db'}")
    demo = seed_demo(container.app)
    flaky = Flaky()
    runner = ProjectionRunner(container.app, container.engine, [*all_projections(), flaky], batch_size=3)
    for n in range(6):
        container.app.execute(AddCustomer(actor=ADMIN, cause=f"c{n}", organization_id=demo.organization_id, phone_number=f"+5255100000{n:02d}"))
    runner.run_once()
    live = [(f["notification_id"], f["error"]) for f in runner.failures()]
    assert runner.rebuild("flaky") == 5
    assert count_seen(container) == 5
    assert [(f["notification_id"], f["error"]) for f in runner.failures()] == live
    assert runner.failures()[0]["attempts"] == 1  # the rebuild replaced the old records


def test_unreachable_database_holds_the_projection_back_and_it_recovers(tmp_path, make_container):
    container = make_container(f"sqlite:///{tmp_path / 'parlo.db'}")
    demo = seed_demo(container.app)
    flaky = Unreachable()
    runner = ProjectionRunner(container.app, container.engine, [*all_projections(), flaky], batch_size=2)
    for n in range(6):
        container.app.execute(AddCustomer(actor=ADMIN, cause=f"c{n}", organization_id=demo.organization_id, phone_number=f"+5255100000{n:02d}"))
    with pytest.raises(ProjectionError):
        runner.run_once()
    for _ in range(20):  # the others finish while flaky sits out
        if runner.process_batch() == 0:
            break
    positions = runner.read_positions()
    top = container.app.recorder.max_notification_id()
    assert all(positions[p.name] == top for p in runner.projections if p.name != "unreachable")
    assert positions["unreachable"] < top
    assert runner.failures() == []  # not the event's fault: nothing skipped
    assert len(container.reads.list_customers(demo.organization_id)) == 6
    registered_before = [
        n for n in container.app.recorder.select_notifications(start=1, limit=1000)
        if n.topic.endswith("Customer.Registered") and n.id <= positions["unreachable"]
    ]
    with container.engine.connect() as conn:  # exactly the rows up to its position: the failed batch left nothing
        assert conn.execute(select(func.count()).select_from(seen)).scalar() == len(registered_before) < 6
    flaky.fail = False
    runner._quarantine.clear()
    runner.run_once()
    with container.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(seen)).scalar() == 6  # once each
    assert runner.wait_for(top, timeout=1)


class Reaction(Projection):
    """No tables: something that acts on events (like the WhatsApp reactions), not a read model."""

    name = "reaction"
    tables: list = []
    seen: list = []

    @handles(Customer.Registered)
    def _registered(self, conn, event, position):
        self.seen.append(position)


def test_a_projection_without_tables_is_never_rebuilt(tmp_path, make_container):
    container = make_container(f"sqlite:///{tmp_path / 'parlo.db'}")
    seed_demo(container.app)
    reaction = Reaction()
    runner = ProjectionRunner(container.app, container.engine, [*all_projections(), reaction])
    runner.run_once()
    acted = list(reaction.seen)
    with pytest.raises(ValueError, match="reaction"):
        runner.rebuild("reaction")
    with pytest.raises(ValueError):
        runner.rebuild_all()
    assert reaction.seen == acted  # nothing replayed

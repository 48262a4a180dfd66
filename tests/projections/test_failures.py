"""A failing handler: nothing of its batch is committed, the others keep going, it recovers."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

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

    @handles(Customer.Registered)
    def _registered(self, conn, event, position):
        conn.execute(seen.insert().values(phone=event.phone_number, n=1))
        if self.fail and event.phone_number.endswith("03"):
            raise ValueError("boom")


def test_failing_projection_is_isolated_and_recovers(tmp_path, make_container):
    container = make_container(f"sqlite:///{tmp_path / 'parlo.db'}")
    demo = seed_demo(container.app)
    flaky = Flaky()
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
    assert all(positions[p.name] == top for p in runner.projections if p.name != "flaky")
    assert positions["flaky"] < top
    assert len(container.reads.list_customers(demo.organization_id)) == 6
    registered_before = [
        n for n in container.app.recorder.select_notifications(start=1, limit=1000)
        if n.topic.endswith("Customer.Registered") and n.id <= positions["flaky"]
    ]
    with container.engine.connect() as conn:  # exactly the rows up to its position: the failed batch left nothing
        assert conn.execute(select(func.count()).select_from(seen)).scalar() == len(registered_before) < 6
    flaky.fail = False
    runner._quarantine.clear()
    runner.run_once()
    with container.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(seen)).scalar() == 6  # once each
    assert runner.wait_for(top, timeout=1)

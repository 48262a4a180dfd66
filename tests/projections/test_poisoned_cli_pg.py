"""``parlo projections status`` shows the events a projection skipped; ``retry`` tries them again
(PostgreSQL, with a real NUL-bearing stored event)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from aggregates.base import recording
from commands.definitions import AddCustomer
from infra.cli import cli
from infra.seed import seed_demo
from proj_support import ADMIN

pytestmark = pytest.mark.postgres


def test_status_lists_the_skipped_events_and_retry_tries_them(t4p_pg, make_container, monkeypatch, tmp_path):
    # given a PostgreSQL store with a stored Customer event whose notes hold NUL
    url = t4p_pg("cli")
    monkeypatch.setenv("PARLO_DATABASE_URL", url)
    monkeypatch.setenv("PARLO_ENV", "test")
    monkeypatch.chdir(tmp_path)
    container = make_container(url)
    demo = seed_demo(container.app)
    customer_id = container.app.execute(
        AddCustomer(actor=ADMIN, cause="c", organization_id=demo.organization_id, phone_number="+525500000077", name="Nadia")
    ).id
    customer = container.app.repository.get(customer_id)
    with recording("admin:test", "poison"):
        customer.update_details({"notes": "nota\x00rota"})
    poisoned = container.app.save(customer)[-1].notification.id
    # when the projections run, then every one reaches the end
    container.projections.run_once()
    top = container.app.recorder.max_notification_id()
    assert set(container.projections.read_positions().values()) == {top}
    assert container.reads.get_customer(demo.organization_id, customer_id)["name"] == "Nadia"
    runner = CliRunner()
    shown = runner.invoke(cli, ["projections", "status"])
    assert shown.exit_code == 0, shown.output
    assert "eventos no aplicados: 1" in shown.output
    assert f"customers evento {poisoned} (Customer.NotesChanged v2, negocio {demo.organization_id})" in shown.output
    assert "DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes" in shown.output
    retried = runner.invoke(cli, ["projections", "retry", "customers"])
    assert retried.exit_code == 1 and f"evento {poisoned}: sigue fallando" in retried.output
    assert runner.invoke(cli, ["projections", "retry", "nope"]).exit_code == 2
    assert "intentos 2" in runner.invoke(cli, ["projections", "status"]).output


def test_rebuilds_give_the_live_rows_and_failures(t4p_pg, make_container):
    # given a PostgreSQL store with two poisoned Customer events, projected live
    from proj_support import dump_tables, full_scenario

    container = make_container(t4p_pg("poison"))
    ids = full_scenario(container.app)
    customer = container.app.repository.get(ids["lucia"])
    with recording("admin:test", "poison"):
        customer.update_details({"notes": "nota\x00rota"})
    with recording("admin:test", "poison"):
        customer.learn_name("Lu\x00cía", verified_at=None)
    container.app.save(customer)
    runner = container.projections
    runner.run_once()
    tables = runner.tables()

    def failures():
        return sorted((f["projection"], f["notification_id"], f["error"], f["organization_id"]) for f in runner.failures())

    live_rows, live_failures = dump_tables(container.engine, tables), failures()
    assert {f[0] for f in live_failures} >= {"customers"} and all(f[3] == ids["org"] for f in live_failures)
    # when every projection is rebuilt, staged (in-memory SQLite + COPY) and in place
    for staged in (True, False):
        runner.rebuild_all(staged=staged)
        # then the rows and the recorded failures are the live ones, and the positions the store's end
        assert dump_tables(container.engine, tables) == live_rows
        assert failures() == live_failures
        assert set(runner.read_positions().values()) == {container.app.recorder.max_notification_id()}

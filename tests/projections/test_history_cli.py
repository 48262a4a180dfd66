"""Audit: event_history / state_at, and the ``parlo events`` and ``parlo projections`` commands."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from aggregates.errors import NotFound
from infra.cli import cli
from proj_support import full_scenario


@pytest.fixture
def sqlite_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'parlo.db'}"
    monkeypatch.setenv("PARLO_DATABASE_URL", url)
    monkeypatch.setenv("PARLO_ENV", "test")
    monkeypatch.chdir(tmp_path)  # no .env
    return url


def test_event_history_and_state_at(sqlite_store, make_container):
    app = make_container(sqlite_store).app
    ids = full_scenario(app)
    history = app.event_history(ids["a1"])
    assert [h["type"] for h in history] == ["Booked", "Rescheduled", "NotesUpdated", "ReminderSent"]
    assert history[0]["actor"] == "customer:+525598765432" and history[0]["cause"] == "wa-1"
    assert history[0]["data"]["scheduled_start"] == "2026-01-15T16:00:00+00:00"
    assert history[1]["data"]["previous_start"] == "2026-01-15T16:00:00+00:00"
    json.dumps(history)  # JSON-able

    first = app.state_at(ids["a1"], version=1)
    assert first["version"] == 1 and first["scheduled_start"] == "2026-01-15T16:00:00+00:00" and first["notes"] == ""
    now = app.state_at(ids["a1"])
    assert now["version"] == 4 and now["notes"] == "Trae foto" and now["reschedule_count"] == 1
    # by time: just after the reschedule (event timestamps are the store's clock)
    moment = datetime.fromisoformat(history[1]["timestamp"]) + timedelta(microseconds=1)
    assert app.state_at(ids["a1"], at=moment)["version"] == 2
    with pytest.raises(NotFound):
        app.state_at(ids["a1"], at=datetime(2000, 1, 1, tzinfo=timezone.utc))
    json.dumps(app.state_at(ids["org"]))  # organizations too
    with pytest.raises(NotFound):
        app.event_history(ids["removed_service"])  # not an aggregate


def test_cli_events_show_and_projection_commands(sqlite_store, make_container):
    container = make_container(sqlite_store)
    ids = full_scenario(container.app)
    runner = CliRunner()

    shown = runner.invoke(cli, ["events", "show", str(ids["a2"]), "--version", "2"])
    assert shown.exit_code == 0, shown.output
    assert "Booked" in shown.output and "Cancelled" in shown.output and '"status": "confirmed"' in shown.output
    as_json = runner.invoke(cli, ["events", "show", str(ids["a2"]), "--json"])
    assert json.loads(as_json.output)["state"]["status"] == "cancelled"
    assert runner.invoke(cli, ["events", "show", "not-a-uuid"]).exit_code == 2

    status = runner.invoke(cli, ["projections", "status"])
    assert status.exit_code == 0, status.output
    max_id = container.app.recorder.max_notification_id()
    assert f"max_notification_id: {max_id}" in status.output
    assert "appointments" in status.output and str(max_id) in status.output  # lag = max id before running

    once = runner.invoke(cli, ["projections", "run", "--once"])
    assert once.exit_code == 0, once.output
    assert container.projections.wait_for(max_id, timeout=1)
    assert container.reads.get_appointment(ids["org"], ids["a2"])["status"] == "cancelled"

    rebuilt = runner.invoke(cli, ["projections", "rebuild", "customers"])
    assert rebuilt.exit_code == 0 and "customers:" in rebuilt.output
    assert container.reads.get_customer(ids["org"], ids["lucia"])["name"] == "Lucía"
    assert runner.invoke(cli, ["projections", "rebuild", "nope"]).exit_code == 2

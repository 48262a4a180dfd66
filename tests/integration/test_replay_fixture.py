"""A store written by older code still loads identically (tests/fixtures/store_v1.*).

``store_v1.db`` was written by the code of commit 8afb652 (tests/fixtures/make_store.py), together
with the state of every aggregate and every read-model row it gave. Event shapes evolve (new typed
events, value objects, upcasting); the stored events never change, so today's code must rebuild
exactly the same aggregates and the same rows from them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from eventsourcing.utils import resolve_topic

from commands import ParloApplication
from fixtures.replay_support import aggregate_states, rebuild_readmodels

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def old_store(tmp_path, clock):
    # given: a copy of the fixture store (opening a SQLite store may write to it)
    path = tmp_path / "store_v1.db"
    shutil.copyfile(FIXTURES / "store_v1.db", path)
    app = ParloApplication({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}, clock=clock)
    yield app
    app.close()


def _expected(kind: str):
    return json.loads((FIXTURES / f"store_v1_{kind}.json").read_text())


def test_every_stored_event_decodes_with_todays_code(old_store):
    # when
    notifications = old_store.recorder.select_notifications(start=1, limit=1_000_000)

    # then: every old topic resolves and every event decodes, carrying who and why
    assert len(notifications) > 150
    for notification in notifications:
        resolve_topic(notification.topic)
        event = old_store.mapper.to_domain_event(notification)
        assert event.actor and isinstance(event.cause, str), notification.topic


def test_every_aggregate_loads_as_it_did_when_stored(old_store):
    # when
    states = aggregate_states(old_store)

    # then: same aggregates, same versions, same state, attribute by attribute
    expected = _expected("aggregates")
    assert sorted(states) == sorted(expected)
    for aggregate_id, want in expected.items():
        assert states[aggregate_id] == want, f"{want['type']} {aggregate_id}"


def test_projections_rebuilt_from_the_old_store_give_the_same_rows(old_store, tmp_path):
    # when
    rows = rebuild_readmodels(old_store, tmp_path)

    # then
    expected = _expected("readmodels")
    assert sorted(rows) == sorted(expected)
    for table, want in expected.items():
        assert rows[table] == want, table

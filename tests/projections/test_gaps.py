"""Notification ids have gaps (rolled-back writes): the runner never waits for last + 1."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError

from aggregates.base import recording
from infra.seed import seed_demo
from proj_support import ADMIN
from commands.definitions import AddCustomer


@pytest.mark.postgres
def test_gaps_in_notification_ids_are_skipped(t4p_pg, make_container):
    url = t4p_pg("gaps")
    first, second = make_container(url), make_container(url)
    demo = seed_demo(first.app)
    first.projections.run_once()
    # Two writers decide on the same version of one aggregate: the loser's insert is rolled back
    # and its sequence value is lost.
    org_a = first.app.repository.get(demo.organization_id)
    org_b = second.app.repository.get(demo.organization_id)
    with recording("admin:a", "a"):
        org_a.update_settings({"buffer_minutes": 5})
    with recording("admin:b", "b"):
        org_b.update_settings({"buffer_minutes": 15})
    first.app.save(org_a)
    with pytest.raises(IntegrityError):
        second.app.save(org_b)
    result = first.app.execute(AddCustomer(actor=ADMIN, cause="after-gap", organization_id=demo.organization_id, phone_number="+525512121212", name="Tras Hueco"))
    ids = [n.id for n in first.app.recorder.select_notifications(start=1, limit=1000)]
    assert any(b - a > 1 for a, b in zip(ids, ids[1:], strict=False)), "expected a gap"

    first.projections.run_once()
    assert first.wait_for(result.position, timeout=2)
    assert first.reads.get_customer_by_phone(demo.organization_id, "+525512121212")["name"] == "Tras Hueco"
    assert first.reads.get_organization(demo.organization_id)["settings"]["buffer_minutes"] == 5
    assert all(s["lag"] == 0 for s in first.projections.status())

"""The same API on PostgreSQL (a fresh database from the ``pg_url`` fixture, dropped afterwards)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.postgres


def test_booking_flow_history_and_isolation_on_postgres(pg_api):
    api = pg_api
    created = api.post(
        api.org("/appointments"),
        json={"service_type_id": str(api.service), "scheduled_start": "2026-01-15T10:00:00-06:00", "phone_number": "+525598765432", "name": "Juan"},
        headers={"X-Request-ID": "pg-1"},
    )
    assert created.status_code == 201, created.text
    appointment = created.json()
    assert appointment["scheduled_start"] == "2026-01-15T10:00:00-06:00"
    listed = api.get(api.org("/appointments"), params={"date_from": "2026-01-15", "date_to": "2026-01-15"}).json()
    assert [a["id"] for a in listed] == [appointment["id"]]
    cancelled = api.post(api.org(f"/appointments/{appointment['id']}/cancel"), who="staff", json={"reason": "x"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    events = api.get(api.org(f"/appointments/{appointment['id']}/history")).json()["events"]
    assert [(e["event_type"], e["cause"]) for e in events] == [("Booked", "pg-1"), ("Cancelled", events[1]["cause"])]
    assert events[1]["actor"] == f"staff:{api.staff['staff']}"
    assert api.get(api.org(f"/appointments/{appointment['id']}"), who="owner_b").status_code == 403
    assert api.get(api.org(f"/appointments/{appointment['id']}", api.org_b), who="owner_b").status_code == 404
    assert api.get(api.org("/customers"), params={"search": "juan"}).json()[0]["name"] == "Juan"
    stats = api.get("/api/v1/admin/stats", who="platform").json()
    assert stats["appointments"]["by_status"] == {"cancelled": 1}
    slots = api.get(api.org("/availability/slots"), params={"service_type_id": str(api.service), "date_from": "2026-01-15"})
    assert slots.status_code == 200 and slots.json()["slots"][0]["start"] == "2026-01-15T10:00:00-06:00"

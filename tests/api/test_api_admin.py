"""Parlo admin endpoints: stats, organizations, status, activity, raw event streams and state."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta


def book(api, **overrides):
    body = {"service_type_id": str(api.service), "scheduled_start": "2026-01-15T10:00:00-06:00", "phone_number": "+525598765432", "name": "Juan"}
    body.update(overrides)
    answer = api.post(api.org("/appointments"), json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_stats(api):
    book(api)
    stats = api.get("/api/v1/admin/stats", who="platform")
    assert stats.status_code == 200
    data = stats.json()
    assert data["organizations"]["total"] == 2
    assert data["organizations"]["by_status"]["active"] == 2 and data["organizations"]["by_status"]["suspended"] == 0
    assert data["appointments"]["total"] == 1 and data["appointments"]["by_status"] == {"confirmed": 1}
    assert data["customers"]["total"] == 1
    assert data["staff"]["total"] == 5
    assert data["messages"]["total"] >= 0 and data["conversations"]["total"] >= 0


def test_organizations_search_filter_and_details(api):
    everything = api.get("/api/v1/admin/organizations", who="platform").json()
    assert {o["name"] for o in everything} == {"Barbería Don Carlos", "Estética Lupita"}
    assert [o["name"] for o in api.get("/api/v1/admin/organizations", who="platform", params={"search": "lupita"}).json()] == ["Estética Lupita"]
    assert api.get("/api/v1/admin/organizations", who="platform", params={"status": "suspended"}).json() == []
    api.patch(f"/api/v1/admin/organizations/{api.org_b}/status", who="platform", json={"status": "suspended", "reason": "prueba"})
    suspended = api.get("/api/v1/admin/organizations", who="platform", params={"status": "suspended"}).json()
    assert [o["id"] for o in suspended] == [str(api.org_b)]
    assert suspended[0]["staff_count"] == 1

    book(api)
    details = api.get(f"/api/v1/admin/organizations/{api.org_a}", who="platform").json()
    assert details["name"] == "Barbería Don Carlos"
    assert details["location_count"] == 1 and len(details["locations"]) == 1
    assert details["staff_count"] == 4 and details["customer_count"] == 1 and details["appointment_count"] == 1
    assert [o["name"] for o in details["owners"]] == ["Carlos Mendoza"]


def test_status_changes_follow_the_rules(api):
    churned = api.patch(f"/api/v1/admin/organizations/{api.org_b}/status", who="platform", json={"status": "churned"})
    assert churned.status_code == 200 and churned.json()["status"] == "churned"
    back = api.patch(f"/api/v1/admin/organizations/{api.org_b}/status", who="platform", json={"status": "suspended"})
    assert back.status_code == 409 and "no puede pasar" in back.json()["detail"]
    assert api.patch(f"/api/v1/admin/organizations/{api.org_b}/status", who="owner_b", json={"status": "active"}).status_code == 403


def test_activity_feed(api):
    appointment = book(api)
    api.post(api.org(f"/appointments/{appointment['id']}/cancel"), json={"reason": "x"})
    feed = api.get("/api/v1/admin/activity", who="platform").json()
    kinds = [e["kind"] for e in feed]
    assert "organization_registered" in kinds and "appointment_booked" in kinds
    assert feed[0]["position"] > feed[-1]["position"]  # newest first
    only_b = api.get("/api/v1/admin/activity", who="platform", params={"organization_id": str(api.org_b)}).json()
    assert only_b and all(e["organization_id"] == str(api.org_b) for e in only_b)
    signups = api.get("/api/v1/admin/activity", who="platform", params={"kind": "organization_registered"}).json()
    assert {e["organization_id"] for e in signups} == {str(api.org_a), str(api.org_b)}
    page = api.get("/api/v1/admin/activity", who="platform", params={"limit": 2}).json()
    older = api.get("/api/v1/admin/activity", who="platform", params={"limit": 2, "before_position": page[-1]["position"]}).json()
    assert older[0]["position"] < page[-1]["position"]
    own = api.get(api.org("/activity")).json()
    assert own and all(e["organization_id"] == str(api.org_a) for e in own)


def test_aggregate_events_and_state(api):
    appointment = book(api, staff_id=str(api.staff["owner"]), scheduled_start="2026-01-14T14:00:00-06:00")
    api.patch(api.org(f"/appointments/{appointment['id']}"), json={"notes": "primera nota"})
    api.clock.advance(hours=2, minutes=10)  # it has started: now it can be completed
    assert api.post(api.org(f"/appointments/{appointment['id']}/complete")).status_code == 200
    events = api.get(f"/api/v1/admin/aggregates/{appointment['id']}/events", who="platform")
    assert events.status_code == 200, events.text
    stream = events.json()["events"]
    assert [e["type"] for e in stream] == ["Booked", "NotesUpdated", "Completed"]
    assert all(e["actor"] == f"owner:{api.staff['owner']}" for e in stream)
    assert stream[0]["data"]["price_cents"] == 15000

    current = api.get(f"/api/v1/admin/aggregates/{appointment['id']}/state", who="platform").json()["state"]
    assert current["status"] == "completed" and current["notes"] == "primera nota"
    first = api.get(f"/api/v1/admin/aggregates/{appointment['id']}/state", who="platform", params={"version": 1}).json()["state"]
    assert first["status"] == "confirmed" and first["notes"] == ""
    # a version beyond the last (3) is not silently the current state
    beyond = api.get(f"/api/v1/admin/aggregates/{appointment['id']}/state", who="platform", params={"version": 99})
    assert beyond.status_code == 404 and "versión 99" in beyond.json()["detail"]
    booked_at = datetime.fromisoformat(stream[0]["timestamp"])
    at_booking = api.get(
        f"/api/v1/admin/aggregates/{appointment['id']}/state", who="platform", params={"at": (booked_at + timedelta(microseconds=1)).isoformat()}
    ).json()["state"]
    assert at_booking["status"] == "confirmed"
    before = api.get(
        f"/api/v1/admin/aggregates/{appointment['id']}/state", who="platform", params={"at": (booked_at - timedelta(days=1)).isoformat()}
    )
    assert before.status_code == 404
    org = api.get(f"/api/v1/admin/aggregates/{api.org_a}/events", who="platform").json()["events"]
    assert org[0]["type"] == "Registered"
    # only platform admins
    assert api.get(f"/api/v1/admin/aggregates/{appointment['id']}/events", who="owner").status_code == 403
    assert api.get(f"/api/v1/admin/aggregates/{uuid.uuid4()}/state", who="platform").status_code == 404


def test_admin_acts_on_any_organization(api):
    created = api.post(api.org("/services", api.org_b), who="platform", json={"name": "Pedicure", "duration_minutes": 50, "price_cents": 30000})
    assert created.status_code == 201
    events = api.get(f"/api/v1/admin/aggregates/{api.org_b}/events", who="platform").json()["events"]
    assert events[-1]["type"] == "ServiceAdded" and events[-1]["actor"] == "admin:admin"
    assert {s["name"] for s in api.get(api.org("/services", api.org_b), who="owner_b").json()} == {"Manicure", "Pedicure"}

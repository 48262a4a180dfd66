"""Issue #8 on PostgreSQL: a stored event whose text holds NUL (which PostgreSQL ``text`` cannot
hold) must not stall the read models of everyone else. The event is written with the event
store directly, past the command layer's cleaning: the point is that a bad *stored* event can't
stop the others. The database comes from the ``pg_url`` fixture."""

from __future__ import annotations

import time

import pytest

from aggregates.base import recording

from api_support import SECRET
from commands import Actor
from commands.messages import AddCustomer, IssueMagicLink
from gateway import auth as security

pytestmark = pytest.mark.postgres


def poison(app, organization_id) -> int:
    """Store Customer events of ``organization_id`` whose notes and name hold NUL, with the
    application's ``save`` (no command, so no cleaning). Returns the last one's notification id."""
    customer_id = app.execute(
        AddCustomer(actor=Actor.admin("test"), cause="poison-0", organization_id=organization_id, phone_number="+525500000077", name="Nadia")
    ).id
    customer = app.repository.get(customer_id)
    with recording("admin:test", "poison-1"):
        customer.update_details({"notes": "alergia\x00al tinte"})
    with recording("admin:test", "poison-2"):
        customer.learn_name("Na\x00dia", verified_at=None)
    recordings = app.save(customer)
    return recordings[-1].notification.id


def test_a_nul_bearing_event_stalls_no_one(pg_api):
    api = pg_api
    # given a stored event with NUL in its text (organization A)
    poisoned_at = poison(api.app, api.org_a)
    started = time.monotonic()
    # when organization B books over REST
    created = api.post(
        api.org("/appointments", api.org_b),
        who="owner_b",
        json={"service_type_id": str(api.service_b), "scheduled_start": "2026-01-15T10:00:00-06:00", "phone_number": "+525598760000", "name": "Brenda"},
    )
    # then the booking is read back at once (201 with a body, not 202 without one) ...
    assert created.status_code == 201, created.text
    listed = api.get(api.org("/appointments", api.org_b), who="owner_b", params={"date_from": "2026-01-15", "date_to": "2026-01-15"})
    assert [a["id"] for a in listed.json()] == [created.json()["id"]]
    assert time.monotonic() - started < 10
    # ... every projection went past the bad event, and magic-link login still returns a token
    positions = api.container.projections.read_positions()
    assert min(positions.values()) >= poisoned_at
    nonce = security.new_magic_nonce()
    token = security.magic_token(SECRET, nonce)
    api.app.execute(IssueMagicLink(actor=Actor.system("magic-link"), cause="t", organization_id=api.org_a, staff_id=api.staff["owner"], token=token))
    verified = api.client.post("/api/v1/auth/verify-magic-link", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json()["access_token"] and verified.json()["organization_id"] == str(api.org_a)
    # and the skipped events are recorded where the admin sees them, with their organization
    seen = api.get("/api/v1/admin/projections", who="platform")
    assert seen.status_code == 200
    failures = seen.json()["failures"]
    assert failures and all(f["notification_id"] <= poisoned_at for f in failures)
    assert {f["organization_id"] for f in failures} == {str(api.org_a)}
    assert all("NUL" in f["error"] and "\x00" not in f["error"] for f in failures)
    assert {p["name"]: p["failures"] for p in seen.json()["projections"]}[failures[0]["projection"]] >= 1
    assert api.get("/api/v1/admin/projections", who="owner").status_code in (401, 403)
    # a retry (the text still cannot be stored) keeps it recorded, counting the attempt
    retried = api.post(f"/api/v1/admin/projections/failures/{failures[0]['id']}/retry", who="platform")
    assert retried.status_code == 200 and retried.json()["ok"] is False
    assert api.post("/api/v1/admin/projections/failures/999999/retry", who="platform").status_code == 404
    again = {f["id"]: f for f in api.get("/api/v1/admin/projections", who="platform").json()["failures"]}
    assert again[failures[0]["id"]]["attempts"] == 2

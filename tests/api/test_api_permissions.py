"""The spec's permission matrix, applied to every write over REST (owner / admin / staff / viewer),
plus the platform admin who may do everything."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

MX = ZoneInfo("America/Mexico_City")
LEVELS = ("owner", "admin", "staff", "viewer", "platform")
_phones = itertools.count(10_000_000)
_minutes = itertools.count(0)


def new_phone() -> str:
    return f"+5255{next(_phones):08d}"


def slot() -> str:
    """A different free start for each booking (Thu 15 Jan 2026, every 30 min from 10:00, then Fri...)."""
    n = next(_minutes)
    day = 15 + (n // 20)
    minutes = 10 * 60 + (n % 20) * 30
    return f"2026-01-{day:02d}T{minutes // 60:02d}:{minutes % 60:02d}:00-06:00"


def booked(api) -> str:
    answer = api.post(
        api.org("/appointments"),
        json={"service_type_id": str(api.service), "scheduled_start": slot(), "phone_number": new_phone(), "name": "Cliente"},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


_later_today = itertools.count(0)


def attend(api, who: str, action: str):
    """Mark attendance on an appointment that has started: booked later today (Wed 14 Jan, from
    13:00), then marked at its start (the clock goes back afterwards, so tokens stay valid)."""
    start = datetime(2026, 1, 14, 13, 0, tzinfo=MX) + timedelta(minutes=30 * (next(_later_today) % 14))
    answer = api.post(
        api.org("/appointments"),
        json={"service_type_id": str(api.service), "scheduled_start": start.isoformat(), "phone_number": new_phone(), "name": "Cliente"},
    )
    assert answer.status_code == 201, answer.text
    before = api.clock()
    api.clock.set(start + timedelta(minutes=5))
    try:
        return api.post(api.org(f"/appointments/{answer.json()['id']}/{action}"), who=who)
    finally:
        api.clock.set(before)


def new_staff(api) -> str:
    answer = api.post(api.org("/staff"), json={"name": "Temporal", "phone_number": new_phone()})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def new_service(api) -> str:
    answer = api.post(api.org("/services"), json={"name": f"Servicio {next(_phones)}", "duration_minutes": 30, "price_cents": 100})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def own_staff_id(api, who: str) -> str:
    return new_staff(api) if who == "platform" else str(api.staff[who])


def block_body(staff_id: str) -> dict:
    start = slot()
    end = start.replace(":00:00-06:00", ":20:00-06:00").replace(":30:00-06:00", ":50:00-06:00")
    return {"type": "block", "staff_id": staff_id, "start": start, "end": end}


ACTIONS = {
    # action: (perform(api, who) -> response, levels allowed)
    "create_booking": (
        lambda api, who: api.post(
            api.org("/appointments"),
            who=who,
            json={"service_type_id": str(api.service), "scheduled_start": slot(), "phone_number": new_phone(), "name": "Walk-in", "source": "walk_in"},
        ),
        {"owner", "admin", "staff"},
    ),
    "mark_attendance": (lambda api, who: attend(api, who, "complete"), {"owner", "admin", "staff"}),
    "mark_no_show": (lambda api, who: attend(api, who, "no-show"), {"owner", "admin", "staff"}),
    "cancel_appointment": (lambda api, who: api.post(api.org(f"/appointments/{booked(api)}/cancel"), who=who), {"owner", "admin", "staff"}),
    "reschedule_appointment": (
        lambda api, who: api.patch(api.org(f"/appointments/{booked(api)}"), who=who, json={"scheduled_start": slot()}),
        {"owner", "admin", "staff"},
    ),
    "block_own_time": (
        lambda api, who: api.post(
            api.org("/availability"),
            who=who,
            json=block_body(own_staff_id(api, who)),
        ),
        {"owner", "admin", "staff"},
    ),
    "block_others_time": (
        lambda api, who: api.post(
            api.org("/availability"),
            who=who,
            json={"type": "block", "staff_id": new_staff(api), "start": "2026-01-16T10:00:00-06:00", "end": "2026-01-16T11:00:00-06:00"},
        ),
        {"owner", "admin"},
    ),
    "manage_customers": (lambda api, who: api.post(api.org("/customers"), who=who, json={"phone_number": new_phone(), "name": "Nuevo"}), {"owner", "admin", "staff"}),
    "add_staff": (lambda api, who: api.post(api.org("/staff"), who=who, json={"name": "Nuevo", "phone_number": new_phone()}), {"owner", "admin"}),
    "remove_staff": (lambda api, who: api.post(api.org(f"/staff/{new_staff(api)}/deactivate"), who=who), {"owner", "admin"}),
    "change_permissions": (
        lambda api, who: api.patch(api.org(f"/staff/{new_staff(api)}"), who=who, json={"permission_level": "viewer"}),
        {"owner"},
    ),
    "change_business_hours": (
        lambda api, who: api.post(api.org("/availability"), who=who, json={"type": "business_hours", "business_hours": {"sun": [["10:00", "13:00"]]}}),
        {"owner"},
    ),
    "close_business": (
        lambda api, who: api.post(api.org("/availability"), who=who, json={"type": "closure", "start_date": "2026-03-01", "reason": "Asueto"}),
        {"owner"},
    ),
    "change_service_duration": (lambda api, who: api.patch(api.org(f"/services/{new_service(api)}"), who=who, json={"duration_minutes": 45}), {"owner"}),
    "change_service_price": (lambda api, who: api.patch(api.org(f"/services/{new_service(api)}"), who=who, json={"price_cents": 999}), {"owner"}),
    "add_service": (
        lambda api, who: api.post(api.org("/services"), who=who, json={"name": f"Nuevo {next(_phones)}", "duration_minutes": 30, "price_cents": 1}),
        {"owner"},
    ),
    "delete_service": (lambda api, who: api.delete(api.org(f"/services/{new_service(api)}"), who=who), {"owner"}),
    "change_settings": (lambda api, who: api.patch(api.org(), who=who, json={"name": f"Barbería {next(_phones)}"}), {"owner"}),
    "add_location": (lambda api, who: api.post(api.org("/locations"), who=who, json={"name": f"Sucursal {next(_phones)}"}), {"owner"}),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_permission_matrix(api, action):
    perform, allowed = ACTIONS[action]
    outcome = {}
    for who in LEVELS:
        answer = perform(api, who)
        outcome[who] = answer.status_code
        if who in allowed or who == "platform":
            assert answer.status_code in (200, 201, 204), f"{action} as {who}: {answer.status_code} {answer.text}"
        else:
            assert answer.status_code == 403, f"{action} as {who}: {answer.status_code} {answer.text}"
            assert answer.json()["detail"].startswith("No tienes permiso"), answer.json()


def test_every_level_reads_the_schedule(api):
    booked(api)
    for who in LEVELS:
        assert api.get(api.org("/appointments"), who=who).status_code == 200
        assert api.get(api.org("/customers"), who=who).status_code == 200
        assert api.get(api.org("/staff"), who=who).status_code == 200


def test_only_owners_and_admins_see_the_activity_feed(api):
    for who, expected in (("owner", 200), ("admin", 200), ("platform", 200), ("staff", 403), ("viewer", 403)):
        assert api.get(api.org("/activity"), who=who).status_code == expected


def test_admin_cannot_register_another_owner(api):
    answer = api.post(api.org("/staff"), who="admin", json={"name": "Otro Dueño", "phone_number": new_phone(), "permission_level": "owner"})
    assert answer.status_code == 403 and "dueño" in answer.json()["detail"]


def test_permission_change_takes_effect_without_a_new_token(api):
    # the token says "staff" but the aggregate decides: demote Miguel to viewer, his token can no longer book
    assert api.patch(api.org(f"/staff/{api.staff['staff']}"), json={"permission_level": "viewer"}).status_code == 200
    refused = ACTIONS["create_booking"][0](api, "staff")
    assert refused.status_code == 403
    assert api.get("/api/v1/auth/me", who="staff").json()["permission_level"] == "viewer"

"""Strict isolation: a token of business B gets nothing of business A, on every route."""

from __future__ import annotations

import re
import uuid

import pytest

from commands import Actor
from commands.definitions import RecordInboundMessage


@pytest.fixture
def world(api):
    """Real ids of business A's resources, to fill every path parameter."""
    location = api.get(api.org("/locations")).json()[0]["id"]
    spot = api.post(api.org(f"/locations/{location}/spots"), json={"name": "Silla 1", "service_type_ids": [str(api.service)]}).json()["id"]
    appointment = api.post(
        api.org("/appointments"),
        json={"service_type_id": str(api.service), "scheduled_start": "2026-01-15T10:00:00-06:00", "phone_number": "+525598765432", "name": "Juan"},
    ).json()
    block = api.post(
        api.org("/availability"),
        json={"type": "block", "staff_id": str(api.staff["staff"]), "start": "2026-01-16T10:00:00-06:00", "end": "2026-01-16T11:00:00-06:00"},
    ).json()["id"]
    api.app.execute(
        RecordInboundMessage(
            actor=Actor.customer("+525598765432"),
            cause="SM-iso",
            organization_id=api.org_a,
            message_sid="SM-iso",
            from_address="whatsapp:+5215598765432",
            to_number="+525512345678",
            body="Hola",
            received_at=api.clock(),
        )
    )
    api.sync()
    conversation = api.get(api.org("/conversations")).json()[0]["id"]
    return {
        "org_id": str(api.org_a),
        "location_id": location,
        "spot_id": spot,
        "appointment_id": appointment["id"],
        "customer_id": appointment["customer_id"],
        "staff_id": str(api.staff["staff"]),
        "service_id": str(api.service),
        "availability_id": block,
        "conversation_id": conversation,
    }


def org_routes(api):
    for path, methods in api.client.app.openapi()["paths"].items():
        if "{org_id}" in path:
            for method in methods:
                yield method.upper(), path


def fill(path: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def test_every_org_route_refuses_another_business(api, world):
    before = api.get(api.org(f"/appointments/{world['appointment_id']}")).json()
    routes = list(org_routes(api))
    assert len(routes) >= 40
    for method, path in routes:
        url = fill(path, world)
        answer = api.client.request(method, url, headers=api.headers("owner_b"), json={})
        assert answer.status_code == 403, f"{method} {url}: {answer.status_code} {answer.text}"
        expected = "Solo los administradores de Parlo pueden hacer esto." if "/admin/" in path else "No tienes acceso a este negocio."
        assert answer.json()["detail"] == expected
        unauthenticated = api.client.request(method, url, json={})
        assert unauthenticated.status_code == 401, f"{method} {url} without token: {unauthenticated.status_code}"
    # nothing of A changed
    assert api.get(api.org(f"/appointments/{world['appointment_id']}")).json() == before
    assert api.get(api.org("/services")).status_code == 200


def test_a_ids_under_b_path_are_not_found(api, world):
    b = lambda suffix: api.org(suffix, api.org_b)  # noqa: E731
    reads = [
        f"/appointments/{world['appointment_id']}",
        f"/appointments/{world['appointment_id']}/history",
        f"/customers/{world['customer_id']}",
        f"/staff/{world['staff_id']}",
        f"/services/{world['service_id']}",
        f"/locations/{world['location_id']}",
        f"/locations/{world['location_id']}/spots",
        f"/spots/{world['spot_id']}",
        f"/conversations/{world['conversation_id']}",
        f"/conversations/{world['conversation_id']}/messages",
    ]
    for suffix in reads:
        answer = api.get(b(suffix), who="owner_b")
        assert answer.status_code == 404, f"{suffix}: {answer.status_code} {answer.text}"
    writes = [
        ("POST", f"/appointments/{world['appointment_id']}/cancel", {}),
        ("POST", f"/appointments/{world['appointment_id']}/complete", {}),
        ("PATCH", f"/appointments/{world['appointment_id']}", {"notes": "hackeo"}),
        ("PATCH", f"/customers/{world['customer_id']}", {"notes": "hackeo"}),
        ("PATCH", f"/staff/{world['staff_id']}", {"name": "hackeo"}),
        ("POST", f"/staff/{world['staff_id']}/deactivate", None),
        ("PATCH", f"/services/{world['service_id']}", {"price_cents": 1}),
        ("DELETE", f"/services/{world['service_id']}", None),
        ("DELETE", f"/spots/{world['spot_id']}", None),
        ("PUT", f"/spots/{world['spot_id']}/services", {"service_type_ids": []}),
        ("DELETE", f"/locations/{world['location_id']}", None),
        ("DELETE", f"/availability/{world['availability_id']}", None),
    ]
    for method, suffix, body in writes:
        answer = api.client.request(method, b(suffix), headers=api.headers("owner_b"), json=body)
        assert answer.status_code == 404, f"{method} {suffix}: {answer.status_code} {answer.text}"
    # B cannot book A's customer, A's staff or A's service into B either
    for field, value in (("customer_id", world["customer_id"]), ("staff_id", world["staff_id"])):
        body = {"service_type_id": str(api.service_b), "scheduled_start": "2026-01-15T12:00:00-06:00", field: value}
        if field == "staff_id":
            body.update(phone_number="+525598765439", name="X")
        answer = api.post(b("/appointments"), who="owner_b", json=body)
        assert answer.status_code == 404, answer.text
    answer = api.post(b("/appointments"), who="owner_b", json={"service_type_id": world["service_id"], "scheduled_start": "2026-01-15T12:00:00-06:00", "phone_number": "+525598765439"})
    assert answer.status_code == 404
    answer = api.post(b("/availability"), who="owner_b", json={"type": "block", "staff_id": world["staff_id"], "start": "2026-01-16T10:00:00-06:00", "end": "2026-01-16T11:00:00-06:00"})
    assert answer.status_code == 404
    # and A's data is intact
    appointment = api.get(api.org(f"/appointments/{world['appointment_id']}")).json()
    assert appointment["status"] == "confirmed" and appointment["notes"] == ""
    assert api.get(api.org(f"/staff/{world['staff_id']}")).json()["is_active"] is True


def test_lists_only_show_own_business(api, world):
    b = lambda suffix: api.org(suffix, api.org_b)  # noqa: E731
    assert api.get(b("/appointments"), who="owner_b").json() == []
    assert api.get(b("/customers"), who="owner_b").json() == []
    assert api.get(b("/conversations"), who="owner_b").json() == []
    assert [s["name"] for s in api.get(b("/services"), who="owner_b").json()] == ["Manicure"]
    assert [s["name"] for s in api.get(b("/staff"), who="owner_b").json()] == ["Lupita Ramírez"]
    assert api.get(b("/availability"), who="owner_b").json()["blocks"] == []


def test_unknown_org_is_404_for_admins_and_403_for_staff(api):
    missing = api.org(org=uuid.uuid4())
    assert api.get(missing, who="platform").status_code == 404
    assert api.get(missing, who="owner").status_code == 403

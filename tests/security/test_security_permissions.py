"""Permission fixes (docs/security.md): viewers are never bookable, LIKE wildcards in a customer
search are literal, only owners and admins end a handoff, only an owner edits an owner."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aggregates.errors import PermissionDenied, ServiceNotOffered
from commands import Actor
from commands.messages import AddStaff, BookAppointment, HandOffConversation, RecordInboundMessage, ResolveHandoff
from gateway.auth import TokenService
from security_support import SECRET, served

CUSTOMER = "+525598765432"
THURSDAY = "2026-01-15"


@pytest.fixture
def stack(security_seeded, tmp_path, clock):
    with served(security_seeded, tmp_path, clock) as stack:
        tokens = TokenService(SECRET, clock)
        staff = security_seeded.staff
        stack.headers = {
            level: {"Authorization": "Bearer " + tokens.issue_staff(staff_id=staff[level], organization_id=stack.org_a, permission_level=level)[0]}
            for level in ("owner", "admin", "staff", "viewer")
        }
        stack.http = stack.client()
        with stack.http:
            yield stack


def org_path(stack, suffix: str) -> str:
    return f"/api/v1/organizations/{stack.org_a}{suffix}"


# ---- viewers are never offered or booked ------------------------------------------------------


def test_viewers_are_not_offered_as_bookable_staff(stack):
    viewer = str(stack.seeded.staff["viewer"])
    for service_id in stack.seeded.demo.service_ids.values():
        answer = stack.http.get(
            org_path(stack, "/availability/slots"), headers=stack.headers["owner"],
            params={"service_type_id": str(service_id), "date_from": THURSDAY},
        )
        assert answer.status_code == 200, answer.text
        slots = answer.json()["slots"]
        assert slots, "the business has free slots on Thursday"
        assert all(viewer not in slot["staff_ids"] for slot in slots)
    only_viewer = stack.http.get(
        org_path(stack, "/availability/slots"), headers=stack.headers["owner"],
        params={"service_type_id": str(stack.seeded.demo.service_ids["Corte de cabello"]), "date_from": THURSDAY, "staff_id": viewer},
    )
    assert only_viewer.status_code == 200 and only_viewer.json()["slots"] == []


def test_a_viewer_cannot_be_booked_even_by_name(stack):
    app = stack.container.app
    with pytest.raises(ServiceNotOffered) as refused:
        app.execute(
            BookAppointment(
                actor=Actor.staff(stack.seeded.staff["owner"]), cause="t", organization_id=stack.org_a,
                service_id=stack.seeded.demo.service_ids["Corte de cabello"], start=datetime(2026, 1, 15, 11, 0, tzinfo=ZoneInfo("America/Mexico_City")),
                customer_phone=CUSTOMER, customer_name="Pedro", staff_id=stack.seeded.staff["viewer"], source="manual",
            )
        )
    assert "solo lectura" in refused.value.message


def test_a_new_viewer_gets_no_services_by_default(stack):
    app = stack.container.app
    viewer = app.execute(
        AddStaff(actor=Actor.staff(stack.seeded.staff["owner"]), cause="t", organization_id=stack.org_a, name="Tere", phone_number="+525577770000", permission_level="viewer")
    ).id
    helper = app.execute(
        AddStaff(actor=Actor.staff(stack.seeded.staff["owner"]), cause="t", organization_id=stack.org_a, name="Toño", phone_number="+525577770001", permission_level="staff")
    ).id
    assert app.repository.get(viewer).service_ids == []
    assert len(app.repository.get(helper).service_ids) == len(stack.seeded.demo.service_ids)


# ---- LIKE wildcards in a customer search ------------------------------------------------------


def test_percent_and_underscore_in_a_search_are_literal(stack):
    for phone, name in (("+525580000001", "Ana 100% Real"), ("+525580000002", "Beto_Uno"), ("+525580000003", "Carla Ruiz")):
        created = stack.http.post(org_path(stack, "/customers"), headers=stack.headers["owner"], json={"phone_number": phone, "name": name})
        assert created.status_code == 201, created.text
    stack.sync()

    def names(term: str) -> list[str]:
        answer = stack.http.get(org_path(stack, "/customers"), headers=stack.headers["owner"], params={"search": term})
        assert answer.status_code == 200
        return [c["name"] for c in answer.json()]

    assert names("%") == ["Ana 100% Real"]
    assert names("_") == ["Beto_Uno"]
    assert names("0%") == ["Ana 100% Real"]
    assert names("o_u") == ["Beto_Uno"]
    assert names("carla") == ["Carla Ruiz"]  # ordinary searches still match inside names, any case


# ---- handoffs: owners and admins end them ----------------------------------------------------


def _handed_off(stack) -> None:
    app = stack.container.app
    org = stack.org_a
    app.execute(
        RecordInboundMessage(
            actor=Actor.system("t"), cause="SMsec1", organization_id=org, message_sid="SMsec1",
            from_address=f"whatsapp:{CUSTOMER}", to_number=stack.seeded.demo.whatsapp_number, body="Quiero hablar con alguien",
        )
    )
    app.execute(HandOffConversation(actor=Actor.system("t"), cause="t", organization_id=org, customer_phone=CUSTOMER, reason="queja"))
    assert app.conversation_state(org, CUSTOMER)["handed_off"] is True


@pytest.mark.parametrize("level", ["staff", "viewer"])
def test_staff_and_viewers_cannot_end_a_handoff(stack, level):
    _handed_off(stack)
    app = stack.container.app
    with pytest.raises(PermissionDenied):
        app.execute(ResolveHandoff(actor=Actor.staff(stack.seeded.staff[level]), cause="t", organization_id=stack.org_a, customer_phone=CUSTOMER))
    assert app.conversation_state(stack.org_a, CUSTOMER)["handed_off"] is True


@pytest.mark.parametrize("level", ["owner", "admin"])
def test_owners_and_admins_end_a_handoff(stack, level):
    _handed_off(stack)
    app = stack.container.app
    app.execute(ResolveHandoff(actor=Actor.staff(stack.seeded.staff[level]), cause="t", organization_id=stack.org_a, customer_phone=CUSTOMER))
    assert app.conversation_state(stack.org_a, CUSTOMER)["handed_off"] is False


# ---- only an owner edits an owner ----------------------------------------------------------


def test_an_admin_cannot_rename_the_owner_or_change_their_services(stack):
    owner = org_path(stack, f"/staff/{stack.seeded.staff['owner']}")
    renamed = stack.http.patch(owner, headers=stack.headers["admin"], json={"name": "Don Nadie"})
    assert renamed.status_code == 403 and "dueño" in renamed.json()["detail"]
    services = stack.http.patch(owner, headers=stack.headers["admin"], json={"service_type_ids": [str(stack.seeded.demo.service_ids["Corte de cabello"])]})
    assert services.status_code == 403
    assert stack.container.app.repository.get(stack.seeded.staff["owner"]).name == "Carlos Mendoza"
    # the owner edits themself; the admin still manages the rest of the team
    assert stack.http.patch(owner, headers=stack.headers["owner"], json={"name": "Carlos Mendoza Ruiz"}).status_code == 200
    member = org_path(stack, f"/staff/{stack.seeded.staff['staff']}")
    assert stack.http.patch(member, headers=stack.headers["admin"], json={"name": "Miguel Ángel Sánchez"}).status_code == 200

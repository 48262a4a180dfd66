"""Every route group of a business: organization, locations, services, staff, customers, spots,
availability and slots, conversations. Each write is visible in the response and the next GET."""

from __future__ import annotations

import uuid
from datetime import date

from aggregates.calendar import StaffDay
from aggregates.organization import Organization
from commands import Actor
from commands.definitions import QueueOutboundMessage, RecordInboundMessage

BOOK_AT = "2026-01-15T10:00:00-06:00"  # Thursday, the demo business is open 10-20


def book(api, **overrides):
    body = {"service_type_id": str(api.service), "scheduled_start": BOOK_AT, "phone_number": "+525598765432", "name": "Juan Pérez"}
    body.update(overrides)
    return api.post(api.org("/appointments"), json=body)


# ---- organizations --------------------------------------------------------------------------


def test_get_and_patch_organization(api):
    org = api.get(api.org()).json()
    assert org["name"] == "Barbería Don Carlos"
    assert org["phone_number"] == "+525512345678" and org["phone_country_code"] == "+52"
    assert org["timezone"] == "America/Mexico_City" and org["status"] == "active"
    assert org["locations"][0]["is_primary"] is True
    assert org["created_at"].endswith("-06:00")

    patched = api.patch(api.org(), json={"name": "Barbería Don Carlos e Hijos", "settings": {"buffer_minutes": 10}})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Barbería Don Carlos e Hijos"
    assert patched.json()["settings"]["buffer_minutes"] == 10
    assert api.get(api.org()).json()["name"] == "Barbería Don Carlos e Hijos"

    assert api.patch(api.org(), json={}).status_code == 422
    bad_tz = api.patch(api.org(), json={"timezone": "Mars/Olympus"})
    assert bad_tz.status_code == 422 and "zona horaria" in bad_tz.json()["detail"]


def test_admin_creates_an_organization_with_its_owner(api):
    created = api.post(
        "/api/v1/organizations",
        who="platform",
        json={
            "name": "Uñas Bonitas",
            "phone_number": "+52 55 1357 9111",
            "business_type": "nail_salon",
            "owner_name": "Paty López",
            "owner_phone_number": "+525524681357",
            "business_hours": {"mon": [["09:00", "18:00"]]},
        },
    )
    assert created.status_code == 201, created.text
    org = created.json()
    assert org["status"] == "onboarding" and org["phone_number"] == "+525513579111"
    staff = api.get(api.org("/staff", uuid.UUID(org["id"])), who="platform").json()
    assert [(s["name"], s["permission_level"]) for s in staff] == [("Paty López", "owner")]
    again = api.post("/api/v1/organizations", who="platform", json={"name": "Otra", "phone_number": "+525513579111"})
    assert again.status_code == 409


def test_an_invalid_owner_phone_creates_no_organization(api):
    # given
    body = {"name": "Uñas Bonitas", "phone_number": "+52 55 1357 9111", "owner_name": "Paty López", "owner_phone_number": "12"}

    # when: the owner's phone is invalid
    refused = api.post("/api/v1/organizations", who="platform", json=body)

    # then: 422 and no organization was saved (so it is not 409 on retry)
    assert refused.status_code == 422, refused.text
    org_id = Organization.create_id("+525513579111")
    assert api.get(api.org("", org_id), who="platform").status_code == 404
    assert api.get(f"/api/v1/admin/aggregates/{org_id}/events", who="platform").status_code == 404
    assert "Uñas Bonitas" not in {o["name"] for o in api.get("/api/v1/admin/organizations", who="platform").json()}

    # when: retried with a valid phone
    created = api.post("/api/v1/organizations", who="platform", json={**body, "owner_phone_number": "+525524681357"})

    # then: both the organization and its owner exist
    assert created.status_code == 201, created.text
    staff = api.get(api.org("/staff", org_id), who="platform").json()
    assert [(s["name"], s["phone_number"], s["permission_level"]) for s in staff] == [("Paty López", "+525524681357", "owner")]


def test_patch_organization_is_all_or_nothing(api):
    # when: a valid name with an invalid setting, or an unknown one
    bad = api.patch(api.org(), json={"name": "Otro nombre", "settings": {"buffer_minutes": -5}})
    unknown = api.patch(api.org(), json={"name": "Otro nombre", "settings": {"bufer_minutes": 5}})

    # then: both refused and the name is unchanged
    assert bad.status_code == 422 and unknown.status_code == 422
    assert "desconocido" in unknown.json()["detail"] and "buffer_minutes" in unknown.json()["detail"]
    org = api.get(api.org()).json()
    assert org["name"] == "Barbería Don Carlos" and org["settings"]["buffer_minutes"] == 0


# ---- locations --------------------------------------------------------------------------------


def test_patch_location_is_all_or_nothing_and_hours_keep_their_permission(api):
    primary = api.get(api.org("/locations")).json()[0]

    # when: a new name with invalid hours
    bad = api.patch(api.org(f"/locations/{primary['id']}"), json={"name": "Centro", "business_hours": {"mon": [["20:00", "10:00"]]}})

    # then: refused, the name did not change
    assert bad.status_code == 422
    assert api.get(api.org(f"/locations/{primary['id']}")).json()["name"] == primary["name"]

    # when: an admin-level member (no change_business_hours) sends hours
    denied = api.patch(api.org(f"/locations/{primary['id']}"), who="admin", json={"business_hours": {"sun": [["10:00", "14:00"]]}})

    # then
    assert denied.status_code == 403
    assert api.get(api.org(f"/locations/{primary['id']}")).json()["business_hours"]["sun"] == []


def test_locations_crud(api):
    listed = api.get(api.org("/locations")).json()
    assert len(listed) == 1
    created = api.post(api.org("/locations"), json={"name": "Sucursal Norte", "address": "Av. Norte 123", "business_hours": {"mon": [["09:00", "15:00"]]}})
    assert created.status_code == 201, created.text
    location = created.json()
    assert location["is_primary"] is False and location["business_hours"]["mon"] == [["09:00", "15:00"]]
    patched = api.patch(api.org(f"/locations/{location['id']}"), json={"address": "Av. Norte 456", "business_hours": {"tue": [["10:00", "14:00"]]}})
    assert patched.status_code == 200
    assert patched.json()["address"] == "Av. Norte 456" and patched.json()["business_hours"]["tue"] == [["10:00", "14:00"]]
    assert len(api.get(api.org("/locations")).json()) == 2
    primary = listed[0]["id"]
    refused = api.delete(api.org(f"/locations/{primary}"))
    assert refused.status_code == 409 and "principal" in refused.json()["detail"]
    assert api.delete(api.org(f"/locations/{location['id']}")).status_code == 204
    assert api.get(api.org(f"/locations/{location['id']}")).status_code == 404


# ---- services -----------------------------------------------------------------------------------


def test_services_crud(api):
    services = api.get(api.org("/services")).json()
    assert {s["name"] for s in services} == {"Corte de cabello", "Arreglo de barba", "Corte y barba"}
    created = api.post(api.org("/services"), json={"name": "Tinte", "duration_minutes": 90, "price_cents": 45000, "description": "Color completo"})
    assert created.status_code == 201, created.text
    service = created.json()
    assert service["currency"] == "MXN" and service["is_active"] is True and service["duration_minutes"] == 90
    patched = api.patch(api.org(f"/services/{service['id']}"), json={"price_cents": 50000, "is_active": False})
    assert patched.status_code == 200 and patched.json()["price_cents"] == 50000 and patched.json()["is_active"] is False
    active = api.get(api.org("/services"), params={"active_only": True}).json()
    assert service["id"] not in {s["id"] for s in active}
    duplicate = api.post(api.org("/services"), json={"name": "tinte", "duration_minutes": 30, "price_cents": 1})
    assert duplicate.status_code == 409 and "Ya existe" in duplicate.json()["detail"]
    assert api.delete(api.org(f"/services/{service['id']}")).status_code == 204
    assert api.get(api.org(f"/services/{service['id']}")).status_code == 404


def test_delete_service_with_appointments_is_refused(api):
    assert book(api).status_code == 201
    refused = api.delete(api.org(f"/services/{api.service}"))
    assert refused.status_code == 409
    assert refused.json()["detail"] == "«Corte de cabello» ya tiene citas; puedes desactivarlo, pero no eliminarlo."
    assert api.get(api.org(f"/services/{api.service}")).status_code == 200


# ---- staff ----------------------------------------------------------------------------------------


def test_staff_crud_deactivate_reactivate(api):
    team = api.get(api.org("/staff")).json()
    assert team[0]["permission_level"] == "owner"
    assert {s["name"] for s in team} >= {"Carlos Mendoza", "Miguel Sánchez"}
    created = api.post(
        api.org("/staff"),
        json={"name": "Pedro Ruiz", "phone_number": "55 7777 1234", "service_type_ids": [str(api.service)], "working_hours": {"mon": [["10:00", "14:00"]]}},
    )
    assert created.status_code == 201, created.text
    pedro = created.json()
    assert pedro["phone_number"] == "+525577771234" and pedro["service_type_ids"] == [str(api.service)]
    assert pedro["working_hours"]["mon"] == [["10:00", "14:00"]]
    duplicate = api.post(api.org("/staff"), json={"name": "Pedro otra vez", "phone_number": "+525577771234"})
    assert duplicate.status_code == 409

    patched = api.patch(api.org(f"/staff/{pedro['id']}"), json={"name": "Pedro Ruiz Gómez", "permission_level": "admin", "working_hours": None})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Pedro Ruiz Gómez" and patched.json()["permission_level"] == "admin"
    assert patched.json()["working_hours"] is None

    off = api.post(api.org(f"/staff/{pedro['id']}/deactivate"))
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert pedro["id"] not in {s["id"] for s in api.get(api.org("/staff"), params={"active_only": True}).json()}
    on = api.post(api.org(f"/staff/{pedro['id']}/reactivate"))
    assert on.status_code == 200 and on.json()["is_active"] is True
    assert api.get(api.org(f"/staff/{uuid.uuid4()}")).status_code == 404


def test_owner_cannot_deactivate_themselves(api):
    answer = api.post(api.org(f"/staff/{api.staff['owner']}/deactivate"))
    assert answer.status_code == 422 and "ti mismo" in answer.json()["detail"]


# ---- customers --------------------------------------------------------------------------------------


def test_customers_create_search_get_patch(api):
    created = api.post(api.org("/customers"), json={"phone_number": "55 4321 8765", "name": "María López", "notes": "Prefiere tijera"})
    assert created.status_code == 201, created.text
    maria = created.json()
    assert maria["phone_number"] == "+525543218765" and maria["notes"] == "Prefiere tijera"
    again = api.post(api.org("/customers"), json={"phone_number": "+525543218765", "email": "maria@example.com"})
    assert again.status_code == 200 and again.json()["id"] == maria["id"] and again.json()["email"] == "maria@example.com"
    api.post(api.org("/customers"), json={"phone_number": "+525511223344", "name": "José Hernández"})

    assert [c["name"] for c in api.get(api.org("/customers"), params={"search": "maría"}).json()] == ["María López"]
    assert [c["name"] for c in api.get(api.org("/customers"), params={"search": "4321"}).json()] == ["María López"]
    assert [c["name"] for c in api.get(api.org("/customers"), params={"search": "+52 55 4321 8765"}).json()] == ["María López"]
    assert len(api.get(api.org("/customers")).json()) == 2
    assert api.get(api.org("/customers"), params={"search": "nadie"}).json() == []

    booked = book(api, customer_id=maria["id"], phone_number=None, name=None)
    assert booked.status_code == 201, booked.text
    detail = api.get(api.org(f"/customers/{maria['id']}")).json()
    assert [a["id"] for a in detail["appointments"]] == [booked.json()["id"]]
    assert detail["appointments"][0]["service_name"] == "Corte de cabello"

    patched = api.patch(api.org(f"/customers/{maria['id']}"), json={"name": "María López Ruiz", "notes": "VIP"})
    assert patched.status_code == 200 and patched.json()["name"] == "María López Ruiz" and patched.json()["notes"] == "VIP"
    assert api.patch(api.org(f"/customers/{maria['id']}"), json={"email": "sin-arroba"}).status_code == 422


# ---- spots ----------------------------------------------------------------------------------------------


def test_spots_crud_and_services(api):
    location = api.get(api.org("/locations")).json()[0]["id"]
    created = api.post(api.org(f"/locations/{location}/spots"), json={"name": "Silla 1", "display_order": 1, "service_type_ids": [str(api.service)]})
    assert created.status_code == 201, created.text
    spot = created.json()
    assert spot["service_type_ids"] == [str(api.service)] and spot["location_id"] == location
    barba = str(api.demo.service_ids["Arreglo de barba"])
    put = api.put(api.org(f"/spots/{spot['id']}/services"), json={"service_type_ids": [str(api.service), barba]})
    assert put.status_code == 200 and set(put.json()["service_type_ids"]) == {str(api.service), barba}
    patched = api.patch(api.org(f"/spots/{spot['id']}"), json={"name": "Silla VIP", "display_order": 0})
    assert patched.status_code == 200 and patched.json()["name"] == "Silla VIP"
    assert [s["name"] for s in api.get(api.org(f"/locations/{location}/spots")).json()] == ["Silla VIP"]
    assert api.get(api.org(f"/spots/{spot['id']}")).json()["display_order"] == 0
    unknown_service = api.put(api.org(f"/spots/{spot['id']}/services"), json={"service_type_ids": [str(uuid.uuid4())]})
    assert unknown_service.status_code == 404

    booked = book(api)
    assert booked.status_code == 201 and booked.json()["spot_id"] == spot["id"]
    refused = api.delete(api.org(f"/spots/{spot['id']}"))
    assert refused.status_code == 409 and "ya tiene citas" in refused.json()["detail"]
    second = api.post(api.org(f"/locations/{location}/spots"), json={"name": "Silla 2"}).json()
    assert api.delete(api.org(f"/spots/{second['id']}")).status_code == 204
    assert api.get(api.org(f"/spots/{second['id']}")).status_code == 404


# ---- availability ---------------------------------------------------------------------------------------


def test_availability_blocks_and_closures(api):
    miguel = str(api.staff["staff"])
    block = api.post(
        api.org("/availability"),
        json={"type": "block", "staff_id": miguel, "start": "2026-01-15T13:00:00-06:00", "end": "2026-01-15T15:00:00-06:00", "reason": "Comida"},
    )
    assert block.status_code == 201, block.text
    block_id = block.json()["id"]
    closure = api.post(api.org("/availability"), json={"type": "closure", "start_date": "2026-01-20", "end_date": "2026-01-21", "reason": "Vacaciones"})
    assert closure.status_code == 201, closure.text
    closure_id = closure.json()["id"]

    view = api.get(api.org("/availability"), params={"date_from": "2026-01-14", "date_to": "2026-01-31"}).json()
    assert view["timezone"] == "America/Mexico_City"
    assert view["business_hours"][0]["business_hours"]["thu"] == [["10:00", "20:00"]]
    assert [(b["id"], b["reason"], b["start"]) for b in view["blocks"]] == [(block_id, "Comida", "2026-01-15T13:00:00-06:00")]
    assert [(c["id"], c["start_date"], c["reason"]) for c in view["closures"]] == [(closure_id, "2026-01-20", "Vacaciones")]
    only_owner = api.get(api.org("/availability"), params={"staff_id": str(api.staff["owner"]), "date_from": "2026-01-14"}).json()
    assert only_owner["blocks"] == []

    # the blocked time and the closed days are refused for bookings
    taken = book(api, staff_id=miguel, scheduled_start="2026-01-15T13:30:00-06:00")
    assert taken.status_code == 409 and "bloqueo" in taken.json()["detail"]
    closed = book(api, scheduled_start="2026-01-20T11:00:00-06:00")
    assert closed.status_code == 409 and "cerrado" in closed.json()["detail"]

    assert api.delete(api.org(f"/availability/{block_id}")).status_code == 204
    assert api.delete(api.org(f"/availability/{closure_id}")).status_code == 204
    view = api.get(api.org("/availability"), params={"date_from": "2026-01-14"}).json()
    assert view["blocks"] == [] and view["closures"] == []
    assert api.delete(api.org(f"/availability/{block_id}")).status_code == 404
    assert book(api, staff_id=miguel, scheduled_start="2026-01-15T13:30:00-06:00").status_code == 201


def test_multi_day_block_is_removed_whole(api):
    miguel = str(api.staff["staff"])
    block = api.post(
        api.org("/availability"),
        json={"type": "block", "staff_id": miguel, "start": "2026-01-15T18:00:00-06:00", "end": "2026-01-17T12:00:00-06:00"},
    ).json()
    assert len(block["pieces"]) == 3
    assert len(api.get(api.org("/availability"), params={"date_from": "2026-01-14"}).json()["blocks"]) == 3
    deleted = api.client.delete(api.org(f"/availability/{block['id']}"), headers={**api.headers(), "X-Request-ID": "quitar-viaje"})
    assert deleted.status_code == 204
    assert api.get(api.org("/availability"), params={"date_from": "2026-01-14"}).json()["blocks"] == []
    # one command removed every piece: one TimeUnblocked per day, all with the request's cause
    days = [StaffDay.create_id(uuid.UUID(miguel), date.fromisoformat(p["day"])) for p in block["pieces"]]
    last = [api.get(f"/api/v1/admin/aggregates/{day}/events", who="platform").json()["events"][-1] for day in days]
    assert [(e["type"], e["cause"]) for e in last] == [("TimeUnblocked", "quitar-viaje")] * 3
    assert api.delete(api.org(f"/availability/{block['id']}")).status_code == 404


def test_deleting_one_piece_of_a_multi_day_block_keeps_the_rest(api):
    miguel = str(api.staff["staff"])
    block = api.post(
        api.org("/availability"),
        json={"type": "block", "staff_id": miguel, "start": "2026-01-15T18:00:00-06:00", "end": "2026-01-17T12:00:00-06:00"},
    ).json()
    friday = block["pieces"][1]["block_id"]
    assert api.delete(api.org(f"/availability/{friday}")).status_code == 204
    left = api.get(api.org("/availability"), params={"date_from": "2026-01-14"}).json()["blocks"]
    assert sorted(b["id"] for b in left) == sorted([block["pieces"][0]["block_id"], block["pieces"][2]["block_id"]])


def test_staff_blocks_own_time_without_staff_id(api):
    own = api.post(api.org("/availability"), who="staff", json={"type": "block", "start": "2026-01-16T10:00:00-06:00", "end": "2026-01-16T11:00:00-06:00"})
    assert own.status_code == 201 and own.json()["staff_id"] == str(api.staff["staff"])
    platform = api.post(api.org("/availability"), who="platform", json={"type": "block", "start": "2026-01-16T10:00:00-06:00", "end": "2026-01-16T11:00:00-06:00"})
    assert platform.status_code == 422


def test_business_hours_via_availability(api):
    answer = api.post(api.org("/availability"), json={"type": "business_hours", "business_hours": {"sun": [["10:00", "14:00"]]}})
    assert answer.status_code == 201, answer.text
    assert answer.json()["business_hours"]["sun"] == [["10:00", "14:00"]]
    assert api.get(api.org("/availability")).json()["business_hours"][0]["business_hours"]["sun"] == [["10:00", "14:00"]]


def test_slots(api):
    params = {"service_type_id": str(api.service), "date_from": "2026-01-15", "date_to": "2026-01-15"}
    first = api.get(api.org("/availability/slots"), params=params)
    assert first.status_code == 200, first.text
    slots = first.json()["slots"]
    assert slots[0]["start"] == "2026-01-15T10:00:00-06:00" and slots[0]["end"] == "2026-01-15T10:30:00-06:00"
    assert len(slots[0]["staff_ids"]) == 3  # owner, staff and admin perform it; viewers are never offered (issue #8)
    assert str(api.staff["viewer"]) not in slots[0]["staff_ids"]
    owner = str(api.staff["owner"])
    assert book(api, staff_id=owner).status_code == 201
    after = api.get(api.org("/availability/slots"), params={**params, "staff_id": owner}).json()["slots"]
    assert after[0]["start"] == "2026-01-15T10:30:00-06:00"
    week = api.get(api.org("/availability/slots"), params={**params, "date_to": "2026-01-21"}).json()["slots"]
    assert {s["start"][:10] for s in week} >= {"2026-01-15", "2026-01-16", "2026-01-17", "2026-01-19"}
    assert not [s for s in week if s["start"].startswith("2026-01-18")]  # Sunday: closed
    unknown = api.get(api.org("/availability/slots"), params={**params, "service_type_id": str(uuid.uuid4())})
    assert unknown.status_code == 404


# ---- conversations ----------------------------------------------------------------------------------------


def test_conversations_are_read_only_views(api):
    assert api.get(api.org("/conversations")).json() == []
    # a customer writes to the business (the gateway's command), the business answers
    api.app.execute(
        RecordInboundMessage(
            actor=Actor.customer("+525598765432"),
            cause="SM-test-1",
            organization_id=api.org_a,
            message_sid="SM-test-1",
            from_address="whatsapp:+5215598765432",
            to_number="+525512345678",
            body="Hola, quiero una cita",
            profile_name="Juan",
            received_at=api.clock(),
        )
    )
    api.app.execute(
        QueueOutboundMessage(actor=Actor.system("agent"), cause="SM-test-1", organization_id=api.org_a, to_phone="+525598765432", body="¡Hola! ¿Qué servicio te interesa?")
    )
    api.sync()
    conversations = api.get(api.org("/conversations")).json()
    assert len(conversations) == 1
    conversation = conversations[0]
    assert conversation["customer_phone"] == "+525598765432"
    detail = api.get(api.org(f"/conversations/{conversation['id']}")).json()
    assert detail["id"] == conversation["id"]
    messages = api.get(api.org(f"/conversations/{conversation['id']}/messages")).json()
    assert [m["direction"] for m in messages] == ["inbound", "outbound"]
    assert messages[0]["content"] == "Hola, quiero una cita"
    # B cannot see A's conversation, even by id
    assert api.get(api.org(f"/conversations/{conversation['id']}", api.org_b), who="owner_b").status_code == 404
    assert api.get(api.org(f"/conversations/{uuid.uuid4()}")).status_code == 404
    # admins see it across the platform
    everywhere = api.get("/api/v1/admin/conversations", who="platform").json()
    assert [c["id"] for c in everywhere] == [conversation["id"]]
    assert api.get("/api/v1/admin/conversations", who="platform", params={"organization_id": str(api.org_b)}).json() == []
    full = api.get(f"/api/v1/admin/conversations/{conversation['id']}", who="platform").json()
    assert full["organization_name"] == "Barbería Don Carlos" and len(full["messages"]) == 2

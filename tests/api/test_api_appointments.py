"""Appointments over REST: booking, filters, reschedule/notes, lifecycle and the audit history."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

MX = ZoneInfo("America/Mexico_City")
BOOK_AT = "2026-01-15T10:00:00-06:00"


def book(api, who="owner", headers=None, **overrides):
    body = {"service_type_id": str(api.service), "scheduled_start": BOOK_AT, "phone_number": "+525598765432", "name": "Juan Pérez"}
    body.update({k: v for k, v in overrides.items()})
    body = {k: v for k, v in body.items() if v is not None}
    return api.post(api.org("/appointments"), who=who, json=body, headers=headers or {})


def test_book_with_new_customer_and_auto_staff(api):
    answer = book(api)
    assert answer.status_code == 201, answer.text
    appointment = answer.json()
    assert appointment["status"] == "confirmed" and appointment["source"] == "web"
    assert appointment["scheduled_start"] == "2026-01-15T10:00:00-06:00"
    assert appointment["scheduled_end"] == "2026-01-15T10:30:00-06:00"
    assert appointment["service_type_id"] == str(api.service) and "service_id" not in appointment
    assert appointment["customer_name"] == "Juan Pérez" and appointment["customer_phone"] == "+525598765432"
    assert appointment["staff_id"] in {str(s) for s in api.staff.values()}
    assert appointment["price_cents"] == 15000
    # read-your-writes: the list and the customer see it at once
    listed = api.get(api.org("/appointments"), params={"date_from": "2026-01-15", "date_to": "2026-01-15"}).json()
    assert [a["id"] for a in listed] == [appointment["id"]]
    customers = api.get(api.org("/customers"), params={"search": "Juan"}).json()
    assert customers[0]["id"] == appointment["customer_id"]


def test_auto_staff_picks_someone_free(api):
    first = book(api).json()
    second = book(api, phone_number="+525598765433", name="Luis").json()
    assert first["staff_id"] != second["staff_id"]


def test_book_with_existing_customer_and_explicit_staff(api):
    customer = api.post(api.org("/customers"), json={"phone_number": "+525543218765", "name": "María"}).json()
    answer = book(api, customer_id=customer["id"], phone_number=None, name=None, staff_id=str(api.staff["staff"]), status="pending", notes="Primera vez")
    assert answer.status_code == 201, answer.text
    appointment = answer.json()
    assert appointment["customer_id"] == customer["id"] and appointment["staff_id"] == str(api.staff["staff"])
    assert appointment["status"] == "pending" and appointment["notes"] == "Primera vez"
    confirmed = api.post(api.org(f"/appointments/{appointment['id']}/confirm"))
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"


def test_double_booking_the_same_staff_is_409(api):
    miguel = str(api.staff["staff"])
    assert book(api, staff_id=miguel).status_code == 201
    clash = book(api, staff_id=miguel, scheduled_start="2026-01-15T10:15:00-06:00", phone_number="+525598765433")
    assert clash.status_code == 409
    assert clash.json()["code"] == "slot_taken" and "otra cita" in clash.json()["detail"]


def test_domain_refusals_are_clear(api):
    past = book(api, scheduled_start="2026-01-13T10:00:00-06:00")
    assert past.status_code == 422 and "ya pasó" in past.json()["detail"]
    closed = book(api, scheduled_start="2026-01-18T11:00:00-06:00")  # Sunday
    assert closed.status_code == 409 and "horario de atención" in closed.json()["detail"]
    unknown_customer = book(api, customer_id=str(uuid.uuid4()), phone_number=None, name=None)
    assert unknown_customer.status_code == 404 and "cliente" in unknown_customer.json()["detail"]
    unknown_service = book(api, service_type_id=str(uuid.uuid4()))
    assert unknown_service.status_code == 404


def test_list_filters(api):
    owner, miguel = str(api.staff["owner"]), str(api.staff["staff"])
    barba = str(api.demo.service_ids["Arreglo de barba"])
    a = book(api, staff_id=owner).json()
    b = book(api, staff_id=miguel, service_type_id=barba, phone_number="+525598765433").json()
    c = book(api, staff_id=miguel, scheduled_start="2026-01-16T12:00:00-06:00", phone_number="+525598765434").json()
    api.post(api.org(f"/appointments/{c['id']}/cancel"), json={"reason": "Se enfermó"})

    def ids(**params):
        answer = api.get(api.org("/appointments"), params=params)
        assert answer.status_code == 200, answer.text
        return [x["id"] for x in answer.json()]

    everything = ids()
    assert set(everything[:2]) == {a["id"], b["id"]} and everything[2] == c["id"]  # same start: any order
    assert ids(date_from="2026-01-16", date_to="2026-01-16") == [c["id"]]
    assert ids(staff_id=miguel) == [b["id"], c["id"]]
    assert ids(service_type_id=barba) == [b["id"]]
    assert ids(status="cancelled") == [c["id"]]
    assert ids(status=["confirmed", "cancelled"], staff_id=miguel) == [b["id"], c["id"]]
    assert ids(customer_id=a["customer_id"]) == [a["id"]]
    assert ids(date_from="2026-02-01", date_to="2026-02-28") == []


def test_reschedule_and_notes(api):
    appointment = book(api, staff_id=str(api.staff["owner"])).json()
    moved = api.patch(api.org(f"/appointments/{appointment['id']}"), json={"scheduled_start": "2026-01-16T17:00:00-06:00", "staff_id": str(api.staff["staff"])})
    assert moved.status_code == 200, moved.text
    assert moved.json()["scheduled_start"] == "2026-01-16T17:00:00-06:00"
    assert moved.json()["staff_id"] == str(api.staff["staff"]) and moved.json()["reschedule_count"] == 1
    noted = api.patch(api.org(f"/appointments/{appointment['id']}"), json={"notes": "Trae foto de referencia"})
    assert noted.status_code == 200 and noted.json()["notes"] == "Trae foto de referencia"
    barba = str(api.demo.service_ids["Corte y barba"])
    changed = api.patch(api.org(f"/appointments/{appointment['id']}"), json={"service_type_id": barba})
    assert changed.json()["scheduled_end"] == "2026-01-16T17:45:00-06:00" and changed.json()["price_cents"] == 22000
    assert api.patch(api.org(f"/appointments/{appointment['id']}"), json={}).status_code == 422
    # the old slot is free again
    assert book(api, staff_id=str(api.staff["owner"]), phone_number="+525598765433").status_code == 201


def test_a_patch_that_moves_and_notes_is_all_or_nothing(api):
    # given: Juan at 10:00 with the owner, and Miguel busy at 10:00
    appointment = book(api, staff_id=str(api.staff["owner"]), notes="primera").json()
    assert book(api, staff_id=str(api.staff["staff"]), phone_number="+525598765433").status_code == 201

    # when: moved to Miguel (taken) with new notes
    clash = api.patch(api.org(f"/appointments/{appointment['id']}"), json={"staff_id": str(api.staff["staff"]), "notes": "nueva"})

    # then: refused, and the notes did not change either
    assert clash.status_code == 409
    current = api.get(api.org(f"/appointments/{appointment['id']}")).json()
    assert (current["staff_id"], current["notes"]) == (str(api.staff["owner"]), "primera")

    # when: a free time, with the notes
    moved = api.patch(api.org(f"/appointments/{appointment['id']}"), json={"scheduled_start": "2026-01-15T12:00:00-06:00", "notes": "nueva"})

    # then: both, in one event stream entry per change, with the same cause
    assert moved.status_code == 200, moved.text
    assert (moved.json()["scheduled_start"], moved.json()["notes"]) == ("2026-01-15T12:00:00-06:00", "nueva")
    events = api.get(api.org(f"/appointments/{appointment['id']}/history")).json()["events"]
    assert [e["event_type"] for e in events] == ["Booked", "Rescheduled", "NotesUpdated"]
    assert events[1]["cause"] == events[2]["cause"]


def test_lifecycle_cancel_complete_no_show(api):
    one = book(api).json()
    two = book(api, phone_number="+525598765433").json()
    three = book(api, phone_number="+525598765434", scheduled_start="2026-01-15T11:00:00-06:00").json()
    cancelled = api.post(api.org(f"/appointments/{one['id']}/cancel"), json={"reason": "Cambio de planes"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "Cambio de planes"
    early = api.post(api.org(f"/appointments/{two['id']}/complete"), json={"notes": "Todo bien"})
    assert early.status_code == 409 and "todavía no empieza" in early.json()["detail"]
    assert api.post(api.org(f"/appointments/{three['id']}/no-show")).status_code == 409
    api.clock.set(datetime(2026, 1, 15, 11, 5, tzinfo=MX))  # both have started now
    completed = api.post(api.org(f"/appointments/{two['id']}/complete"), json={"notes": "Todo bien"})
    assert completed.status_code == 200 and completed.json()["status"] == "completed" and completed.json()["notes"] == "Todo bien"
    no_show = api.post(api.org(f"/appointments/{three['id']}/no-show"))
    assert no_show.status_code == 200 and no_show.json()["status"] == "no_show"
    again = api.post(api.org(f"/appointments/{one['id']}/complete"))
    assert again.status_code == 409 and "cancelada" in again.json()["detail"]
    moved = api.patch(api.org(f"/appointments/{two['id']}"), json={"scheduled_start": "2026-01-16T10:00:00-06:00"})
    assert moved.status_code == 409


def test_history_shows_every_event_with_actor_and_cause(api):
    created = book(api, headers={"X-Request-ID": "alta-123"})
    assert created.headers["x-request-id"] == "alta-123"
    appointment = created.json()
    noted = api.client.patch(
        api.org(f"/appointments/{appointment['id']}"), headers={**api.headers("staff"), "X-Request-ID": "nota-456"}, json={"notes": "Llega tarde"}
    )
    assert noted.status_code == 200
    cancelled = api.client.post(
        api.org(f"/appointments/{appointment['id']}/cancel"), headers={**api.headers("platform"), "X-Request-ID": "baja-789"}, json={"reason": "Pidió cancelar"}
    )
    assert cancelled.status_code == 200
    history = api.get(api.org(f"/appointments/{appointment['id']}/history"), who="viewer")
    assert history.status_code == 200, history.text
    events = history.json()["events"]
    assert [e["event_type"] for e in events] == ["Booked", "NotesUpdated", "Cancelled"]
    assert [e["version"] for e in events] == [1, 2, 3]
    assert [e["cause"] for e in events] == ["alta-123", "nota-456", "baja-789"]
    assert events[0]["actor"] == f"owner:{api.staff['owner']}" and events[0]["actor_kind"] == "owner"
    assert events[1]["actor"] == f"staff:{api.staff['staff']}" and events[1]["actor_id"] == str(api.staff["staff"])
    assert events[2]["actor"] == "admin:admin"
    assert events[1]["changes"]["notes"]["to"] == "Llega tarde"
    assert events[2]["changes"]["status"] == {"from": "confirmed", "to": "cancelled"}
    assert all(e["occurred_at"] and e["occurred_at"][-6] in "+-" for e in events)
    assert api.get(api.org(f"/appointments/{uuid.uuid4()}/history")).status_code == 404


def test_generated_request_id_is_the_cause(api):
    created = book(api)
    request_id = created.headers["x-request-id"]
    assert request_id.startswith("req-")
    events = api.get(api.org(f"/appointments/{created.json()['id']}/history")).json()["events"]
    assert events[0]["cause"] == request_id
    # an unusable header is replaced, not trusted
    weird = book(api, phone_number="+525598765433", headers={"X-Request-ID": "no valido / con espacios"})
    assert weird.headers["x-request-id"].startswith("req-")


def test_walk_in_without_phone(api):
    answer = api.post(
        api.org("/appointments"),
        who="staff",
        json={"service_type_id": str(api.service), "scheduled_start": "2026-01-14T13:00:00-06:00", "source": "walk_in", "staff_id": str(api.staff["staff"])},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["source"] == "walk_in"

"""Bad input gets a clear 4xx (never a 500); unexpected errors get a generic Spanish 500."""

from __future__ import annotations

import uuid

import pytest

from gateway.api import INTERNAL_ERROR_ES

NOW = "2026-01-15T10:00:00-06:00"


def cases(api):
    org = api.org()
    service = str(api.service)
    good = {"service_type_id": service, "scheduled_start": NOW, "phone_number": "+525598765432", "name": "Juan"}
    return [
        # malformed ids
        ("GET", f"/api/v1/organizations/not-a-uuid", None, 422),
        ("GET", f"{org}/appointments/123", None, 422),
        ("GET", f"{org}/customers/zzz", None, 422),
        ("PATCH", f"{org}/staff/🙂", {"name": "x"}, 422),
        ("DELETE", f"{org}/services/1", None, 422),
        ("GET", f"{org}/appointments", {"params": {"staff_id": "nope"}}, 422),
        ("POST", f"{org}/appointments", {**good, "service_type_id": "abc"}, 422),
        ("GET", f"/api/v1/admin/aggregates/xyz/events", None, 422),
        # unknown ids
        ("GET", f"{org}/appointments/{uuid.uuid4()}", None, 404),
        ("GET", f"{org}/customers/{uuid.uuid4()}", None, 404),
        ("PATCH", f"{org}/services/{uuid.uuid4()}", {"price_cents": 1}, 404),
        ("POST", f"{org}/appointments/{uuid.uuid4()}/cancel", None, 404),
        ("DELETE", f"{org}/availability/{uuid.uuid4()}", None, 404),
        ("GET", f"{org}/spots/{uuid.uuid4()}", None, 404),
        ("POST", f"{org}/appointments", {**good, "staff_id": str(uuid.uuid4())}, 404),
        ("GET", f"/api/v1/admin/aggregates/{uuid.uuid4()}/events", None, 404),
        ("GET", f"/api/v1/admin/organizations/{uuid.uuid4()}", None, 404),
        # bad dates and times
        ("GET", f"{org}/appointments", {"params": {"date_from": "ayer"}}, 422),
        ("GET", f"{org}/appointments", {"params": {"date_from": "2026-02-30"}}, 422),
        ("GET", f"{org}/appointments", {"params": {"date_from": "2026-01-20", "date_to": "2026-01-10"}}, 422),
        ("GET", f"{org}/appointments", {"params": {"date_from": "2026-01-01", "date_to": "2026-03-01"}}, 422),
        ("GET", f"{org}/availability/slots", {"params": {"service_type_id": service, "date_from": "2026-01-15", "date_to": "2026-02-15"}}, 422),
        ("GET", f"{org}/availability/slots", {"params": {"service_type_id": service, "date_from": "15/01/2026"}}, 422),
        ("GET", f"{org}/availability/slots", {"params": {"date_from": "2026-01-15"}}, 422),
        ("GET", f"{org}/availability", {"params": {"date_from": "2026-01-01", "date_to": "2026-12-31"}}, 422),
        ("POST", f"{org}/appointments", {**good, "scheduled_start": "2026-01-15T10:00:00"}, 422),  # no offset
        ("POST", f"{org}/appointments", {**good, "scheduled_start": "mañana a las 4"}, 422),
        ("POST", f"{org}/appointments", {**good, "scheduled_start": "2026-01-18T11:00:00-06:00"}, 409),  # Sunday: closed
        ("POST", f"{org}/availability", {"type": "block", "staff_id": str(api.staff["staff"]), "start": NOW, "end": "2026-01-15T09:00:00-06:00"}, 422),
        ("POST", f"{org}/availability", {"type": "block", "staff_id": str(api.staff["staff"]), "start": NOW, "end": "2026-05-15T09:00:00-06:00"}, 422),
        ("POST", f"{org}/availability", {"type": "closure", "start_date": "2026-02-10", "end_date": "2026-02-01"}, 422),
        ("POST", f"{org}/availability", {"type": "vacaciones"}, 422),
        ("GET", f"/api/v1/admin/aggregates/{api.org_a}/state", {"params": {"at": "2026-01-15T10:00:00"}}, 422),
        # far-off dates are refused, not overflowed
        ("POST", f"{org}/appointments", {**good, "scheduled_start": "9999-12-31T23:59:00-06:00"}, 422),
        ("POST", f"{org}/availability", {"type": "block", "staff_id": str(api.staff["staff"]), "start": "0001-01-01T00:00:00+00:00", "end": "0001-01-01T01:00:00+00:00"}, 422),
        ("POST", f"{org}/availability", {"type": "closure", "start_date": "0001-01-01", "end_date": "9999-12-31"}, 422),
        ("GET", f"{org}/availability", {"params": {"date_from": "9999-12-31"}}, 422),
        ("GET", f"{org}/appointments", {"params": {"date_from": "0001-01-01"}}, 422),
        ("GET", f"/api/v1/admin/aggregates/{api.org_a}/state", {"params": {"at": "9999-12-31T23:00:00-12:00"}}, 422),
        # missing or wrong fields
        ("POST", f"{org}/appointments", {**good, "spot_id": str(uuid.uuid4())}, 404),
        ("POST", f"{org}/locations", {"name": "Horario raro", "business_hours": {"mon": 5}}, 422),
        ("POST", "/api/v1/organizations", {"name": "Horario raro", "phone_number": "+525500000078", "business_hours": {"mon": 5}}, 422),
        ("POST", f"{org}/staff", {"name": "Horario raro", "phone_number": "+525590909091", "working_hours": {"mon": [[1, 2]]}}, 422),
        ("POST", f"{org}/appointments", {"scheduled_start": NOW}, 422),
        ("POST", f"{org}/appointments", {"service_type_id": service, "scheduled_start": NOW}, 422),
        ("POST", f"{org}/appointments", {**good, "status": "completed"}, 422),
        ("POST", f"{org}/appointments", {**good, "colour": "rojo"}, 422),
        ("POST", f"{org}/services", {"name": "Sin duración", "price_cents": 100}, 422),
        ("POST", f"{org}/services", {"name": "Larguísimo", "duration_minutes": 6000, "price_cents": 100}, 422),
        ("POST", f"{org}/services", {"name": "Negativo", "duration_minutes": 30, "price_cents": -5}, 422),
        ("POST", f"{org}/services", {"name": "", "duration_minutes": 30, "price_cents": 5}, 422),
        ("POST", f"{org}/staff", {"name": "Sin teléfono"}, 422),
        ("POST", f"{org}/staff", {"name": "Teléfono malo", "phone_number": "12"}, 422),
        ("POST", f"{org}/staff", {"name": "Nivel raro", "phone_number": "+525590909090", "permission_level": "dios"}, 422),
        ("POST", f"{org}/customers", {"name": "Sin teléfono"}, 422),
        ("POST", f"{org}/customers", {"phone_number": "abc"}, 422),
        ("PATCH", f"{org}", {"status": "suspended"}, 422),
        ("PATCH", f"{org}", {"settings": {"buffer_minutes": "mucho"}}, 422),
        ("POST", f"{org}/locations", {"name": "Horario malo", "business_hours": {"lun": [["10:00", "20:00"]]}}, 422),
        ("POST", f"{org}/locations", {"name": "Horario malo", "business_hours": {"mon": [["20:00", "10:00"]]}}, 422),
        ("PATCH", f"/api/v1/admin/organizations/{api.org_b}/status", {"status": "borrada"}, 422),
        ("GET", f"{org}/customers", {"params": {"limit": 0}}, 422),
        ("GET", f"{org}/customers", {"params": {"limit": "muchos"}}, 422),
    ]


def test_bad_input_is_a_clear_4xx(api):
    for method, url, payload, expected in cases(api):
        kwargs = {}
        if isinstance(payload, dict) and "params" in payload:
            kwargs["params"] = payload["params"]
        elif payload is not None:
            kwargs["json"] = payload
        who = "platform" if "/admin/" in url or url == "/api/v1/organizations" else "owner"
        answer = api.client.request(method, url, headers=api.headers(who), **kwargs)
        assert answer.status_code == expected, f"{method} {url} {payload}: {answer.status_code} {answer.text}"
        detail = answer.json()["detail"]
        assert isinstance(detail, str) and detail, answer.text


def test_validation_messages_are_in_spanish(api):
    answer = api.post(api.org("/appointments"), json={"scheduled_start": "2026-01-15T10:00:00"})
    detail = answer.json()["detail"]
    assert detail.startswith("Datos inválidos:")
    assert "«service_type_id» falta este dato" in detail
    assert "«scheduled_start» debe incluir la zona horaria" in detail
    assert answer.json()["errors"]  # the machine-readable list is kept
    too_long = api.get(api.org("/availability/slots"), params={"service_type_id": str(api.service), "date_from": "2026-01-15", "date_to": "2026-02-15"})
    assert "30 días" in too_long.json()["detail"]


def test_malformed_json_body(api):
    answer = api.client.post(api.org("/customers"), headers={**api.headers(), "Content-Type": "application/json"}, content=b"{no es json")
    assert answer.status_code == 422
    assert "JSON" in answer.json()["detail"]


def test_unexpected_errors_are_a_generic_spanish_500(api, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database on fire: secret details")

    monkeypatch.setattr(api.container.reads, "list_services", boom)
    answer = api.client.get(api.org("/services"), headers={**api.headers(), "X-Request-ID": "fallo-1"})
    assert answer.status_code == 500
    assert answer.json() == {"detail": INTERNAL_ERROR_ES, "code": "internal_error", "request_id": "fallo-1"}
    assert "secret" not in answer.text
    assert answer.headers["x-request-id"] == "fallo-1"
    # the app keeps working
    monkeypatch.undo()
    assert api.get(api.org("/services")).status_code == 200


@pytest.mark.parametrize("method,path", [("GET", "/api/v1/nada"), ("DELETE", "/api/v1/auth/logout")])
def test_unknown_routes_are_4xx(api, method, path):
    assert api.client.request(method, path).status_code in (404, 405)


def test_a_write_the_projections_have_not_caught_up_with_is_202(api, monkeypatch):
    monkeypatch.setattr(api.container, "wait_for", lambda position, timeout=10.0: False)
    answer = api.post(api.org("/customers"), json={"phone_number": "+525512121299", "name": "Lenta"})
    assert answer.status_code == 202
    assert answer.json()["detail"] == "Tu cambio se guardó; puede tardar unos segundos en verse."
    customer_id = answer.json()["id"]
    monkeypatch.undo()
    api.sync()
    assert api.get(api.org(f"/customers/{customer_id}")).json()["name"] == "Lenta"

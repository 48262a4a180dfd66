"""Issue #8 over REST: NUL and control characters are removed from what is stored; a lone
surrogate (not text at all) is a 422 with a Spanish message, and nothing is stored."""

from __future__ import annotations


def post_raw(api, path: str, raw: str):
    return api.client.post(path, content=raw.encode(), headers={**api.headers(), "Content-Type": "application/json"})


def test_nul_in_a_customer_name_and_notes_is_removed(api):
    created = post_raw(api, api.org("/customers"), '{"phone_number": "+525543218765", "name": "Mar\\u0000\\u001bía", "notes": "línea 1\\nalergia\\u0000"}')
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "María" and created.json()["notes"] == "línea 1\nalergia"
    assert [c["name"] for c in api.get(api.org("/customers"), params={"search": "maría"}).json()] == ["María"]


def test_a_lone_surrogate_is_a_spanish_422_and_stores_nothing(api):
    before = api.app.recorder.max_notification_id()
    answer = post_raw(api, api.org("/customers"), '{"phone_number": "+525543218766", "name": "Mar\\ud800ía"}')
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"] == "Datos inválidos: «name» tiene caracteres que no son texto válido."
    assert api.app.recorder.max_notification_id() == before


def test_nul_in_appointment_notes_is_removed(api):
    booked = api.post(
        api.org("/appointments"),
        json={"service_type_id": str(api.service), "scheduled_start": "2026-01-15T10:00:00-06:00", "phone_number": "+525598765432", "name": "Juan", "notes": "Tra\x00e foto"},
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["notes"] == "Trae foto"

"""The OpenAPI document describes what the API really answers (issue #8): the error shape of every
operation, the statuses it can send, the webhook's XML, and the limits the server enforces."""

from __future__ import annotations

import re
import uuid

import pytest
from jsonschema import Draft202012Validator

from test_api_bad_input import cases as bad_input_cases

WRITES = {"post", "put", "patch", "delete"}
METHODS = WRITES | {"get"}


@pytest.fixture
def doc(api) -> dict:
    answer = api.client.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def _operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _schema(doc: dict, schema: dict) -> dict:
    return {"components": doc["components"], **schema}


def _resolved(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_operation_documents_the_errors_it_can_send_with_the_real_shape(doc):
    missing = []
    for path, method, operation in _operations(doc):
        params = operation.get("parameters", [])
        can_send = {"500"}
        if params or "requestBody" in operation:
            can_send.add("422")  # bad input
        if operation.get("security"):
            can_send |= {"401", "403"}  # no token / not allowed
        if any(p["in"] == "path" for p in params):
            can_send.add("404")  # unknown or foreign id
        if operation.get("security") and method in WRITES:
            can_send.add("409")  # the aggregates refuse the change
        documented = operation["responses"]
        missing += [f"{method.upper()} {path}: {status}" for status in sorted(can_send - set(documented))]
        for status, response in documented.items():
            if not status.startswith(("4", "5")) or path == "/health":
                continue
            schema = response["content"]["application/json"]["schema"]
            detail = _resolved(doc, schema)["properties"]["detail"]
            assert detail["type"] == "string", f"{method.upper()} {path} {status}: detail documented as {detail}"
            assert "detail" in _resolved(doc, schema)["required"]
    assert missing == []
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # FastAPI's array-shaped 422 is gone


def test_the_webhook_documents_its_xml_answer(doc):
    inbound = doc["paths"]["/api/v1/webhooks/whatsapp"]["post"]["responses"]
    assert "text/xml" in inbound["200"]["content"]
    assert "<Response/>" in inbound["200"]["content"]["text/xml"]["example"]
    assert "403" in inbound


def test_phone_and_date_limits_are_in_the_schema(doc):
    phone = doc["components"]["schemas"]["CustomerCreate"]["properties"]["phone_number"]
    assert "E.164" in phone["description"] and phone["maxLength"] == 40
    params = {p["name"]: p for p in doc["paths"]["/api/v1/organizations/{org_id}/appointments"]["get"]["parameters"]}
    day = next(s for s in params["date_from"]["schema"]["anyOf"] if s.get("type") == "string")
    assert "2099-12-31" in day["description"]
    assert re.match(day["pattern"], "2026-01-15") and not re.match(day["pattern"], "9999-12-31")


def _operation_for(doc: dict, method: str, url: str) -> tuple[str, dict]:
    path = url.split("?", 1)[0]
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            literal = template.count("{")
            yield literal, template, item[method.lower()]


def _check(doc: dict, method: str, url: str, answer) -> None:
    # The most literal template wins (".../appointments/{id}" vs ".../appointments/slots").
    _, template, operation = sorted(_operation_for(doc, method, url), key=lambda found: found[0])[0]
    status = str(answer.status_code)
    assert status in operation["responses"], f"{method} {template} sent an undocumented {status}: {answer.text}"
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    errors = sorted(Draft202012Validator(_schema(doc, schema)).iter_errors(answer.json()), key=str)
    assert not errors, f"{method} {template} {status}: {answer.text} does not fit {schema}: {errors[0].message}"


def test_real_error_responses_validate_against_the_documented_schema(api, doc):
    checked = set()
    # Bad input of every kind (the bad-input suite's cases: 404, 409, 422 on many routes)
    for method, url, payload, expected in bad_input_cases(api):
        kwargs = {}
        if isinstance(payload, dict) and "params" in payload:
            kwargs["params"] = payload["params"]
        elif payload is not None:
            kwargs["json"] = payload
        who = "platform" if "/admin/" in url or url == "/api/v1/organizations" else "owner"
        answer = api.client.request(method, url, headers=api.headers(who), **kwargs)
        assert answer.status_code == expected
        _check(doc, method, url, answer)
        checked.add(answer.status_code)
    # No token, a bad token, another business, a viewer writing, an admin-only route
    services = api.org("/services")
    samples = [
        ("GET", services, {}),
        ("GET", services, {"Authorization": "Bearer no-es-un-token"}),
        ("GET", api.org("/services", org=api.org_b), api.headers("owner")),
        ("POST", services, api.headers("viewer")),
        ("GET", "/api/v1/admin/stats", api.headers("owner")),
        ("POST", api.org(f"/appointments/{uuid.uuid4()}/complete"), api.headers("owner")),
    ]
    for method, url, headers in samples:
        body = {"name": "Tinte", "duration_minutes": 60, "price_cents": 50000} if method == "POST" and url == services else None
        answer = api.client.request(method, url, headers=headers, json=body)
        assert 400 <= answer.status_code < 500, answer.text
        _check(doc, method, url, answer)
        checked.add(answer.status_code)
    # A lone surrogate (refused before any route) answers the documented 422 too
    answer = api.client.post(api.org("/customers"), content=b'{"name": "\\ud800", "phone_number": "+525598765400"}', headers={**api.headers(), "Content-Type": "application/json"})
    _check(doc, "POST", api.org("/customers"), answer)
    assert checked >= {401, 403, 404, 409, 422}


def test_routes_document_what_they_return_and_real_answers_fit(api, doc):
    # Given the business's resource routes
    org = api.org()
    booked = api.post(org + "/appointments", json={"service_type_id": str(api.service), "scheduled_start": "2026-01-15T12:00:00-06:00", "phone_number": "+525598765499", "name": "Juan"})
    assert booked.status_code == 201, booked.text
    appointment = booked.json()["id"]
    customer = booked.json()["customer_id"]
    location = api.get(org + "/locations").json()[0]["id"]
    samples = [
        ("GET", org, "Organization"),
        ("GET", org + "/locations", "Location"),
        ("GET", org + "/services", "Service"),
        ("GET", org + "/staff", "StaffMember"),
        ("GET", org + "/customers", "Customer"),
        ("GET", org + f"/customers/{customer}", "CustomerWithHistory"),
        ("GET", org + "/appointments", "Appointment"),
        ("GET", org + f"/appointments/{appointment}/history", "AppointmentHistory"),
        ("GET", org + "/availability", "Availability"),
        ("GET", org + "/availability/slots?service_type_id=" + str(api.service) + "&date_from=2026-01-16", "Slots"),
        ("GET", org + f"/locations/{location}/spots", "Spot"),
        ("GET", org + "/conversations", "Conversation"),
        ("GET", org + "/activity", "ActivityEntry"),
        ("POST", org + f"/appointments/{appointment}/cancel", "Appointment"),
    ]
    for method, url, model in samples:
        _, template, operation = sorted(_operation_for(doc, method, url), key=lambda found: found[0])[0]
        # Then the success response names its model (so /docs shows the fields) ...
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert (schema.get("items") or schema).get("$ref", "").endswith(f"/{model}"), f"{method} {template}: {schema}"
        # ... and what the route really answers fits it
        answer = api.client.request(method, url, headers=api.headers())
        assert answer.status_code == 200, answer.text
        errors = list(Draft202012Validator(_schema(doc, schema)).iter_errors(answer.json()))
        assert not errors, f"{method} {template}: {errors[0].message}"

"""Text that is not text (lone surrogates) and huge values get a short 4xx, never a 500 or an echo."""

from __future__ import annotations

import pytest

JSON = {"Content-Type": "application/json"}


def _raw_post(api, path: str, body: bytes, who: str = "owner"):
    return api.client.post(path, content=body, headers={**api.headers(who), **JSON})


@pytest.mark.parametrize(
    "suffix,body",
    [
        ("/customers", b'{"name": "\\ud800", "phone_number": "+525598765400"}'),  # valid fields otherwise
        ("/customers", b'{"name": "Ana \\udfff", "phone_number": 5}'),  # also invalid: the echo must not break
        ("/services", b'{"name": "Corte", "duration_minutes": 30, "price_cents": 100, "\\ud83d": 1}'),  # as a key
        ("/staff", b'{"name": ["x", {"y": "\\udc00"}], "phone_number": "+525590909012"}'),  # nested
    ],
)
def test_a_lone_surrogate_in_a_json_string_is_a_spanish_422(api, suffix, body):
    # Given a JSON body whose string holds a lone UTF-16 surrogate (valid JSON, not valid text)
    # When it is posted to a real route
    answer = _raw_post(api, api.org(suffix), body)
    # Then the API answers a clear 422 in Spanish (not a 500) and stores nothing
    assert answer.status_code == 422, answer.text
    data = answer.json()
    assert data["code"] == "invalid_input"
    assert "texto válido" in data["detail"]
    assert answer.headers["x-request-id"]


def test_a_valid_surrogate_pair_is_ordinary_text(api):
    # Given an emoji written as an escaped surrogate pair (that is valid text)
    answer = _raw_post(api, api.org("/customers"), b'{"name": "Ana \\ud83d\\ude00", "phone_number": "+525598765401"}')
    # Then it is accepted like any other name
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == "Ana 😀"


def test_validation_errors_do_not_echo_huge_inputs(api):
    # Given a 20,000-character value and a huge nested object that both fail validation
    huge = "x" * 20_000
    answer = api.post(api.org("/customers"), json={"name": {"a": [huge] * 5}, "phone_number": huge})
    # Then the 422 says what is wrong in a few hundred bytes, echoing at most a short cut of the value
    assert answer.status_code == 422
    assert len(answer.content) < 2_000, len(answer.content)
    assert huge not in answer.text
    errors = answer.json()["errors"]
    assert {tuple(e["loc"]) for e in errors} >= {("body", "phone_number")}
    assert all(len(str(e.get("input", ""))) <= 80 for e in errors)


"""Magic links, JWTs, admin login, impersonation and suspension."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import jwt
import pytest

from api_support import ADMIN_PASSWORD, OWNER_PHONE_B, SECRET
from commands.messages import ConsumeMagicLink, IssueMagicLink, QueueOutboundMessage

OWNER_PHONE_A = "+525511111111"


@pytest.fixture
def outbox(api, monkeypatch):
    """Every command the app executes, recorded (the real handler still runs)."""
    executed = []
    real = api.app.execute

    def spy(command):
        executed.append(command)
        return real(command)

    monkeypatch.setattr(api.app, "execute", spy)
    return executed


def request_link(api, phone):
    return api.client.post("/api/v1/auth/request-magic-link", json={"phone_number": phone})


def link_token(outbox) -> str:
    messages = [c for c in outbox if isinstance(c, QueueOutboundMessage)]
    assert messages, "no magic link was queued"
    match = re.search(r"https://app\.parlo\.test/login\?token=([A-Za-z0-9_\-]+)", messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)


def verify(api, token):
    return api.client.post("/api/v1/auth/verify-magic-link", json={"token": token})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# ---- magic links ----------------------------------------------------------------------------


def test_magic_link_flow_issues_a_seven_day_jwt(api, outbox):
    response = request_link(api, "55 1111 1111")
    assert response.status_code == 202
    queued = [c for c in outbox if isinstance(c, QueueOutboundMessage)]
    assert len(queued) == 1
    message = queued[0]
    assert message.kind == "magic_link"
    assert message.to_phone == OWNER_PHONE_A
    assert message.organization_id == api.org_a
    assert "15 minutos" in message.body and "Hola Carlos" in message.body
    issued = [c for c in outbox if isinstance(c, IssueMagicLink)]
    assert issued[0].cause == queued[0].cause  # the request id is the cause of both

    token = link_token(outbox)
    answer = verify(api, token)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["staff_id"] == str(api.staff["owner"])
    assert body["organization_id"] == str(api.org_a)
    assert body["permission_level"] == "owner"
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["sub"] == str(api.staff["owner"]) and claims["org"] == str(api.org_a) and claims["perm"] == "owner"
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600

    me = api.client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["name"] == "Carlos Mendoza"
    assert api.client.get(api.org("/appointments"), headers=bearer(body["access_token"])).status_code == 200

    # the JWT expires after 7 days (checked against the same clock)
    api.clock.advance(days=7, seconds=1)
    expired = api.client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert expired.status_code == 401
    assert "inicia sesión" in expired.json()["detail"]


def test_magic_link_is_single_use(api, outbox):
    request_link(api, OWNER_PHONE_A)
    token = link_token(outbox)
    assert verify(api, token).status_code == 200
    again = verify(api, token)
    assert again.status_code == 401
    assert "ya se usó" in again.json()["detail"]


def test_magic_link_stored_hashed_only(api, outbox):
    request_link(api, OWNER_PHONE_A)
    token = link_token(outbox)
    issued = next(c for c in outbox if isinstance(c, IssueMagicLink))
    from aggregates.access import MagicLink, hash_token

    link_id = MagicLink.create_id(hash_token(token))
    events = api.app.event_history(link_id)
    assert events[0]["data"]["token_hash"] == hash_token(token)
    assert token not in str(events)
    assert issued.token == token


def test_magic_link_expires_after_fifteen_minutes(api, outbox):
    request_link(api, OWNER_PHONE_A)
    token = link_token(outbox)
    api.clock.advance(minutes=15)
    answer = verify(api, token)
    assert answer.status_code == 401
    assert "venció" in answer.json()["detail"]


def test_magic_link_still_valid_just_before_expiry(api, outbox):
    request_link(api, OWNER_PHONE_A)
    token = link_token(outbox)
    api.clock.advance(minutes=14, seconds=59)
    assert verify(api, token).status_code == 200


def test_unknown_and_inactive_phones_get_the_same_answer(api, outbox):
    known = request_link(api, OWNER_PHONE_A)
    unknown = request_link(api, "+525500001111")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len([c for c in outbox if isinstance(c, QueueOutboundMessage)]) == 1
    # a deactivated staff member gets nothing either
    api.post(api.org(f"/staff/{api.staff['staff']}/deactivate"))
    outbox.clear()
    assert request_link(api, "+525522222222").status_code == 202
    assert not [c for c in outbox if isinstance(c, QueueOutboundMessage)]


def test_invalid_tokens_are_401_in_spanish(api):
    for token in ("x", "no-existe-este-token-0123456789abcdefghijkl"):
        answer = verify(api, token)
        assert answer.status_code == 401
        assert "enlace" in answer.json()["detail"]
    assert verify(api, "").status_code == 422
    assert api.client.post("/api/v1/auth/verify-magic-link", json={}).status_code == 422
    assert request_link(api, "no es un teléfono").status_code == 422


def test_bad_or_missing_jwt_is_401(api):
    assert api.client.get(api.org()).status_code == 401
    assert api.client.get(api.org(), headers=bearer("basura")).status_code == 401
    forged = jwt.encode({"typ": "admin", "sub": "admin", "iat": 0, "exp": 9999999999, "iss": "parlo"}, "otra-clave-de-32-bytes-o-mas-000000", algorithm="HS256")
    answer = api.client.get("/api/v1/admin/stats", headers=bearer(forged))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_logout_is_a_stateless_no_op(api):
    assert api.client.post("/api/v1/auth/logout").status_code == 200
    # the token itself keeps working until it expires: the client discards it
    assert api.get(api.org()).status_code == 200


def test_deactivated_staff_token_stops_working(api):
    assert api.get(api.org(), who="staff").status_code == 200
    assert api.post(api.org(f"/staff/{api.staff['staff']}/deactivate")).status_code == 200
    assert api.get(api.org(), who="staff").status_code == 401


def test_magic_link_for_staff_in_two_businesses_sends_one_link_each(api, outbox):
    # Carlos (owner of A) also works at B
    api.post(api.org("/staff", api.org_b), who="owner_b", json={"name": "Carlos Mendoza", "phone_number": OWNER_PHONE_A})
    outbox.clear()
    request_link(api, OWNER_PHONE_A)
    queued = [c for c in outbox if isinstance(c, QueueOutboundMessage)]
    assert {c.organization_id for c in queued} == {api.org_a, api.org_b}


# ---- admin -------------------------------------------------------------------------------------


def test_admin_login(api):
    wrong = api.client.post("/api/v1/admin/auth/login", json={"password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Contraseña incorrecta."
    assert api.client.post("/api/v1/admin/auth/login", json={}).status_code == 422
    right = api.client.post("/api/v1/admin/auth/login", json={"password": ADMIN_PASSWORD})
    assert right.status_code == 200
    token = right.json()["access_token"]
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["typ"] == "admin" and claims["exp"] - claims["iat"] == 12 * 3600
    # an admin token works on every organization and on the admin routes
    assert api.client.get(api.org(), headers=bearer(token)).status_code == 200
    assert api.client.get(api.org(org=api.org_b), headers=bearer(token)).status_code == 200
    assert api.client.get("/api/v1/admin/stats", headers=bearer(token)).status_code == 200
    api.clock.advance(hours=12)
    assert api.client.get("/api/v1/admin/stats", headers=bearer(token)).status_code == 401


def test_staff_tokens_cannot_use_admin_routes(api):
    for who in ("owner", "admin", "owner_b"):
        answer = api.get("/api/v1/admin/stats", who=who)
        assert answer.status_code == 403
        assert "administradores de Parlo" in answer.json()["detail"]
    assert api.post("/api/v1/organizations", json={"name": "X", "phone_number": "+525500000001"}).status_code == 403


def test_impersonation(api):
    answer = api.post(f"/api/v1/admin/organizations/{api.org_a}/impersonate", who="platform")
    assert answer.status_code == 200
    token = answer.json()["access_token"]
    assert answer.json()["impersonated"] is True
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["imp"] is True and claims["org"] == str(api.org_a)
    me = api.client.get("/api/v1/auth/me", headers=bearer(token)).json()
    assert me["impersonated"] is True and me["organization_id"] == str(api.org_a)
    # scoped to that organization only, and never to the admin routes
    assert api.client.get(api.org(), headers=bearer(token)).status_code == 200
    assert api.client.get(api.org(org=api.org_b), headers=bearer(token)).status_code == 403
    assert api.client.get("/api/v1/admin/stats", headers=bearer(token)).status_code == 403
    # writes are recorded as the admin
    created = api.client.post(
        api.org("/customers"), headers={**bearer(token), "X-Request-ID": "imp-1"}, json={"phone_number": "+525512121212", "name": "Rosa"}
    )
    assert created.status_code == 201
    events = api.app.event_history(uuid.UUID(created.json()["id"]))
    assert events[0]["actor"] == "admin:admin" and events[0]["cause"] == "imp-1"


def test_suspension_blocks_login_and_existing_tokens(api, outbox):
    # a link issued before the suspension
    request_link(api, OWNER_PHONE_B)
    pending = link_token(outbox)
    assert api.get(api.org(org=api.org_b), who="owner_b").status_code == 200

    suspended = api.patch(f"/api/v1/admin/organizations/{api.org_b}/status", who="platform", json={"status": "suspended", "reason": "falta de pago"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"

    blocked = api.get(api.org(org=api.org_b), who="owner_b")
    assert blocked.status_code == 403 and "suspendido" in blocked.json()["detail"]
    refused = verify(api, pending)
    assert refused.status_code == 403 and "suspendido" in refused.json()["detail"]
    outbox.clear()
    assert request_link(api, OWNER_PHONE_B).status_code == 202
    assert not [c for c in outbox if isinstance(c, QueueOutboundMessage)]
    # the link was not spent by the refused attempt: it works after reactivation (if still fresh)
    api.patch(f"/api/v1/admin/organizations/{api.org_b}/status", who="platform", json={"status": "active"})
    assert api.get(api.org(org=api.org_b), who="owner_b").status_code == 200
    assert verify(api, pending).status_code == 200
    # the other business was never affected
    assert api.get(api.org()).status_code == 200


def test_consume_command_directly_refuses_replay(api):
    from commands import Actor

    token = "t" * 43
    api.app.execute(IssueMagicLink(actor=Actor.system("t"), cause="t", organization_id=api.org_a, staff_id=api.staff["viewer"], token=token))
    first = api.app.execute(ConsumeMagicLink(actor=Actor.system("t"), cause="t", token=token))
    assert first.data["permission_level"] == "viewer"
    api.clock.advance(seconds=1)
    with pytest.raises(Exception) as error:
        api.app.execute(ConsumeMagicLink(actor=Actor.system("t"), cause="t", token=token))
    assert getattr(error.value, "http_status", None) == 401


def test_expiry_uses_the_app_clock_not_the_wall_clock(api):
    # the frozen clock is in January 2026; a token minted now must be valid "now" for the API
    assert api.get(api.org()).status_code == 200
    api.clock.advance(days=6, hours=23)
    assert api.get(api.org()).status_code == 200
    api.clock.current = api.clock.current + timedelta(hours=2)
    assert api.get(api.org()).status_code == 401


def test_admin_password_guessing_is_throttled(api):
    for _ in range(10):
        assert api.client.post("/api/v1/admin/auth/login", json={"password": "adivina"}).status_code == 401
    blocked = api.client.post("/api/v1/admin/auth/login", json={"password": ADMIN_PASSWORD})
    assert blocked.status_code == 429 and "Demasiados intentos" in blocked.json()["detail"]
    api.clock.advance(minutes=15)
    assert api.client.post("/api/v1/admin/auth/login", json={"password": ADMIN_PASSWORD}).status_code == 200


def test_magic_links_per_phone_are_limited_silently(api, outbox):
    answers = [request_link(api, OWNER_PHONE_A) for _ in range(7)]
    assert {a.status_code for a in answers} == {202}
    assert len({a.text for a in answers}) == 1
    assert len([c for c in outbox if isinstance(c, QueueOutboundMessage)]) == 5
    api.clock.advance(minutes=15)
    request_link(api, OWNER_PHONE_A)
    assert len([c for c in outbox if isinstance(c, QueueOutboundMessage)]) == 6

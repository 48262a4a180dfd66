"""Magic links, JWTs, admin login, impersonation and suspension."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from datetime import timedelta, timezone

import jwt
import pytest

from api_support import ADMIN_PASSWORD, OWNER_PHONE_B, SECRET
from commands.definitions import ConsumeMagicLink, IssueMagicLink, QueueOutboundMessage

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


@contextlib.contextmanager
def after_the_throttle_window():
    """``time.time()`` 15 minutes and a second ahead: the login throttles (the limits library's
    storages count on ``time.time()``) see their windows passed. Datetimes, monotonic clocks and
    the app clock are untouched."""
    real = time.time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: real() + 15 * 60 + 1)
        yield


def request_link(api, phone):
    return api.client.post("/api/v1/auth/request-magic-link", json={"phone_number": phone})


TOKEN_IN_URL = re.compile(r"https://app\.parlo\.test/login#token=([A-Za-z0-9_\-.]+)")


def deliver(api) -> list[dict]:
    """Send every queued message as the WhatsApp channel would (the API tests do not start it) and
    return everything the mock sender recorded: what the phones really received."""
    api.sync()
    wa = api.container.whatsapp
    # The team rarely wrote in the last 24 hours: their links go as an approved template.
    wa.dispatcher.templates.setdefault("magic_link", "HXmagiclink")
    for pending in api.container.conversation_reads.list_pending_outbound(api.clock().astimezone(timezone.utc)):
        wa.dispatcher.dispatch(pending["id"])
    return list(wa.sender.sent)


def link_token(api, outbox, phone: str = OWNER_PHONE_A) -> str:
    """The token of the last magic link ``phone`` received (rendered by the dispatcher when sending)."""
    assert [c for c in outbox if isinstance(c, QueueOutboundMessage)], "no magic link was queued"
    received = [m for m in deliver(api) if m["to"] == f"whatsapp:{phone}"]
    assert received, "no message reached the phone"
    match = TOKEN_IN_URL.search(received[-1]["body"])
    assert match, received[-1]["body"]
    assert received[-1]["content_variables"] == {"1": received[-1]["body"]}
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
    # only a placeholder is queued (and stored); the dispatcher renders the link when sending
    assert re.search(r"\{enlace:[A-Za-z0-9_\-]{16,64}\}", message.body) and "token=" not in message.body
    issued = [c for c in outbox if isinstance(c, IssueMagicLink)]
    assert issued[0].cause == queued[0].cause  # the request id is the cause of both

    token = link_token(api, outbox)
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
    token = link_token(api, outbox)
    assert verify(api, token).status_code == 200
    again = verify(api, token)
    assert again.status_code == 401
    assert "ya se usó" in again.json()["detail"]


def test_magic_link_stored_hashed_only(api, outbox):
    request_link(api, OWNER_PHONE_A)
    token = link_token(api, outbox)
    issued = next(c for c in outbox if isinstance(c, IssueMagicLink))
    from aggregates.access import MagicLink, hash_token

    link_id = MagicLink.create_id(hash_token(token))
    events = api.app.event_history(link_id)
    assert events[0]["data"]["token_hash"] == hash_token(token)
    assert token not in str(events)
    assert issued.token == token


def test_magic_link_expires_after_fifteen_minutes(api, outbox):
    request_link(api, OWNER_PHONE_A)
    token = link_token(api, outbox)
    api.clock.advance(minutes=15)
    answer = verify(api, token)
    assert answer.status_code == 401
    assert "venció" in answer.json()["detail"]


def test_magic_link_still_valid_just_before_expiry(api, outbox):
    request_link(api, OWNER_PHONE_A)
    token = link_token(api, outbox)
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
    pending = link_token(api, outbox, OWNER_PHONE_B)
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
    # The throttle's window runs on the wall clock (the limits library's storage time), not the app clock.
    with after_the_throttle_window():
        assert api.client.post("/api/v1/admin/auth/login", json={"password": ADMIN_PASSWORD}).status_code == 200


def test_magic_links_per_phone_are_limited_silently(api, outbox):
    answers = [request_link(api, OWNER_PHONE_A) for _ in range(7)]
    assert {a.status_code for a in answers} == {202}
    assert len({a.text for a in answers}) == 1
    assert len([c for c in outbox if isinstance(c, QueueOutboundMessage)]) == 5
    api.clock.advance(minutes=15)
    with after_the_throttle_window():
        request_link(api, OWNER_PHONE_A)
    assert len([c for c in outbox if isinstance(c, QueueOutboundMessage)]) == 6


# ---- the login token is never stored (regression: it used to be readable in the conversation) ---


def _token_like(text: str) -> set[str]:
    """Every string in ``text`` that could be a token (the magic-link alphabet, long enough)."""
    return set(re.findall(r"[A-Za-z0-9_\-.]{20,}", text))


def test_viewer_cannot_read_the_owners_magic_link(api, outbox):
    from aggregates.access import MagicLink, hash_token

    start = api.app.recorder.max_notification_id() or 0
    # A viewer asks for a link for the owner's phone (anyone may ask; only the phone receives it).
    assert request_link(api, OWNER_PHONE_A).status_code == 202
    api.sync()

    # 1. Everything the viewer can read through the API: every conversation and every message.
    conversations = api.get(api.org("/conversations"), who="viewer", params={"limit": 200})
    assert conversations.status_code == 200
    readable = []
    for conversation in conversations.json():
        messages = api.get(api.org(f"/conversations/{conversation['id']}/messages"), who="viewer", params={"limit": 1000})
        assert messages.status_code == 200
        readable.extend(messages.json())
    link_messages = [m for m in readable if m.get("kind") == "magic_link"]
    assert len(link_messages) == 1
    assert "[enlace de acceso]" in link_messages[0]["content"] and "{enlace:" not in link_messages[0]["content"]
    api_text = str(readable)
    assert "token=" not in api_text and "/login" not in api_text

    # 2. The raw events of everything written since the request (conversation, message, link...).
    new_ids = {n.originator_id for n in api.app.recorder.select_notifications(start + 1, 10_000)}
    assert new_ids
    events_text = str([api.app.event_history(aggregate_id) for aggregate_id in new_ids])
    assert "token=" not in events_text and "{enlace:" in events_text  # only the placeholder is stored

    # Nothing the viewer could read verifies as a login token (nor is the SHA-256 of a real one).
    for candidate in _token_like(api_text) | _token_like(events_text):
        answer = verify(api, candidate)
        assert answer.status_code in (401, 422), (candidate, answer.text)

    # 3. The owner's phone received the real link: it works once, and it was never stored.
    token = link_token(api, outbox)
    assert token not in api_text and token not in events_text
    link_id = MagicLink.create_id(hash_token(token))
    assert link_id in new_ids and token not in str(api.app.event_history(link_id))
    # what the dispatcher recorded while sending (claim, sent status) holds no token either
    sent_ids = {n.originator_id for n in api.app.recorder.select_notifications(start + 1, 10_000)}
    assert token not in str([api.app.event_history(aggregate_id) for aggregate_id in sent_ids])
    first = verify(api, token)
    assert first.status_code == 200 and first.json()["permission_level"] == "owner"
    assert verify(api, token).status_code == 401
    # and the API still shows only the marker after the message was sent
    api.sync()
    conversation_id = link_messages[0]["conversation_id"]
    shown = api.get(api.org(f"/conversations/{conversation_id}/messages"), who="viewer").json()
    assert token not in str(shown) and "[enlace de acceso]" in str(shown)


def test_a_forged_placeholder_in_a_name_renders_nothing(api, outbox):
    """Names are written beside the placeholder: braces are dropped so no one can plant another link's nonce."""
    from gateway.api.auth import _link_body

    body = _link_body("Ana {enlace:AAAAAAAAAAAAAAAAAAAAAAAA}", "Salón {enlace:BBBBBBBBBBBBBBBBBBBBBBBB}", "{enlace:CCCCCCCCCCCCCCCCCCCCCCCC}")
    assert body.count("{enlace:") == 1


def test_only_magic_link_messages_are_rendered():
    from gateway.auth import magic_token, mask_magic_links, outbound_renderer

    render = outbound_renderer("clave-secreta-de-pruebas-0123456789abcdef", "https://app.parlo.test/")
    text = "Tu enlace: {enlace:abcdefghijklmnopqrstuvwx}"
    assert render("magic_link", text) == "Tu enlace: https://app.parlo.test/login#token=" + magic_token(
        "clave-secreta-de-pruebas-0123456789abcdef", "abcdefghijklmnopqrstuvwx"
    )
    assert render("reply", text) == text  # a placeholder echoed into any other message stays inert
    assert render("notification", text) == text
    assert mask_magic_links(text) == "Tu enlace: [enlace de acceso]"
    token = magic_token("k" * 40, "n" * 24)
    assert token.startswith("n" * 24 + ".") and "=" not in token and token != magic_token("j" * 40, "n" * 24)

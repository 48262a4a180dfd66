"""Through a real uvicorn server on a loopback port, configured as ``parlo serve`` runs it:
the access log never holds a usable login token, and X-Forwarded-For from a local client is not believed."""

from __future__ import annotations

import re
import time
from datetime import timezone

import httpx

from gateway.security.throttle import ADMIN_LOGIN_FAILURES_PER_CLIENT
from security_support import ADMIN_LOGIN, ADMIN_PASSWORD, live_server, served

OWNER_PHONE = "+525511111111"
LINK = re.compile(r"https://app\.parlo\.test(/login[^\s]*)")


def deliver_links(stack) -> list[str]:
    """Send what is queued (the mock sender, as in development) and return the login links received.

    The link is issued by a background task after the 202: wait until its message is on the read side."""
    wa = stack.container.whatsapp
    now = stack.container.app.now().astimezone(timezone.utc)
    deadline = time.monotonic() + 10
    while True:
        stack.sync()
        pending = stack.container.conversation_reads.list_pending_outbound(now)
        if pending or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    for message in pending:
        wa.dispatcher.dispatch(message["id"])
    return [m.group(1) for sent in wa.sender.sent if sent["to"] == f"whatsapp:{OWNER_PHONE}" for m in [LINK.search(sent["body"] or "")] if m]


def test_the_access_log_never_holds_a_usable_login_token(security_seeded, tmp_path, clock):
    with served(security_seeded, tmp_path, clock) as stack, live_server(stack.app) as server, httpx.Client(base_url=server.url) as http:
        assert http.post("/api/v1/auth/request-magic-link", json={"phone_number": OWNER_PHONE}).status_code == 202
        links = deliver_links(stack)
        assert len(links) == 1
        path = links[0]
        assert path.startswith("/login#token=")  # the token rides in the fragment: browsers never send it
        token = path.split("#token=", 1)[1]

        # What a phone's browser does: load the page (the fragment stays in the browser)...
        page = http.get(path)
        assert page.status_code == 200 and "Parlo" in page.text
        # ...then redeem the token from the page's script.
        assert http.post("/api/v1/auth/verify-magic-link", json={"token": token}).status_code == 200
        # An old-style link with the token in the query string is redacted in the log.
        legacy = "n" * 24 + ".legacy-token-value-0123456789abcdef"
        assert http.get(f"/login?token={legacy}&utm=wa").status_code == 200

    lines = server.access_lines()
    assert any('"GET /login HTTP/1.1" 200' in line for line in lines), lines
    assert any("GET /login?token=[redactado]&utm=wa" in line for line in lines), lines
    log = "\n".join(lines)
    assert token not in log and token.split(".")[0] not in log and token.split(".")[1] not in log
    assert legacy not in log and "legacy-token-value" not in log
    # nothing in the log that looks like a token verifies
    for candidate in set(re.findall(r"[A-Za-z0-9_\-.]{20,}", log)):
        assert candidate != token


def test_a_local_client_cannot_choose_its_address_with_x_forwarded_for(security_seeded, tmp_path, clock):
    """uvicorn's default believes X-Forwarded-For from 127.0.0.1: any local client could dodge the throttle."""
    with served(security_seeded, tmp_path, clock) as stack, live_server(stack.app) as server, httpx.Client(base_url=server.url) as http:
        for n in range(ADMIN_LOGIN_FAILURES_PER_CLIENT):
            answer = http.post(ADMIN_LOGIN, json={"password": "adivina"}, headers={"X-Forwarded-For": f"203.0.113.{n + 1}"})
            assert answer.status_code == 401
        blocked = http.post(ADMIN_LOGIN, json={"password": ADMIN_PASSWORD}, headers={"X-Forwarded-For": "198.51.100.1"})
        assert blocked.status_code == 429


def test_a_configured_proxy_names_the_client(security_seeded, tmp_path, clock):
    with served(security_seeded, tmp_path, clock, PARLO_TRUSTED_PROXIES="127.0.0.1") as stack, live_server(
        stack.app
    ) as server, httpx.Client(base_url=server.url) as http:
        for _ in range(ADMIN_LOGIN_FAILURES_PER_CLIENT):
            answer = http.post(ADMIN_LOGIN, json={"password": "adivina"}, headers={"X-Forwarded-For": "203.0.113.9"})
            assert answer.status_code == 401
        assert http.post(ADMIN_LOGIN, json={"password": ADMIN_PASSWORD}, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
        assert http.post(ADMIN_LOGIN, json={"password": ADMIN_PASSWORD}, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200
    assert any("198.51.100.2" in line for line in server.access_lines())  # the access log shows the real client

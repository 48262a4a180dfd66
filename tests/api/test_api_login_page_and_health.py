"""``GET /login`` (where magic links land) and the public ``/health`` check."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

ENGLISH = re.compile(
    r"\b(login|log in|sign in|signed|loading|error|success|welcome|please|expired|invalid|token|link|session|"
    r"logged|business|name|retry|try again|failed|back|home|docs|documentation|the|your|you|and|not)\b",
    re.IGNORECASE,
)


class _Visible(HTMLParser):
    """Text a person sees: text nodes outside <script>/<style>, plus every string literal the
    script may show (it only shows text through ``textContent``)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
            self.in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
            self.in_script = False

    def handle_data(self, data):
        if self.skip:
            if self.in_script:
                self.scripts.append(data)
        elif data.strip():
            self.text.append(data.strip())


def test_login_page_renders_in_spanish(api):
    # The magic link lands on the web app's login page (gateway/web): its script (/static/app.js)
    # reads the token from the fragment or the query, removes it from the address bar and trades it
    # for the session cookie (POST /app/session).
    page = api.client.get("/login", params={"token": "abc"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    html = page.text
    assert '<html lang="es"' in html and 'name="viewport"' in html
    assert '<script src="/static/app.js"' in html and "data-magic-login" in html
    script = api.client.get("/static/app.js").text
    assert "/app/session" in script and "history.replaceState" in script and 'fragment.get("token")' in script
    assert "Verificando tu enlace" in script and "ya se usó, venció o no es válido" in script  # used/expired links
    # every output goes through textContent, never HTML; the page never echoes the query string
    for text in (html, script):
        assert "innerHTML" not in text and "outerHTML" not in text and "document.write" not in text
    assert "abc" not in html
    parsed = _Visible()
    parsed.feed(html)
    visible = " ".join(parsed.text)
    assert visible and not ENGLISH.search(visible), visible
    shown = [s for s in re.findall(r'"([^"\n]* [^"\n]*)"', script) if s != "use strict"]
    assert shown and not [s for s in shown if ENGLISH.search(s)], shown


def test_login_page_does_not_need_a_token_to_render(api):
    assert api.client.get("/login").status_code == 200
    assert "/login" not in api.client.get("/openapi.json").json()["paths"]  # not part of the documented API


def test_health_ok(api):
    answer = api.client.get("/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "store": "reachable"}


def test_health_never_shows_the_error(api, monkeypatch, caplog):
    def broken():
        raise RuntimeError('connection to server at "db.interno" (10.0.0.5), user "parlo" password failed')

    monkeypatch.setattr(api.app.recorder, "max_notification_id", broken)
    with caplog.at_level(logging.ERROR):
        answer = api.client.get("/health")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "store": "unreachable"}
    assert "db.interno" not in answer.text and "RuntimeError" not in answer.text
    assert "db.interno" in caplog.text  # the details go to the log

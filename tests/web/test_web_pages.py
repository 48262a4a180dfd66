"""The web pages through the real app (no browser): logins, sessions, CSRF, escaping, permissions
and writes that go through the same commands as the REST API."""

from __future__ import annotations

from datetime import datetime

from web_support import ADMIN_PASSWORD, MX, OWNER_PHONE, STAFF_PHONE, XSS_MESSAGE, XSS_NAME, XSS_NOTE, wait_for_link


def login(web, phone: str = OWNER_PHONE) -> None:
    web.get("/app/login")
    assert web.post("/app/login", {"phone_number": phone}).status_code == 200
    link = wait_for_link(lambda path: web.client.get(path).json(), phone)
    token = link.split("token=", 1)[1]
    answer = web.client.post("/app/session", json={"token": token}, headers={"X-CSRF-Token": web.csrf})
    assert answer.status_code == 200, answer.text


def admin_login(web) -> None:
    web.get("/admin/login")
    answer = web.post("/admin/login", {"password": ADMIN_PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/"


def test_landing_links_to_both_apps_and_the_demo_chat_and_docs_are_local(web) -> None:
    page = web.get("/").text
    assert 'href="/app/"' in page and 'href="/admin/"' in page and 'href="/demo/chat"' in page
    docs = web.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert web.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert "/static/vendor/redoc/redoc.standalone.js" in web.get("/redoc").text


def test_the_magic_link_sets_an_httponly_lax_cookie_and_a_used_link_is_refused(web) -> None:
    web.get("/app/login")
    web.post("/app/login", {"phone_number": OWNER_PHONE})
    link = wait_for_link(lambda path: web.client.get(path).json(), OWNER_PHONE)
    token = link.split("token=", 1)[1]
    answer = web.client.post("/app/session", json={"token": token}, headers={"X-CSRF-Token": web.csrf})
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 200 and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/app" in cookie
    assert "Secure" not in cookie  # development; production sets Secure
    assert "Hoy" in web.get("/app/").text
    again = web.client.post("/app/session", json={"token": token}, headers={"X-CSRF-Token": web.csrf})
    assert again.status_code == 401


def test_a_bad_phone_is_shown_next_to_the_field_in_spanish(web) -> None:
    web.get("/app/login")
    answer = web.post("/app/login", {"phone_number": "hola"})
    assert answer.status_code == 422 and 'class="field-error"' in answer.text


def test_forms_and_requests_without_the_csrf_token_are_refused(web) -> None:
    login(web)
    appointment = web.world.booked["first"]
    refused = web.post(f"/app/appointments/{appointment}/cancel", {"reason": "x"}, token=False)
    assert refused.status_code == 403
    forged = web.post(f"/app/appointments/{appointment}/cancel", {"reason": "x", "csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert web.client.post("/app/session", json={"token": "x"}).status_code == 403
    assert web.world.reads.get_appointment(web.world.organization_id, appointment)["status"] == "confirmed"


def test_names_notes_and_messages_with_html_render_as_text(web) -> None:
    login(web)
    escaped_name = "&lt;script&gt;window.__xss=1&lt;/script&gt;"
    assert escaped_name in web.get("/app/").text and XSS_NAME not in web.get("/app/").text
    customer = web.get(f"/app/customers/{web.world.customer_id}").text
    assert "&lt;b onmouseover=alert(1)&gt;" in customer and XSS_NOTE not in customer
    thread = web.get(f"/app/conversations/{web.world.conversation_id}").text
    assert "&lt;img src=x onerror=" in thread and XSS_MESSAGE not in thread


def test_staff_cannot_reach_owner_only_pages(web) -> None:
    login(web, STAFF_PHONE)
    assert web.get("/app/").status_code == 200
    for path in ("/app/staff", "/app/stats", "/app/settings"):
        answer = web.get(path)
        assert answer.status_code == 403 and "Sin permiso" in answer.text


def test_a_clash_is_refused_and_nothing_moves_by_form_or_by_drag(web) -> None:
    login(web)
    world = web.world
    first, second = world.booked["first"], world.booked["second"]
    web.get(f"/app/appointments/{first}")
    answer = web.post(f"/app/appointments/{first}/move", {"date": "2026-01-14", "time": "16:00", "staff_id": str(world.staff_id)})
    assert answer.status_code == 409 and 'id="move-error"' in answer.text
    dropped = web.client.post(
        f"/app/appointments/{first}/move", json={"start": "2026-01-14T16:00", "staff_id": str(world.staff_id)},
        headers={"X-CSRF-Token": web.csrf},
    )
    assert dropped.status_code == 409 and dropped.json()["ok"] is False
    start = world.reads.get_appointment(world.organization_id, first)["scheduled_start"]
    assert start.astimezone(MX) == datetime(2026, 1, 14, 15, 0, tzinfo=MX)
    moved = web.client.post(f"/app/appointments/{second}/move", json={"start": "2026-01-14T18:00"}, headers={"X-CSRF-Token": web.csrf})
    assert moved.status_code == 200 and moved.json()["ok"] is True
    history = web.get(f"/app/appointments/{second}").text
    assert "v2 · Rescheduled" in history and f"owner:{world.owner_id}" in history


def test_a_suspended_business_stops_its_sessions_at_once(web) -> None:
    login(web)
    assert web.get("/app/", follow_redirects=False).status_code == 200
    admin_login(web)
    org = web.world.organization_id
    web.get(f"/admin/organizations/{org}")
    assert web.post(f"/admin/organizations/{org}/status", {"status": "suspended", "reason": "prueba"}, follow_redirects=False).status_code == 303
    stopped = web.get("/app/", follow_redirects=False)
    assert stopped.status_code == 303 and stopped.headers["location"].startswith("/app/login?error=")
    web.get(f"/admin/organizations/{org}")
    web.post(f"/admin/organizations/{org}/status", {"status": "active"})
    assert web.world.reads.get_organization(org)["status"] == "active"


def test_the_admin_explorer_shows_an_appointment_at_version_one(web) -> None:
    admin_login(web)
    appointment = web.world.booked["first"]
    page = web.get(f"/admin/explorer?aggregate_id={appointment}&version=1").text
    assert "Estado en la versión 1" in page and "v1 · Booked" in page and "Es la primera versión." in page
    assert "v2" not in page.split("Estado en la versión 1")[0]
    later = web.get(f"/admin/explorer?aggregate_id={appointment}").text
    assert "Estado en la versión 1" in later  # still one version: nothing happened to it


def test_admin_pages_need_the_admin_session_and_an_owner_cookie_is_not_enough(web) -> None:
    assert web.get("/admin/", follow_redirects=False).headers["location"] == "/admin/login"
    login(web)
    assert web.get("/admin/", follow_redirects=False).headers["location"] == "/admin/login"


def test_impersonation_opens_the_owner_app_marked(web) -> None:
    admin_login(web)
    org = web.world.organization_id
    web.get(f"/admin/organizations/{org}")
    answer = web.post(f"/admin/organizations/{org}/impersonate", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/app/"
    page = web.get("/app/").text
    assert "suplantación" in page
    # Changes made while impersonating go through the same commands, recorded with the admin as actor
    web.get("/app/services")
    added = web.post("/app/services", {"name": "Planchado", "duration_minutes": "40", "price": "200"}, follow_redirects=False)
    assert added.status_code == 303, added.text
    events = web.world.container.app.event_history(org)
    assert events[-1]["actor"] == "admin:admin" and "Planchado" in str(events[-1]["data"])


def test_the_owner_changes_the_hours_and_settings_and_a_bad_value_is_explained(web) -> None:
    login(web)
    org = web.world.organization_id
    location = web.world.reads.list_locations(org)[0]["id"]
    web.get("/app/settings")
    hours = {f"{d}_open": "10:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
    hours.update({f"{d}_close": "19:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")})
    answer = web.post("/app/hours", {"location_id": str(location), **hours}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert web.world.reads.list_locations(org)[0]["business_hours"]["mon"] == [["10:00", "19:00"]]
    bad = web.post("/app/settings", {"buffer_minutes": "diez"})
    assert bad.status_code == 422 and "Debe ser un número entero." in bad.text
    assert web.post("/app/settings", {"buffer_minutes": "10"}, follow_redirects=False).status_code == 303
    assert web.world.reads.get_organization(org)["settings"]["buffer_minutes"] == 10


def test_session_cookies_are_secure_in_production() -> None:
    from types import SimpleNamespace

    from fastapi import Response

    from gateway.web import session

    for env, secure in (("production", True), ("development", False)):
        settings = SimpleNamespace(env=env, secret_key=SimpleNamespace(get_secret_value=lambda: "s" * 40))
        container = SimpleNamespace(settings=settings, app=SimpleNamespace(now=lambda: datetime(2026, 1, 14, tzinfo=MX)))
        request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(container=container)), cookies={}, state=SimpleNamespace())
        response = Response()
        session.set_session(request, response, "admin", "token", None)
        cookie = response.headers["set-cookie"]
        assert ("Secure" in cookie) is secure and "HttpOnly" in cookie and "Path=/admin" in cookie


def test_the_owner_adds_staff_sets_their_hours_and_deactivates_them(web) -> None:
    login(web)
    world = web.world
    web.get("/app/staff")
    added = web.post("/app/staff", {"name": "Sofía <i>Ruiz</i>", "phone_number": "55 4444 5555", "permission_level": "staff"}, follow_redirects=False)
    assert added.status_code == 303, added.text
    member = world.reads.get_staff_by_phone(world.organization_id, "+525544445555")
    assert member["name"] == "Sofía <i>Ruiz</i>" and "Sofía &lt;i&gt;Ruiz&lt;/i&gt;" in web.get("/app/staff").text
    web.get(f"/app/staff/{member['id']}")
    hours = {"mon_open": "09:00", "mon_close": "14:00", "tue_open": "09:00", "tue_close": "14:00"}
    saved = web.post(f"/app/staff/{member['id']}", {"permission_level": "staff", **hours}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert world.reads.get_staff(world.organization_id, member["id"])["working_hours"]["mon"] == [["09:00", "14:00"]]
    web.get("/app/staff")
    assert web.post(f"/app/staff/{member['id']}/deactivate", follow_redirects=False).status_code == 303
    assert world.reads.get_staff(world.organization_id, member["id"])["is_active"] is False
    duplicate = web.post("/app/staff", {"name": "Otra", "phone_number": "hola"})
    assert duplicate.status_code == 422 and 'class="flash error"' in duplicate.text


def test_the_owner_changes_a_service_and_blocks_and_unblocks_time(web) -> None:
    login(web)
    world = web.world
    web.get("/app/services")
    bad = web.post(f"/app/services/{world.service_id}", {"duration_minutes": "media hora", "price": "150"})
    assert bad.status_code == 422 and "Escribe la duración en minutos" in bad.text
    saved = web.post(f"/app/services/{world.service_id}", {"duration_minutes": "40", "price": "180.50", "is_active": "on"}, follow_redirects=False)
    assert saved.status_code == 303
    service = world.reads.get_service(world.organization_id, world.service_id)
    assert service["duration_minutes"] == 40 and service["price_cents"] == 18050 and "$180.50" in web.get("/app/services").text
    web.get("/app/calendar?date=2026-01-15")
    blocked = web.post("/app/blocks", {"staff_id": str(world.staff_id), "day": "2026-01-15", "start": "13:00", "end": "14:00", "reason": "Comida"}, follow_redirects=False)
    assert blocked.status_code == 303, blocked.text
    blocks = world.reads.list_blocks(world.organization_id, date_from=datetime(2026, 1, 15).date(), date_to=datetime(2026, 1, 15).date())
    assert len(blocks) == 1 and "Comida" in web.get("/app/calendar?date=2026-01-15").text
    gone = web.post(f"/app/blocks/{blocks[0]['id']}/delete", {"staff_id": str(world.staff_id), "day": "2026-01-15"}, follow_redirects=False)
    assert gone.status_code == 303
    assert world.reads.list_blocks(world.organization_id, date_from=datetime(2026, 1, 15).date(), date_to=datetime(2026, 1, 15).date()) == []


def test_the_owner_takes_over_writes_and_hands_back_a_conversation(web) -> None:
    login(web)
    world = web.world
    conversation = world.conversation_id
    web.get(f"/app/conversations/{conversation}")
    assert web.post(f"/app/conversations/{conversation}/hand-back", follow_redirects=False).status_code == 303
    assert world.container.conversation_reads.get_conversation(world.organization_id, conversation)["status"] == "active"
    assert web.post(f"/app/conversations/{conversation}/take-over", follow_redirects=False).status_code == 303
    assert world.container.conversation_reads.get_conversation(world.organization_id, conversation)["status"] == "handed_off"
    empty = web.post(f"/app/conversations/{conversation}/write", {"text": "   "})
    assert empty.status_code == 422 and "Escribe el mensaje." in empty.text
    assert web.post(f"/app/conversations/{conversation}/write", {"text": "Hola, <b>sí</b>"}, follow_redirects=False).status_code == 303
    assert "Hola, &lt;b&gt;sí&lt;/b&gt;" in web.get(f"/app/conversations/{conversation}").text


def test_the_explorer_shows_a_state_as_of_a_moment_and_explains_bad_input(web) -> None:
    admin_login(web)
    appointment = web.world.booked["first"]
    now = web.get(f"/admin/explorer?aggregate_id={appointment}&at=2099-01-01T00:00").text
    assert "Estado en la versión 1" in now
    before = web.get(f"/admin/explorer?aggregate_id={appointment}&at=2000-01-01T00:00").text
    assert "todavía no existía" in before
    assert "Escribe un id válido" in web.get("/admin/explorer?aggregate_id=no-es-un-id").text
    assert "su última versión es la 1" in web.get(f"/admin/explorer?aggregate_id={appointment}&version=9").text


def test_without_a_session_pages_and_forms_send_you_to_the_login(web) -> None:
    for path in ("/app/", "/app/calendar", "/app/customers"):
        assert web.get(path, follow_redirects=False).headers["location"] == "/app/login"
    web.get("/app/login")
    form = web.post(f"/app/appointments/{web.world.booked['first']}/cancel", {"reason": "x"}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == "/app/login"
    drop = web.client.post(f"/app/appointments/{web.world.booked['first']}/move", json={"start": "2026-01-14T18:00"}, headers={"X-CSRF-Token": web.csrf})
    assert drop.status_code == 401 and "Inicia sesión" in drop.json()["detail"]


def test_the_owner_closes_the_business_for_a_holiday_and_reopens_it(web) -> None:
    login(web)
    org = web.world.organization_id
    web.get("/app/settings")
    closed = web.post("/app/closures", {"start_date": "2026-02-02", "end_date": "2026-02-02", "reason": "Día de la <b>Constitución</b>"}, follow_redirects=False)
    assert closed.status_code == 303, closed.text
    closures = web.world.reads.list_closures(org)
    page = web.get("/app/settings").text
    assert len(closures) == 1 and "lunes 2 de febrero" in page and "Día de la &lt;b&gt;Constitución&lt;/b&gt;" in page
    assert web.post(f"/app/closures/{closures[0]['id']}/delete", follow_redirects=False).status_code == 303
    assert web.world.reads.list_closures(org) == []

"""The owner app and the admin console in real headless Chromium (Debian's ``chromium`` driven by
Playwright), at 390×844 and 1280×900, against uvicorn on a loopback port and a fresh SQLite store.

Screenshots of the main pages go to tests/web/screenshots/ (gitignored). Locally the tests skip
without Chromium or Playwright; in CI (CI=true) they must run."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from web_support import ADMIN_PASSWORD, MX, OWNER_PHONE, STAFF_PHONE, XSS_MESSAGE, XSS_NAME, World, build_world, wait_for_link

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
SIZES = {"mobile": (390, 844), "desktop": (1280, 900)}

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extras install it
    sync_playwright = None

if (sync_playwright is None or not os.path.exists(CHROMIUM)) and os.environ.get("CI") != "true":
    pytest.skip("headless Chromium or Playwright is not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[World]:
    import uvicorn

    from gateway.app import create_app

    port = free_port()
    world = build_world(tmp_path, f"http://127.0.0.1:{port}")
    config = uvicorn.Config(create_app(world.container), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    try:
        yield world
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        world.container.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def shot(page: Page, size: str, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{size}-{name}.png"), full_page=True)


def no_script_ran(page: Page) -> None:
    assert page.evaluate("window.__xss === undefined"), "injected HTML ran as script"


def drag(page: Page, box: dict, dy: float) -> None:
    """Press on an event, move it ``dy`` pixels down in small steps and drop it (dy=0: nothing)."""
    if not dy:
        return
    x, y = box["x"] + box["width"] / 2, box["y"] + 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 5, steps=3)
    page.mouse.move(x, y + dy, steps=12)
    page.mouse.up()


def magic_login(page: Page, world: World, phone: str, *, fragment: bool) -> None:
    page.goto(f"{world.base_url}/app/login")
    page.fill("#phone_number", phone)
    page.click("#ask-link button[type=submit]")
    expect(page.locator("#link-sent")).to_be_visible()
    link = wait_for_link(lambda path: page.request.get(world.base_url + path).json(), phone)
    # Links carry the token in the fragment (never in an access log); the page also accepts ?token=.
    assert "/login#token=" in link
    if not fragment:
        link = link.replace("/login#token=", "/login?token=")
    page.goto(link)
    page.wait_for_url(f"{world.base_url}/app/")


@pytest.mark.parametrize("size", list(SIZES))
def test_owner_staff_and_admin_journeys_in_chromium(server: World, browser, size: str) -> None:
    world = server
    width, height = SIZES[size]
    base = world.base_url
    owner = browser.new_context(viewport={"width": width, "height": height}, locale="es-MX")
    page = owner.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append("dialog: " + dialog.message), dialog.dismiss()))

    # Given the landing page, when the owner logs in with the magic link from the dev outbox
    page.goto(base + "/")
    shot(page, size, "landing")
    magic_login(page, world, OWNER_PHONE, fragment=size == "mobile")

    # then today's view shows the booked appointments, names as text
    expect(page.get_by_role("heading", name="Hoy", exact=True)).to_be_visible()
    expect(page.locator(".appt-list .who").first).to_have_text(XSS_NAME)
    expect(page.locator("[data-count=appointments]")).to_have_text("2")
    expect(page.locator(".ec-event").first).to_be_visible()  # EventCalendar drew the day
    shot(page, size, "today")
    no_script_ran(page)

    # When the owner books from a real free slot
    page.goto(f"{base}/app/appointments/new?date=2026-01-15")
    page.locator("input[name=slot]").first.check()
    page.fill("input[name=phone_number]", "55 3333 4444")
    page.fill("input[name=name]", "Rosa Díaz")
    shot(page, size, "new-appointment")
    page.click("form[action='/app/appointments'] button[type=submit]")
    expect(page.locator(".flash")).to_have_text("Listo, la cita quedó agendada.")
    expect(page.locator("h2")).to_have_text("Rosa Díaz")

    # When a move would clash, the server says so and nothing moves
    first = world.booked["first"]
    page.goto(f"{base}/app/appointments/{first}")
    page.fill("input[name=time]", "16:00")
    page.click("form[action$='/move'] button[type=submit]")
    expect(page.locator("#move-error")).to_be_visible()
    shot(page, size, "appointment-clash")
    start = world.reads.get_appointment(world.organization_id, first)["scheduled_start"].astimezone(MX)
    assert (start.hour, start.minute) == (15, 0)

    # Drag-and-drop on the calendar: onto the other appointment is refused (it snaps back), onto a free time moves it
    page.goto(f"{base}/app/calendar?date=2026-01-14")
    events = page.locator(".ec-event")
    expect(events.nth(1)).to_be_visible()
    page.locator("[data-calendar]").evaluate("el => el.scrollIntoView()")  # the whole grid inside the viewport
    at_three, at_four = events.nth(0).bounding_box(), events.nth(1).bounding_box()
    hour = at_four["y"] - at_three["y"]
    drag(page, at_three, 0)
    drag(page, at_three, hour)  # onto 4:00 PM, Miguel's other appointment
    expect(page.locator("[data-calendar-verdict]")).to_have_class(re.compile("error"))
    start = world.reads.get_appointment(world.organization_id, first)["scheduled_start"].astimezone(MX)
    assert (start.hour, start.minute) == (15, 0)
    drag(page, at_three, 3 * hour)  # onto 6:00 PM, free
    expect(page.locator("[data-calendar-verdict]")).to_have_text("Listo, la cita se movió.")
    start = world.reads.get_appointment(world.organization_id, first)["scheduled_start"].astimezone(MX)
    assert (start.hour, start.minute) == (18, 0), start
    shot(page, size, "calendar")

    # When the owner cancels one
    second = world.booked["second"]
    page.goto(f"{base}/app/appointments/{second}")
    page.fill("input[name=reason]", "El cliente avisó")
    page.click(".cancel-form button[type=submit]")
    expect(page.locator("[data-field=status]")).to_have_text("Cancelada")
    expect(page.locator(".history")).to_contain_text("Cancelled")

    # When the owner adds a service
    page.goto(f"{base}/app/services")
    page.fill("form[action='/app/services'] input[name=name]", "Tinte")
    page.fill("form[action='/app/services'] input[name=duration_minutes]", "60")
    page.fill("form[action='/app/services'] input[name=price]", "350")
    page.click("form[action='/app/services'] button[type=submit]")
    expect(page.locator("table")).to_contain_text("Tinte")
    expect(page.locator("table")).to_contain_text("$350")
    shot(page, size, "services")

    # When the owner answers the handed-off conversation and hands it back
    page.goto(f"{base}/app/conversations?status=handed_off")
    page.locator(".appt-list a").first.click()
    expect(page.locator(".thread li").first).to_contain_text(XSS_MESSAGE)
    page.fill("textarea[name=text]", "Hola Lucía, sí tenemos lugar a las 5:00 PM.")
    page.click("form[action$='/write'] button[type=submit]")
    expect(page.locator(".flash").first).to_have_text("Mensaje enviado.")
    expect(page.locator(".thread")).to_contain_text("sí tenemos lugar a las 5:00 PM")
    shot(page, size, "conversation")
    page.click("form[action$='/hand-back'] button[type=submit]")
    expect(page.locator("[data-field=conversation-status]")).to_have_text("Activo")
    no_script_ran(page)

    # A customer's page shows the HTML-ish notes as text
    page.goto(f"{base}/app/customers/{world.customer_id}")
    expect(page.locator("[data-field=customer-name]")).to_have_text(XSS_NAME)
    shot(page, size, "customer")
    no_script_ran(page)

    # The customer search updates the list as you type (htmx swaps only the rows)
    page.goto(f"{base}/app/customers")
    page.fill("input[name=q]", "Rosa")
    expect(page.locator("#customer-rows")).to_contain_text("Rosa Díaz")
    expect(page.locator("#customer-rows")).not_to_contain_text("Pepe")

    # A form posted without the CSRF token is refused
    answer = page.request.post(f"{base}/app/appointments/{first}/cancel", form={"reason": "sin token"})
    assert answer.status == 403

    # The other main pages render (and are kept as screenshots)
    for name, path, heading in (
        ("week", "/app/calendar?date=2026-01-14&view=week", "Calendario"),
        ("customers", "/app/customers", "Clientes"),
        ("staff", "/app/staff", "Equipo"),
        ("stats", "/app/stats", "Estadísticas"),
        ("settings", "/app/settings", "Ajustes"),
        ("conversations", "/app/conversations", "Conversaciones"),
    ):
        page.goto(base + path)
        expect(page.locator("main h2").first).to_have_text(heading)
        shot(page, size, name)
    no_script_ran(page)

    # A staff member cannot reach owner-only pages
    staff = browser.new_context(viewport={"width": width, "height": height})
    staff_page = staff.new_page()
    magic_login(staff_page, world, STAFF_PHONE, fragment=False)
    expect(staff_page.locator("nav.topnav")).not_to_contain_text("Estadísticas")
    staff_page.goto(f"{base}/app/staff")
    expect(staff_page.get_by_role("heading", name="Sin permiso")).to_be_visible()
    staff_page.goto(f"{base}/app/stats")
    expect(staff_page.get_by_role("heading", name="Sin permiso")).to_be_visible()
    staff.close()

    # The admin logs in, finds the demo business and opens the event explorer at version 1
    admin = browser.new_context(viewport={"width": width, "height": height})
    console = admin.new_page()
    console.goto(f"{base}/admin/")
    console.fill("#password", ADMIN_PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_url(f"{base}/admin/")
    console.fill("input[name=q]", "Don Carlos")
    console.click("form[role=search] button[type=submit]")
    console.get_by_role("link", name="Barbería Don Carlos").click()
    expect(console.locator("[data-field=org-status]")).to_have_text("Activo")
    shot(console, size, "admin-organization")
    console.goto(f"{base}/admin/explorer?aggregate_id={first}")
    console.locator(".history a", has_text="v1").click()
    expect(console.locator("[data-field=shown-version]")).to_have_text("Estado en la versión 1")
    shot(console, size, "admin-explorer")

    # Suspending stops the owner's session at once; reactivating lets them in again
    console.goto(f"{base}/admin/organizations/{world.organization_id}")
    console.fill("input[name=reason]", "Prueba de suspensión")
    console.get_by_role("button", name="Suspender").click()
    expect(console.locator("[data-field=org-status]")).to_have_text("Suspendido")
    page.goto(f"{base}/app/")
    page.wait_for_url(re.compile(r".*/app/login\?error=.*"))
    expect(page.locator(".flash.error")).to_contain_text("suspendido")
    console.get_by_role("button", name="Reactivar").click()
    expect(console.locator("[data-field=org-status]")).to_have_text("Activo")
    for name, path in (("admin-home", "/admin/"), ("admin-conversations", "/admin/conversations"),
                       ("admin-activity", "/admin/activity"), ("admin-projections", "/admin/projections")):
        console.goto(base + path)
        shot(console, size, name)
    no_script_ran(console)
    admin.close()
    owner.close()
    assert not errors, errors

"""The unit app (/unit) on a phone-sized Chromium with a GPS position: dispatch, accept, drive, report, resolve."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Geolocation, Page, Playwright, expect

from tests.conftest import PASSWORD
from tests.web.conftest import _server

pytestmark = pytest.mark.browser

# The patrol starts in the east of Aksai; the incident is near the town centre.
START: Geolocation = {"longitude": 53.03, "latitude": 51.17}
HALFWAY: Geolocation = {"longitude": 53.021, "latitude": 51.172}
SCENE: Geolocation = {"longitude": 53.0125, "latitude": 51.1735}
INCIDENT = {"lon": 53.0122, "lat": 51.1738}
UNIT = "PC-77"
WAIT = 30_000


@contextmanager
def _client(base: str, username: str) -> Iterator[httpx.Client]:
    """An API client signed in as `username` (session cookie and CSRF header)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        yield client


def _eventually(probe: Callable[[], Any], timeout_s: float = 30, what: str = "condition") -> Any:
    """Polls `probe` until it returns something truthy (server-side state that the page cannot wait on)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def aksai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Aksai server of tests/web/conftest.py, with a dispatch watch that flags a unit not en route in 2 s."""
    yield from _server(tmp_path_factory, ["city", "seed-aksai"], ["devices", "seed-aksai"],
                       QORGAU_DISPATCH_WATCH_EVERY_S="1", QORGAU_DISPATCH_EN_ROUTE_WITHIN_HIGH_S="2",
                       QORGAU_DISPATCH_EN_ROUTE_WITHIN_S="2")


@pytest.fixture(scope="module")
def crew(aksai_server: str) -> dict[str, Any]:
    """A patrol user `pat` in unit PC-77 and a dispatcher `disp`."""
    with _client(aksai_server, "chief") as admin:
        ids = {}
        users = (("pat", "patrol", "Ерлан Патрульный"), ("disp", "dispatcher", "Дежурный диспетчер"))
        for username, role, name in users:
            created = admin.post("/api/users", json={"username": username, "display_name": name, "role": role,
                                                     "password": PASSWORD, "locale": "ru"})
            assert created.status_code == 201, created.text
            ids[username] = created.json()["id"]
        unit = admin.post("/api/units", json={"code": UNIT, "kind": "patrol_car", "name": "Патруль 77",
                                              "members": [ids["pat"]]})
        assert unit.status_code == 201, unit.text
    return {"base": aksai_server, **ids}


@pytest.fixture
def phone(playwright: Playwright, browser: Browser, crew: dict[str, Any]) -> Iterator[BrowserContext]:
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, geolocation=START, permissions=["geolocation"], locale="ru-RU",
                                  base_url=crew["base"])
    yield context
    context.close()


def _unit(api: httpx.Client) -> dict[str, Any]:
    response = api.get(f"/api/units/{UNIT}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _desk(browser: Browser | None, base: str) -> Page:
    """The dispatcher's incident board in a desktop window of its own."""
    assert browser is not None
    page = browser.new_context(base_url=base, locale="ru-RU", viewport={"width": 1400, "height": 900}).new_page()
    page.goto("/incidents")
    page.get_by_test_id("login-username").fill("disp")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("incident-board")).to_be_visible(timeout=WAIT)
    return page


def _near(unit: dict[str, Any], point: Geolocation, tolerance: float = 2e-4) -> bool:
    return (unit["lon"] is not None and abs(unit["lon"] - point["longitude"]) < tolerance
            and abs(unit["lat"] - point["latitude"]) < tolerance)


def test_patrol_takes_a_dispatch_from_the_phone(phone: BrowserContext, crew: dict[str, Any]) -> None:
    base = crew["base"]
    page: Page = phone.new_page()
    page.goto("/unit")
    expect(page.locator('link[rel="manifest"]')).to_have_attribute("href", "/unit.webmanifest")
    page.get_by_test_id("login-username").fill("pat")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()

    # Idle: my unit, available, GPS on, the position reaches the server.
    expect(page.get_by_test_id("unit-app")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("app-shell")).to_have_count(0)
    expect(page.get_by_test_id("unit-code")).to_have_text(UNIT, timeout=WAIT)
    expect(page.get_by_test_id("unit-status")).to_have_attribute("data-status", "available")
    expect(page.get_by_test_id("gps-status")).to_have_attribute("data-state", "ok", timeout=WAIT)
    expect(page.get_by_test_id("unit-conn")).to_have_attribute("data-state", "open", timeout=WAIT)
    with _client(base, "disp") as dispatcher:
        _dispatch_and_drive(page, phone, dispatcher)


def _dispatch_and_drive(page: Page, phone: BrowserContext, dispatcher: httpx.Client) -> None:
    _eventually(lambda: _near(_unit(dispatcher), START), what="the first position")

    # The dispatcher opens an incident and sends the unit: the phone shows it without a reload, with the alert.
    beeps_before = page.evaluate("window.__qorgauUnitBeeps ?? 0")
    created = dispatcher.post("/api/incidents", json={
        "category": "theft", "source": "call", "address": "Аксай, ул. Победы, 12", **INCIDENT,
        "description": "Кража велосипеда из подъезда", "caller_phone": "+7 701 555 12 34"})
    assert created.status_code == 201, created.text
    incident = created.json()
    sent = dispatcher.post(f"/api/incidents/{incident['id']}/dispatch", json={"unit_code": UNIT})
    assert sent.status_code == 201, sent.text
    assignment = sent.json()

    card = page.get_by_test_id("dispatch-card")
    expect(card).to_be_visible(timeout=WAIT)
    expect(card).to_have_attribute("data-assignment-id", str(assignment["id"]))
    expect(page.get_by_test_id("incident-address")).to_have_text("Аксай, ул. Победы, 12")
    expect(page.get_by_test_id("incident-description")).to_contain_text("велосипеда")
    page.wait_for_function(f"(window.__qorgauUnitBeeps ?? 0) > {beeps_before}", timeout=WAIT)

    # Accept: the assignment screen with the route on the map and the first status button lit.
    page.get_by_test_id("dispatch-accept").click()
    expect(page.get_by_test_id("assignment-view")).to_be_visible(timeout=WAIT)
    en_route = page.get_by_test_id("stage-btn-en_route")
    expect(en_route).to_have_attribute("data-state", "next")
    unit_map = page.get_by_test_id("unit-map")
    expect(unit_map).to_have_attribute("data-base", "ok", timeout=WAIT)
    expect(unit_map).to_have_attribute("data-me", "gps")
    assert assignment["route"] is not None and len(assignment["route"]["coordinates"]) >= 2
    expect(unit_map).not_to_have_attribute("data-route-points", "0")
    expect(page.locator(".unit-marker-incident")).to_have_count(1)

    # Drive: the phone's new position goes to the server; en route, then on scene.
    phone.set_geolocation(HALFWAY)
    en_route.click()
    expect(en_route).to_have_attribute("data-state", "done", timeout=WAIT)
    _eventually(lambda: _near(_unit(dispatcher), HALFWAY), what="the position halfway")
    assert _unit(dispatcher)["status"] == "en_route"

    phone.set_geolocation(SCENE)
    on_scene = page.get_by_test_id("stage-btn-on_scene")
    on_scene.click()
    expect(on_scene).to_have_attribute("data-state", "done", timeout=WAIT)
    _eventually(lambda: _near(_unit(dispatcher), SCENE), what="the position on scene")

    # A note for the dispatcher lands on the incident.
    page.get_by_test_id("note-input").fill("На месте, заявитель опрошен")
    page.get_by_test_id("note-submit").click()
    expect(page.get_by_test_id("note-item").filter(has_text="заявитель опрошен")).to_be_visible(timeout=WAIT)

    # Resolved takes a confirming second tap.
    resolved = page.get_by_test_id("stage-btn-resolved")
    resolved.click()
    expect(resolved).to_have_attribute("data-armed", "true")
    resolved.click()
    expect(page.get_by_test_id("unit-idle")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("unit-closed-notice")).to_have_attribute("data-stage", "resolved")
    expect(page.get_by_test_id("unit-status")).to_have_attribute("data-status", "available", timeout=WAIT)

    # The incident's times follow the unit (set by the incidents' subscriber, shortly after).
    def times() -> dict[str, Any] | None:
        body = dispatcher.get(f"/api/incidents/{incident['id']}").json()
        return body if body["en_route_at"] and body["on_scene_at"] and body["resolved_at"] else None

    final = _eventually(times, what="the incident's stage times")
    assert final["en_route_at"] <= final["on_scene_at"] <= final["resolved_at"]
    assert any(n["text"] == "На месте, заявитель опрошен" for n in final["notes"])
    row = dispatcher.get(f"/api/incidents/{incident['id']}/assignments").json()[0]
    assert row["stage"] == "resolved" and row["accepted_at"] and row["en_route_at"] and row["on_scene_at"]
    assert _unit(dispatcher)["status"] == "available"


def test_decline_with_a_reason_and_the_offline_kit(phone: BrowserContext, crew: dict[str, Any]) -> None:
    base = crew["base"]
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/unit")
    page.get_by_test_id("login-username").fill("pat")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("unit-idle")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("unit-conn")).to_have_attribute("data-state", "open", timeout=WAIT)
    desk = _desk(phone.browser, base)

    with _client(base, "disp") as dispatcher:
        incident = dispatcher.post("/api/incidents", json={"category": "noise", **INCIDENT}).json()
        sent = dispatcher.post(f"/api/incidents/{incident['id']}/dispatch", json={"unit_code": UNIT})
        assert sent.status_code == 201, sent.text
        expect(page.get_by_test_id("dispatch-card")).to_be_visible(timeout=WAIT)
        page.get_by_test_id("dispatch-decline").click()
        page.get_by_test_id("decline-confirm").click()  # no reason yet: refused on the phone
        expect(page.get_by_test_id("decline-form")).to_contain_text("Укажите причину")
        page.get_by_test_id("decline-quick-vehicle").click()
        expect(page.get_by_test_id("decline-reason")).to_have_value("Неисправность автомобиля")
        page.get_by_test_id("decline-confirm").click()
        expect(page.get_by_test_id("unit-closed-notice")).to_have_attribute("data-stage", "declined", timeout=WAIT)
        row = dispatcher.get(f"/api/incidents/{incident['id']}/assignments").json()[0]
        assert row["stage"] == "declined" and row["decline_reason"] == "Неисправность автомобиля"
        # The desk: an alert with the reason, and the incident back in New, uncovered until another unit is sent.
        alert = desk.locator(f"[data-testid=decline-alert][data-incident-id='{incident['id']}']")
        expect(alert).to_contain_text("Неисправность автомобиля", timeout=WAIT)
        expect(alert).to_contain_text(UNIT)
        card = desk.locator(f"[data-testid=incident-card][data-id='{incident['id']}']")
        expect(card).to_have_attribute("data-uncovered", "true", timeout=WAIT)
        expect(card).to_have_attribute("data-state", "new")
        expect(card.get_by_test_id("incident-uncovered")).to_be_visible()
        # The Leaflet map torn down mid-animation after a decline threw "reading '_leaflet_pos'": no page error.
        page.wait_for_timeout(600)
        assert errors == []

        # Sent again and not en route in time: flagged on the unit board and on the incident's card.
        again = dispatcher.post(f"/api/incidents/{incident['id']}/dispatch", json={"unit_code": UNIT})
        assert again.status_code == 201, again.text
        expect(card).to_have_attribute("data-uncovered", "false", timeout=WAIT)
        expect(card).to_have_attribute("data-stalled", "1", timeout=WAIT)
        desk.goto("/units")
        row_on_board = desk.locator(f"[data-testid=unit-row][data-code='{UNIT}']")
        expect(row_on_board).to_have_attribute("data-flag", "not_en_route", timeout=WAIT)
        expect(row_on_board.get_by_test_id("unit-flag")).to_have_text("Не выехал")
        assert dispatcher.post(f"/api/assignments/{again.json()['id']}/clear").status_code == 200
        expect(row_on_board).to_have_attribute("data-flag", "", timeout=WAIT)
    desk.context.close()

    # The PWA kit: manifest, icons and the service worker, which keeps the city map but no other API answer.
    manifest = page.request.get(base + "/unit.webmanifest").json()
    assert manifest["start_url"] == "/unit" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert page.request.get(base + icon["src"]).ok
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)", timeout=WAIT)
    page.reload()  # now under the worker
    expect(page.get_by_test_id("unit-idle")).to_be_visible(timeout=WAIT)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=WAIT)
    map_query = "/api/city/map?layers=boundary,settlements,microdistricts,streets,blocks"
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")
    assert "/api/city/map" in cached and "/unit" in cached
    assert any(u.startswith("/assets/UnitApp-") for u in cached), cached
    assert not any(u.startswith("/api/") and u != "/api/city/map" for u in cached), cached

    # Without network the shell still opens (and says the server is unreachable), and the city map is there.
    phone.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("login-error")).to_be_visible(timeout=WAIT)
    features = page.evaluate(f"fetch('{map_query}').then(r => r.json()).then(b => b.features.length)")
    assert features > 100
    phone.set_offline(False)

"""The common operating picture in real Chromium: a DC-09 panic, an incident and the units appear as layers over
the map desk's devices, the alarm's card acknowledges it, a unit changes status and moves live, the events tab names
events in the UI language, and the situation center's wall shows the same layers without the desk shell."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.ingest.conftest import send_panic
from tests.web.conftest import DeskServer, seeded_desk_server

# The module's server seeds the city, the device plan and the units: on a loaded machine that alone nears a minute.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

WAIT = 30_000  # ms: live paths cross the ingest, the outbox and the WebSocket


@pytest.fixture(scope="module")
def picture_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskServer]:
    """The served Aksai model with the DC-09 receiver, a supervisor and a patrol."""
    yield from seeded_desk_server(tmp_path_factory, "picture", ["sup", "--role", "supervisor"],
                                  ["pat", "--role", "patrol"])


def _api(server: DeskServer, username: str = "sup") -> httpx.Client:
    client = httpx.Client(base_url=server.base, timeout=30)
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def _raise_alarm(server: DeskServer, client: httpx.Client) -> dict[str, object]:
    assert send_panic(server.dc09_port, "1001", sequence=11).message_type == "ACK"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = client.get("/api/alarms").json()["items"]
        if items:
            return dict(items[0])
        time.sleep(0.25)
    raise AssertionError("the panic raised no alarm")


def test_alarms_incidents_and_units_are_layers_on_the_map_and_the_wall(page: Page, picture_server: DeskServer,
        tmp_path: Path) -> None:
    api = _api(picture_server)
    try:
        alarm = _raise_alarm(picture_server, api)
        incident = api.post("/api/incidents", json={"category": "hooliganism", "address": "ул. Советская, 12",
                                                     "lon": 53.0135, "lat": 51.1745, "description": "Fight"})
        assert incident.status_code == 201, incident.text
        incident_id = incident.json()["id"]
        unit = next(u for u in api.get("/api/units").json()["items"] if u["kind"] == "patrol_car")
    finally:
        api.close()

    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(picture_server.base + "/map")
    page.get_by_test_id("lang-en").click()
    page.get_by_test_id("login-username").fill("sup")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("map-desk")).to_be_visible(timeout=20_000)

    alarm_marker = page.locator(f"[data-testid=ops-alarm][data-ref='{alarm['id']}']")
    expect(alarm_marker).to_have_attribute("data-blink", "true", timeout=WAIT)
    expect(alarm_marker).to_have_attribute("data-priority", str(alarm["priority"]))
    expect(page.locator(f"[data-testid=ops-incident][data-ref='{incident_id}']")).to_have_attribute("data-state", "new")
    expect(page.locator(f"[data-testid=ops-unit][data-ref='{unit['code']}']")).to_contain_text(unit["code"])
    expect(page.get_by_test_id("ops-count-alarm-critical")).to_have_text("1")
    # The panic's rule opens an incident of its own: at least ours is counted.
    expect(page.get_by_test_id("ops-count-incident-new")).not_to_have_text("0")
    expect(page.get_by_test_id("conn-indicator")).to_have_attribute("data-state", "open", timeout=WAIT)

    page.screenshot(path=str(tmp_path / "map.png"))
    alarm_marker.click()
    card = page.get_by_test_id("ops-card")
    expect(card).to_have_attribute("data-kind", "alarm")
    expect(card).to_have_attribute("data-state", "new")
    card.get_by_test_id("ops-card-acknowledge").click()
    expect(card).to_have_attribute("data-state", "acknowledged", timeout=WAIT)
    expect(alarm_marker).not_to_have_attribute("data-blink", "true")

    # A unit changes status and moves, live: its marker takes the status colour and slides to the new position.
    unit_selector = f"[data-testid=ops-unit][data-ref='{unit['code']}']"
    before = page.evaluate("s => document.querySelector(s).parentElement.style.transform", unit_selector)
    api, patrol = _api(picture_server), _api(picture_server, "pat")
    try:
        patrol_id = patrol.get("/api/auth/session").json()["user"]["id"]
        changed = api.patch(f"/api/units/{unit['code']}", json={"members": [patrol_id], "status": "busy"})
        assert changed.status_code == 200, changed.text
        moved = patrol.post("/api/me/unit/position", json={"lon": unit["lon"] + 0.004, "lat": unit["lat"] + 0.002})
        assert moved.status_code == 200, moved.text
    finally:
        api.close()
        patrol.close()
    expect(page.locator(unit_selector)).to_have_attribute("data-state", "busy", timeout=WAIT)
    page.wait_for_function("([s, before]) => document.querySelector(s)?.parentElement.style.transform !== before",
                           arg=[unit_selector, before], timeout=WAIT)

    # The events tab names the acknowledgement in the UI language.
    page.get_by_test_id("map-tab-events").click()
    expect(page.locator("[data-testid=live-event-name][data-name='alarms.acknowledged']").first).to_have_text(
        "Alarm acknowledged", timeout=WAIT)

    page.goto(picture_server.base + "/wall")
    expect(page.get_by_test_id("wall")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("app-shell")).to_have_count(0)
    expect(page.locator(f"[data-testid=ops-alarm][data-ref='{alarm['id']}']")).to_have_attribute(
        "data-state", "acknowledged", timeout=WAIT)
    expect(page.locator(f"[data-testid=ops-incident][data-ref='{incident_id}']")).to_be_attached()
    expect(page.locator(f"[data-testid=ops-unit][data-ref='{unit['code']}']")).to_be_attached()
    expect(page.get_by_test_id("wall-incidents")).not_to_contain_text(": 0")
    page.screenshot(path=str(tmp_path / "wall.png"))

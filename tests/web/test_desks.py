"""The operator desks in real Chromium: a DC-09 panic reaches the alarm desk live, and an operator takes it
through acknowledgement, an incident, dispatch and closing to the response dashboard."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.conftest import PASSWORD
from tests.ingest.conftest import send_panic
from tests.web.conftest import DeskServer, seeded_desk_server

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms: live paths cross the ingest, the outbox and the WebSocket
CLOCK = re.compile(r"^\d+:\d\d$")  # a duration as the dashboard shows it


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskServer]:
    """The served Aksai model with the DC-09 receiver, and the desk's users."""
    yield from seeded_desk_server(tmp_path_factory, "desks", ["chief", "--role", "admin"],
                                  ["sup", "--role", "supervisor", "--display-name", "Shift Supervisor"],
                                  ["op2", "--role", "operator"], ["pat", "--role", "patrol"],
                                  ["pat2", "--role", "patrol"])


@pytest.fixture
def clients(desk_server: DeskServer) -> Iterator[Callable[[str], httpx.Client]]:
    """Signed-in API clients by username, closed after the test."""
    opened: list[httpx.Client] = []

    def sign_in(username: str) -> httpx.Client:
        opened.append(_client(desk_server, username))
        return opened[-1]

    yield sign_in
    for client in opened:
        client.close()


def _client(server: DeskServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.base, timeout=30)
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def _open_alarm_ids(client: httpx.Client) -> set[int]:
    answer = client.get("/api/alarms")
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


def _raise_alarm(server: DeskServer, client: httpx.Client, account: str) -> int:
    """Send a panic and return the id of the alarm it raised."""
    before = _open_alarm_ids(client)
    assert send_panic(server.dc09_port, account, sequence=7).message_type == "ACK"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = _open_alarm_ids(client) - before
        if new:
            return new.pop()
        time.sleep(0.25)
    raise AssertionError(f"the panic of account {account} raised no alarm")


def _sign_in(page: Page, server: DeskServer, path: str, username: str = "sup") -> None:
    page.goto(server.base + path)
    page.get_by_test_id("lang-en").click()
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=20_000)


def test_a_dc09_panic_appears_on_the_alarm_desk_without_reload(page: Page, desk_server: DeskServer,
        clients: Callable[[str], httpx.Client]) -> None:
    _sign_in(page, desk_server, "/alarms")
    expect(page.get_by_test_id("alarms-desk")).to_be_visible()
    expect(page.get_by_test_id("conn-indicator")).to_have_attribute("data-state", "open", timeout=WAIT)
    sup = clients("sup")

    alarm_id = _raise_alarm(desk_server, sup, "1001")

    row = page.locator(f"[data-testid=alarm-row][data-id='{alarm_id}']")
    expect(row).to_be_visible(timeout=WAIT)
    expect(row).to_have_attribute("data-state", "new")
    expect(row).to_have_attribute("data-priority", "1")
    expect(row.get_by_test_id("alarm-kind")).to_have_text("Panic button")
    expect(row.get_by_test_id("alarm-ack")).to_be_visible()
    assert int(page.get_by_test_id("alarm-count").get_attribute("data-count") or "0") >= 1
    row.click()
    detail = page.get_by_test_id("alarm-detail")
    expect(detail).to_have_attribute("data-state", "new", timeout=WAIT)
    expect(page.get_by_test_id("alarm-step").first).to_be_visible()
    expect(page.get_by_test_id("alarm-map-device")).to_be_attached()


def test_operator_takes_an_alarm_to_a_closed_incident(page: Page, desk_server: DeskServer,
        clients: Callable[[str], httpx.Client]) -> None:
    sup, chief, patrol = clients("sup"), clients("chief"), clients("pat")
    alarm_id = _raise_alarm(desk_server, sup, "1002")

    _sign_in(page, desk_server, "/alarms")
    row = page.locator(f"[data-testid=alarm-row][data-id='{alarm_id}']")
    row.click()
    expect(page.get_by_test_id("alarm-detail")).to_have_attribute("data-id", str(alarm_id), timeout=WAIT)
    page.keyboard.press("a")  # the acknowledge shortcut
    expect(row).to_have_attribute("data-state", "acknowledged", timeout=WAIT)
    first_step = page.get_by_test_id("alarm-step").first
    first_step.get_by_test_id("alarm-step-note").fill("called the guard")
    first_step.get_by_test_id("alarm-step-done").click()
    expect(first_step).to_have_attribute("data-state", "done", timeout=WAIT)

    page.get_by_test_id("alarm-open-incident").click()
    detail = page.get_by_test_id("incident-detail")
    expect(detail).to_be_visible(timeout=WAIT)
    incident_id = int(detail.get_attribute("data-id") or "0")
    assert page.url.endswith(f"/incidents/{incident_id}")

    recommended = page.get_by_test_id("recommendation").first
    expect(recommended).to_be_visible(timeout=WAIT)
    expect(recommended.get_by_test_id("recommendation-eta")).to_contain_text(":")
    expect(page.get_by_test_id("incident-map")).to_have_attribute("data-route", "drawn")
    unit_code = recommended.get_attribute("data-code") or ""
    recommended.get_by_test_id("dispatch-button").click()
    assignment = page.locator(f"[data-testid=incident-assignment][data-unit='{unit_code}']")
    expect(assignment).to_be_visible(timeout=WAIT)
    expect(detail).to_have_attribute("data-state", "dispatched", timeout=WAIT)
    assignment_id = int(assignment.get_attribute("data-id") or "0")

    # The crew answers from its phone (the unit app's own test drives its screens).
    patrol_id = patrol.get("/api/auth/session").json()["user"]["id"]
    assert chief.patch(f"/api/units/{unit_code}", json={"members": [patrol_id]}).status_code == 200
    assert patrol.post(f"/api/assignments/{assignment_id}/accept").status_code == 200
    for stage in ("en_route", "on_scene"):
        answer = patrol.post(f"/api/assignments/{assignment_id}/progress", json={"stage": stage})
        assert answer.status_code == 200, answer.text
    expect(detail).to_have_attribute("data-state", "on_scene", timeout=WAIT)
    expect(page.locator(f"[data-testid=incident-card][data-id='{incident_id}']")).to_have_attribute(
        "data-state", "on_scene", timeout=WAIT)
    answer = patrol.post(f"/api/assignments/{assignment_id}/progress", json={"stage": "resolved"})
    assert answer.status_code == 200, answer.text
    expect(detail).to_have_attribute("data-state", "resolved", timeout=WAIT)

    page.get_by_test_id("incident-note-input").fill("school checked, all safe")
    page.get_by_test_id("incident-note-add").click()
    expect(page.get_by_test_id("incident-note")).to_contain_text("all safe", timeout=WAIT)
    page.locator("[data-testid=incident-transition][data-to=closed]").click()
    expect(detail).to_have_attribute("data-state", "closed", timeout=WAIT)
    page.get_by_test_id("incident-detail-close").click()
    expect(page.locator(f"[data-testid=incident-card][data-id='{incident_id}']")).to_have_count(0, timeout=WAIT)

    page.get_by_test_id("nav-stats").click()
    expect(page.get_by_test_id("stats-desk")).to_be_visible()
    summary = page.get_by_test_id("dashboard-summary")
    expect(summary).to_be_visible(timeout=WAIT)
    assert int(summary.get_attribute("data-incidents") or "0") >= 1
    for stage in ("dispatched", "on_scene", "closed"):
        card = page.locator(f"[data-testid=dashboard-stage][data-stage={stage}]")
        expect(card.get_by_test_id("stage-p50")).to_have_text(CLOCK)
        expect(card.get_by_test_id("stage-p90")).to_have_text(CLOCK)
    acknowledged = page.locator("[data-testid=dashboard-stage][data-stage=acknowledged]")
    expect(acknowledged.get_by_test_id("stage-target")).to_have_text("1:00")  # QORGAU_RESPONSE_TARGET_ACK_S
    on_scene = page.locator("[data-testid=dashboard-stage][data-stage=on_scene]")
    expect(on_scene).not_to_have_attribute("data-verdict", "none")
    expect(page.get_by_test_id("dashboard-by-category")).to_be_visible()
    expect(page.get_by_test_id("dashboard-by-area")).to_be_visible()


def test_the_later_of_two_operators_learns_who_acknowledged_first(page: Page, desk_server: DeskServer,
        clients: Callable[[str], httpx.Client]) -> None:
    sup, other = clients("sup"), clients("op2")
    alarm_id = _raise_alarm(desk_server, sup, "1003")

    # This desk hears no live events, so it still shows the alarm as new when the other operator wins.
    def silent(ws: WebSocketRoute) -> None:
        ws.on_message(lambda _message: None)

    page.route_web_socket("**/api/events/ws*", silent)
    _sign_in(page, desk_server, "/alarms")
    row = page.locator(f"[data-testid=alarm-row][data-id='{alarm_id}']")
    expect(row).to_have_attribute("data-state", "new", timeout=WAIT)
    assert other.post(f"/api/alarms/{alarm_id}/acknowledge").status_code == 200

    row.get_by_test_id("alarm-ack").click()
    conflict = page.get_by_test_id("alarm-conflict")
    expect(conflict).to_be_visible(timeout=WAIT)
    expect(conflict).to_contain_text("op2")
    expect(row).to_have_attribute("data-state", "acknowledged")


def test_units_desk_moves_a_unit_live(page: Page, desk_server: DeskServer,
        clients: Callable[[str], httpx.Client]) -> None:
    chief, patrol = clients("chief"), clients("pat2")
    patrol_id = patrol.get("/api/auth/session").json()["user"]["id"]
    assert chief.patch("/api/units/FP-06", json={"members": [patrol_id]}).status_code == 200

    _sign_in(page, desk_server, "/units")
    marker = page.locator("[data-testid=unit-marker][data-code=FP-06]")
    expect(marker).to_be_attached(timeout=WAIT)
    expect(page.get_by_test_id("conn-indicator")).to_have_attribute("data-state", "open", timeout=WAIT)
    answer = patrol.post("/api/me/unit/position", json={"lon": 53.02, "lat": 51.18})
    assert answer.status_code == 200, answer.text
    expect(marker).to_have_attribute("data-lon", "53.020000", timeout=WAIT)
    expect(marker).to_have_attribute("data-lat", "51.180000")
    expect(page.locator("[data-testid=unit-row][data-code=FP-06]")).to_have_attribute("data-stale", "false")


def test_a_102_call_is_registered_with_its_address_on_the_map(page: Page, desk_server: DeskServer) -> None:
    _sign_in(page, desk_server, "/incidents")
    page.get_by_test_id("incident-intake-open").click()
    form = page.get_by_test_id("intake-form")
    form.get_by_test_id("intake-caller-name").fill("Aigerim S.")
    form.get_by_test_id("intake-caller-phone").fill("+7 701 000 00 00")
    form.get_by_test_id("intake-address").fill("ул. Советская, 12")
    expect(form.get_by_test_id("intake-address-preview")).to_have_attribute("data-state", "found", timeout=WAIT)
    form.get_by_test_id("intake-category").click()
    page.get_by_role("option").first.click()
    form.get_by_test_id("intake-description").fill("Loud fight in the yard")
    form.get_by_test_id("intake-submit").click()

    detail = page.get_by_test_id("incident-detail")
    expect(detail).to_have_attribute("data-state", "new", timeout=WAIT)
    expect(detail.get_by_test_id("incident-caller")).to_contain_text("Aigerim S.")
    expect(page.get_by_test_id("incident-map-incident")).to_be_attached()
    incident_id = detail.get_attribute("data-id")
    column = page.locator("[data-testid=incident-column][data-state=new]")
    expect(column.locator(f"[data-testid=incident-card][data-id='{incident_id}']")).to_be_attached(timeout=WAIT)


def test_a_schools_alarm_card_names_the_school_its_address_and_lists_its_cameras(page: Page, desk_server: DeskServer,
        clients: Callable[[str], httpx.Client]) -> None:
    sup = clients("sup")
    _sign_in(page, desk_server, "/alarms")
    alarm_id = _raise_alarm(desk_server, sup, "1004")  # the panel of School No. 4
    detail = sup.get(f"/api/alarms/{alarm_id}").json()
    address = detail["place"]["address"]
    own = [c["code"] for c in detail["cameras"] if c["own_site"]]
    assert address and len(own) == 4

    page.locator(f"[data-testid=alarm-row][data-id='{alarm_id}']").click()
    card = page.get_by_test_id("alarm-place")
    expect(card).to_have_attribute("data-site", "OBJ-04", timeout=WAIT)
    expect(card.get_by_test_id("alarm-place-name")).to_have_text("School No. 4")
    expect(card.get_by_test_id("alarm-place-address")).to_contain_text(address)
    expect(page.locator("[data-testid=alarm-camera][data-own=true]")).to_have_count(4)
    assert page.locator("[data-testid=alarm-camera]").first.get_attribute("data-code") in own
    expect(page.get_by_test_id("alarm-camera-own").first).to_have_text("site")

"""Work of a shift in real Chromium: the connection indicator follows the browser offline and the board catches up
on reconnect without a reload, `?` lists the keys, and a handover is signed by two supervisors."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shift_server(live_server: str) -> str:
    """The shell's test server with two supervisors (`day`, `night`), added by its admin over the API."""
    admin = _api(live_server, "chief")
    try:
        for name in ("day", "night"):
            made = admin.post("/api/users", json={"username": name, "display_name": name.title(),
                                                  "role": "supervisor", "password": PASSWORD})
            assert made.status_code == 201, made.text
    finally:
        admin.close()
    return live_server


def _sign_in(page: Page, base: str, username: str, path: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.evaluate("path => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')); }", path)


def _api(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def test_offline_turns_the_indicator_within_2_s_and_the_board_catches_up(page: Page, shift_server: str) -> None:
    _sign_in(page, shift_server, "op", "/incidents")
    indicator = page.get_by_test_id("conn-indicator")
    expect(indicator).to_have_attribute("data-state", "open", timeout=15_000)
    expect(page.get_by_test_id("incidents-desk")).to_be_visible()
    page.context.set_offline(True)
    expect(indicator).not_to_have_attribute("data-state", "open", timeout=2_000)
    api = _api(shift_server, "op")
    try:
        created = api.post("/api/incidents", json={"category": "theft", "description": "made while the desk was away"})
    finally:
        api.close()
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    page.wait_for_timeout(500)
    expect(page.locator(f'[data-testid="incident-card"][data-number="{number}"]')).to_have_count(0)
    page.context.set_offline(False)
    expect(indicator).to_have_attribute("data-state", "open", timeout=10_000)
    # Caught up without a reload: the incident made while offline is on the board.
    expect(page.locator(f'[data-testid="incident-card"][data-number="{number}"]')).to_be_visible(timeout=10_000)


def test_question_mark_lists_the_keys_and_g_opens_a_desk(page: Page, shift_server: str) -> None:
    _sign_in(page, shift_server, "op", "/alarms")
    expect(page.get_by_test_id("alarms-desk")).to_be_visible()
    page.keyboard.press("?")
    overlay = page.get_by_test_id("shortcuts-list")
    expect(overlay).to_be_visible()
    for keys in ("j", "k", "a", "h", "?", "g i", "g m"):
        expect(overlay.locator(f'[data-testid="shortcut"][data-keys="{keys}"]').first).to_be_visible()
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    page.keyboard.press("g")
    page.keyboard.press("i")
    expect(page.get_by_test_id("incidents-desk")).to_be_visible()
    # Typing in a field types: neither the overlay nor a desk key acts.
    search = page.get_by_test_id("incident-search")
    search.click()
    search.press_sequentially("?gj")
    expect(search).to_have_value("?gj")
    expect(overlay).to_be_hidden()
    page.keyboard.press("Escape")
    search.blur()  # (a click at a fixed point of the page once did it, until the menu grew a link there)
    page.keyboard.press("/")
    expect(search).to_be_focused()


def test_a_handover_is_signed_by_the_outgoing_and_the_incoming_supervisor(browser: Browser, shift_server: str) -> None:
    outgoing = browser.new_context().new_page()
    _sign_in(outgoing, shift_server, "day", "/shifts")
    expect(outgoing.get_by_test_id("shift-summary")).to_be_visible()
    outgoing.get_by_test_id("handover-notes-input").fill("Watch the market tonight.")
    outgoing.get_by_test_id("handover-sign").click()
    expect(outgoing.get_by_test_id("handover-pending")).to_be_visible()
    expect(outgoing.get_by_test_id("handover-take-over")).to_have_count(0)  # not by the same person
    incoming = browser.new_context().new_page()
    _sign_in(incoming, shift_server, "night", "/shifts")
    expect(incoming.get_by_test_id("handover-notes")).to_have_text("Watch the market tonight.")
    incoming.get_by_test_id("handover-take-over").click()
    expect(incoming.locator('[data-testid="handover-row"][data-state="signed"]')).to_have_count(1)
    # The outgoing screen follows live.
    expect(outgoing.locator('[data-testid="handover-row"][data-state="signed"]')).to_have_count(1, timeout=10_000)
    outgoing.context.close()
    incoming.context.close()

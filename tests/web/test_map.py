"""The map desk in real Chromium over the seeded Aksai model: counts, search, device card, live health."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _open_map(page: Page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("lang-ru").click()
    page.get_by_test_id("login-username").fill("chief")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=20_000)


def test_layer_counts_show_the_whole_plan(page: Page, aksai_server: str) -> None:
    _open_map(page, aksai_server)
    expect(page.get_by_test_id("layer-count-camera")).to_have_text("469", timeout=30_000)
    expect(page.get_by_test_id("layer-count-sos_terminal")).to_have_text("12")
    expect(page.get_by_test_id("layer-count-alarm_panel")).to_have_text("36")
    expect(page.get_by_test_id("generated-notice")).to_be_visible()


def test_search_finds_a_school_and_opens_a_device_card(page: Page, aksai_server: str) -> None:
    _open_map(page, aksai_server)
    expect(page.get_by_test_id("layer-count-camera")).to_have_text("469", timeout=30_000)
    page.get_by_test_id("map-search").fill("Школа")
    school = page.locator("[data-testid=search-result][data-type=site]").first
    expect(school).to_contain_text("Школа", timeout=15_000)
    school.click()
    expect(page.get_by_test_id("cluster-list")).to_be_visible(timeout=15_000)
    page.get_by_test_id("cluster-list-item").first.click()
    expect(page.get_by_test_id("device-card")).to_be_visible(timeout=15_000)


def test_device_card_follows_live_health(page: Page, aksai_server: str) -> None:
    _open_map(page, aksai_server)
    expect(page.get_by_test_id("layer-count-camera")).to_have_text("469", timeout=30_000)
    page.get_by_test_id("map-search").fill("CAM-0002")
    page.locator("[data-testid=search-result][data-code=CAM-0002]").click()
    card = page.get_by_test_id("device-card")
    expect(card).to_have_attribute("data-code", "CAM-0002", timeout=15_000)
    expect(page.get_by_test_id("device-card-health")).to_have_attribute("data-health", "unknown")
    expect(page.get_by_test_id("device-card-streams")).to_have_attribute("data-main", "true")
    csrf = page.request.get(aksai_server + "/api/auth/session").json()["csrf_token"]
    beat = page.request.post(aksai_server + "/api/devices/CAM-0002/heartbeat", headers={"X-CSRF-Token": csrf},
                             data={"status": "online"})
    assert beat.ok, beat.text()
    expect(page.get_by_test_id("device-card-health")).to_have_attribute("data-health", "online", timeout=15_000)

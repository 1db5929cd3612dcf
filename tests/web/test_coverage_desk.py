"""The coverage desk in real Chromium: isochrones and figures of the Aksai model, toggles, a placement solved on
the map, and a set covering that cannot cover everyone shown as a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qorgau.core.db import Database
from tests.conftest import PASSWORD, make_user
from tests.coverage.conftest import add_police_points, seeded_sqlite_template
from tests.server import cli_env, running_server

pytestmark = pytest.mark.browser
__all__ = ["seeded_sqlite_template"]


@pytest.fixture(scope="module")
def coverage_server(seeded_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`qorgau serve` on a copy of the city tests' Aksai database with its police points and an analyst `an`."""
    data = tmp_path_factory.mktemp("coverage-browser")
    path = data / "qorgau.db"
    path.write_bytes(seeded_sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    add_police_points(url)
    database = Database(url)
    try:
        make_user(database, "an", "analyst")
    finally:
        database.dispose()
    with running_server(cli_env(data / "var", url), data / "server.log") as base:
        yield base


@pytest.mark.timeout(150)
def test_coverage_desk_shows_isochrones_and_solves_a_placement(page: Page, coverage_server: str) -> None:
    page.goto(coverage_server + "/")
    page.get_by_test_id("login-username").fill("an")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.get_by_test_id("nav-coverage").click()  # the menu shows the desk to an analyst (stats:read)
    expect(page.get_by_test_id("coverage-desk")).to_be_visible()
    levels = page.locator('[data-testid="coverage-levels"] tr[data-level]')
    expect(levels).to_have_count(4, timeout=20_000)
    shares = [float(levels.nth(k).get_attribute("data-share") or "nan") for k in range(3)]
    assert 0 < shares[0] <= shares[1] <= shares[2] < 1
    # The walking isochrones are drawn at first, the drive time is off until ticked.
    expect(page.locator('[data-isochrone="walk-15"]').first).to_be_attached()
    expect(page.locator('[data-isochrone="drive-7"]')).to_have_count(0)
    page.locator('[data-testid="coverage-toggles"] [data-level="drive-7"]').click()
    expect(page.locator('[data-isochrone="drive-7"]').first).to_be_attached()
    expect(page.get_by_test_id("coverage-uncovered").locator("p").first).to_be_visible()

    page.get_by_test_id("placement-posts").fill("2")
    page.get_by_test_id("placement-solve").click()
    result = page.get_by_test_id("placement-result")
    expect(result).to_have_attribute("data-chosen", "2", timeout=30_000)
    expect(page.locator(".coverage-chosen")).to_have_count(2)

    page.locator('[data-testid="placement-mode"] label').nth(1).click()  # set covering (maximal is the first)
    page.get_by_test_id("placement-minutes").fill("1")
    page.get_by_test_id("placement-solve").click()
    expect(page.get_by_test_id("placement-error")).to_be_visible(timeout=30_000)
    expect(result).to_have_count(0)

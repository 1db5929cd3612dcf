"""The appeals desk in real Chromium: an inspector registers an appeal with its point picked on the map, finds it
in the list with its deadline, and shows the applicant (a view the server audits)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from tests.conftest import PASSWORD, make_user
from tests.districts.conftest import districts_sqlite_template, seeded_sqlite_template
from tests.server import cli_env, running_server

pytestmark = pytest.mark.browser
__all__ = ["districts_sqlite_template", "seeded_sqlite_template"]


@pytest.fixture(scope="module")
def appeals_server(districts_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[tuple[str, str]]:
    """`qorgau serve` on a copy of the districts tests' database with an inspector `insp` of our own."""
    data = tmp_path_factory.mktemp("appeals-browser")
    path = data / "qorgau.db"
    path.write_bytes(districts_sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    database = Database(url)
    try:
        make_user(database, "insp", "inspector")
    finally:
        database.dispose()
    with running_server(cli_env(data / "var", url), data / "server.log") as base:
        yield base, url


@pytest.mark.timeout(120)
def test_inspector_registers_an_appeal_and_sees_it_listed(page: Page, appeals_server: tuple[str, str]) -> None:
    base, url = appeals_server
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill("insp")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.evaluate("() => { history.pushState(null, '', '/appeals'); dispatchEvent(new PopStateEvent('popstate')); }")
    expect(page.get_by_test_id("appeals-desk")).to_be_visible()
    expect(page.get_by_test_id("appeals-empty")).to_be_visible()

    page.get_by_test_id("appeal-register-open").click()
    page.get_by_test_id("appeal-applicant").fill("Сапарова Айгуль")
    page.get_by_test_id("appeal-contact").fill("+7 701 555 01 01")
    page.get_by_test_id("appeal-address").fill("Аксай, мкр. 2, дом 5")
    page.get_by_test_id("appeal-subject").click()
    page.get_by_role("option").first.click()
    page.get_by_test_id("appeal-text").fill("Шум по ночам")
    point_map = page.get_by_test_id("appeal-point-map")
    expect(point_map.locator(".district-label").first).to_be_visible(timeout=15_000)
    box = point_map.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_test_id("appeal-point")).not_to_have_text("")
    page.get_by_test_id("appeal-submit").click()

    panel = page.get_by_test_id("appeal-panel")
    expect(panel).to_be_visible(timeout=15_000)
    # "All": the appeal went to the district's own inspector, not to this one.
    page.get_by_test_id("appeals-scope").locator("label").nth(1).click()
    rows = page.get_by_test_id("appeal-row")
    expect(rows).to_have_count(1, timeout=15_000)
    expect(rows.first).to_have_attribute("data-overdue", "false")
    expect(rows.first).to_contain_text("15")  # working days left
    page.get_by_test_id("appeal-show-personal").click()
    expect(page.get_by_test_id("appeal-applicant-shown")).to_contain_text("Сапарова Айгуль")
    database = Database(url)
    try:
        with database.unit_of_work() as session:
            views = list(session.scalars(select(AuditRecord).where(AuditRecord.action == "appeals.personal_view")))
    finally:
        database.dispose()
    assert len(views) == 1

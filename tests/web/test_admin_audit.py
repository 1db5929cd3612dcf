"""Administration and audit in real Chromium: an admin makes a patrol account and binds it to a unit, and the
unit app then shows the unit; an auditor sees only the desks it may open and finds yesterday's logins of a user."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from qorgau.audit import service as audit_service
from qorgau.core.db import Database
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WAIT = 20_000


@contextmanager
def _api(base: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as client:
        response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        yield client


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=WAIT)


def test_admin_binds_a_new_patrol_account_and_the_unit_app_shows_the_unit(
    page: Page, browser: Browser, live_server: str,
) -> None:
    with _api(live_server, "chief") as admin:
        created = admin.post("/api/units", json={"code": "PC-55", "kind": "patrol_car", "name": "Патруль 55"})
        assert created.status_code == 201, created.text

    _sign_in(page, live_server, "chief")
    page.get_by_test_id("nav-admin").click()
    users = page.get_by_test_id("admin-users")
    users.get_by_test_id("new-user-username").fill("serik.p")
    users.get_by_test_id("new-user-name").fill("Серик Патрульный")
    users.get_by_test_id("new-user-role").click()
    page.get_by_role("option", name="Экипаж наряда").click()  # roles.patrol in Russian, the default
    users.get_by_test_id("new-user-password").fill(PASSWORD)
    users.get_by_test_id("new-user-submit").click()
    expect(page.locator('[data-testid="user-row"][data-username="serik.p"]')).to_be_visible(timeout=WAIT)

    page.get_by_test_id("admin-tab-units").click()
    row = page.locator('[data-testid="crew-row"][data-unit="PC-55"]')
    row.get_by_test_id("crew-select").click()
    page.get_by_role("option", name=re.compile("Серик Патрульный")).click()
    row.get_by_test_id("crew-save").click()
    expect(row.get_by_test_id("crew-save")).to_be_disabled(timeout=WAIT)  # saved: the row shows the stored crew

    with _api(live_server, "chief") as admin:
        user_id = next(u["id"] for u in admin.get("/api/users", params={"limit": 500}).json()["items"]
                       if u["username"] == "serik.p")
        assert admin.get("/api/units/PC-55").json()["members"] == [user_id]

    phone = browser.new_context(viewport={"width": 412, "height": 915}, locale="ru-RU", base_url=live_server)
    try:
        app = phone.new_page()
        app.goto("/unit")
        app.get_by_test_id("login-username").fill("serik.p")
        app.get_by_test_id("login-password").fill(PASSWORD)
        app.get_by_test_id("login-submit").click()
        expect(app.get_by_test_id("unit-code")).to_have_text("PC-55", timeout=WAIT)
    finally:
        phone.close()


def test_auditor_sees_the_audit_desk_only_and_finds_yesterdays_logins(page: Page, live_server: str) -> None:
    with _api(live_server, "chief") as admin:
        for username, role in (("aud", "auditor"), ("aliya", "operator")):
            made = admin.post("/api/users", json={"username": username, "display_name": username.title(),
                                                  "role": role, "password": PASSWORD})
            assert made.status_code == 201, made.text
        aliya = made.json()["id"]
        # The admin's settings screen names the server's database; the test writes yesterday's login into it.
        database_url = next(s["value"] for s in admin.get("/api/settings").json()["items"]
                            if s["name"] == "database_url")
    with _api(live_server, "aliya"):
        pass  # a login today, which yesterday's search must leave out
    yesterday = datetime.now(UTC) - timedelta(days=1)
    database = Database(database_url)
    try:
        with pytest.MonkeyPatch.context() as clock, database.unit_of_work() as session:
            clock.setattr(audit_service, "utcnow", lambda: yesterday)  # the chain stays whole: only the time moves
            audit_service.record(session, action="auth.login", actor=audit_service.Actor(
                ref=f"user:{aliya}", name="aliya", source="10.20.30.40"))
    finally:
        database.engine.dispose()

    _sign_in(page, live_server, "aud")
    expect(page.get_by_test_id("nav-audit")).to_be_visible()
    for hidden in ("alarms", "incidents", "units", "video", "admin"):
        expect(page.get_by_test_id(f"nav-{hidden}")).to_have_count(0)
    page.get_by_test_id("nav-audit").click()
    expect(page.get_by_test_id("chain-status")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("audit-row").first).to_be_visible(timeout=WAIT)

    page.get_by_test_id("audit-person").fill("Aliya")
    page.get_by_test_id("audit-action").fill("auth.login")
    page.keyboard.press("Escape")
    page.get_by_test_id("audit-yesterday").click()
    page.get_by_test_id("audit-submit").click()
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(1, timeout=WAIT)
    expect(rows.first).to_contain_text("10.20.30.40")
    expect(rows.first).to_have_attribute("data-action", "auth.login")
    export = page.get_by_test_id("audit-export-csv")
    expect(export).to_have_attribute("href", re.compile(r"^/api/audit/export\?format=csv&person=Aliya&action=auth"))

    page.get_by_test_id("chain-verify").click()
    expect(page.get_by_test_id("chain-verdict")).to_have_attribute("data-ok", "true", timeout=WAIT)

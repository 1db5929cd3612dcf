"""The operator shell in real Chromium: sign in, see the desks, switch language, sign out."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, ROOT

pytestmark = pytest.mark.browser
LOCALES = {lang: json.loads((ROOT / "web" / "src" / "locales" / f"{lang}.json").read_text(encoding="utf-8"))
           for lang in ("kk", "ru", "en")}


def _text(lang: str, dotted: str) -> str:
    node = LOCALES[lang]
    for part in dotted.split("."):
        node = node[part]
    assert isinstance(node, str)
    return node


def _sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def test_wrong_password_is_refused_with_a_clear_message(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_test_id("lang-en").click()
    _sign_in(page, live_server, "chief", "not-the-password")
    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible(timeout=15_000)
    expect(error).to_contain_text(_text("en", "errors.auth.invalid_credentials"))
    expect(page.get_by_test_id("app-shell")).to_have_count(0)


def test_sign_in_shell_language_and_sign_out(page: Page, live_server: str, tmp_path: Path) -> None:
    page.goto(live_server + "/")
    page.get_by_test_id("lang-ru").click()
    _sign_in(page, live_server, "chief", PASSWORD)
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=20_000)
    for desk in ("map", "alarms", "incidents", "units", "video", "admin"):
        expect(page.get_by_test_id(f"nav-{desk}")).to_be_visible()
    expect(page.get_by_test_id("conn-indicator")).to_have_attribute("data-state", "open", timeout=20_000)
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("user-role")).to_contain_text(_text("ru", "roles.admin"))
    page.keyboard.press("Escape")

    page.get_by_test_id("nav-alarms").click()
    expect(page.get_by_test_id("page-title")).to_have_text(_text("ru", "nav.alarms"))
    page.get_by_test_id("lang-kk").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_test_id("page-title")).to_have_text(_text("kk", "nav.alarms"))
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("page-title")).to_have_text(_text("en", "nav.alarms"))
    page.screenshot(path=str(tmp_path / "shell.png"))

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible(timeout=15_000)
    page.reload()
    expect(page.get_by_test_id("login-form")).to_be_visible(timeout=15_000)


def test_operator_does_not_see_admin(page: Page, live_server: str) -> None:
    _sign_in(page, live_server, "op", PASSWORD)
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("nav-alarms")).to_be_visible()
    expect(page.get_by_test_id("nav-admin")).to_have_count(0)

"""The SIMULATION banner in real Chromium: it appears on the desks and the unit app when a run starts, and goes
when it ends, without a reload."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD, ROOT
from tests.server import cli_env, run_cli, running_server

pytestmark = pytest.mark.browser
WAIT = 30_000
EN = json.loads((ROOT / "web" / "src" / "locales" / "en.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sim_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with an admin `chief`, an operator `op` and a patrol `pat`; runs are not given up for 10 min."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = tmp_path_factory.mktemp("simulation")
    env = cli_env(data / "var", f"sqlite:///{data}/qorgau.db", QORGAU_SIMULATION_LOST_AFTER_S="600")
    for command in (["migrate"], ["user", "add", "chief", "--role", "admin"], ["user", "add", "op", "--role",
                    "operator"], ["user", "add", "pat", "--role", "patrol"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    with running_server(env, Path(data) / "server.log") as base:
        yield base


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_test_id("lang-en").click()
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()


def test_the_banner_comes_and_goes_with_a_run(page: Page, browser: Browser, sim_server: str) -> None:
    _sign_in(page, sim_server + "/", "op")
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("conn-indicator")).to_have_attribute("data-state", "open", timeout=WAIT)
    phone = browser.new_context(base_url=sim_server, viewport={"width": 412, "height": 860})
    try:
        unit_page = phone.new_page()
        _sign_in(unit_page, sim_server + "/unit", "pat")
        expect(unit_page.get_by_test_id("unit-app")).to_be_visible(timeout=WAIT)
        expect(unit_page.get_by_test_id("unit-header")).to_be_visible(timeout=WAIT)
        pages = (page, unit_page)
        for p in pages:
            expect(p.get_by_test_id("simulation-banner")).to_have_count(0)

        with httpx.Client(base_url=sim_server, timeout=30) as api:
            signed = api.post("/api/auth/login", json={"username": "chief", "password": PASSWORD})
            assert signed.status_code == 200, signed.text
            api.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
            started = api.post("/api/simulation/runs", json={"name": "browser-test", "seed": 1, "scale": 1.0})
            assert started.status_code == 201, started.text
            run_id = started.json()["id"]
            for p in pages:
                banner = p.get_by_test_id("simulation-banner")
                expect(banner).to_be_visible(timeout=WAIT)
                expect(banner).to_contain_text(EN["simulation"]["banner"]["title"])
            ended = api.post(f"/api/simulation/runs/{run_id}/end", json={"summary": {}})
            assert ended.status_code == 200, ended.text
        for p in pages:
            expect(p.get_by_test_id("simulation-banner")).to_have_count(0, timeout=WAIT)
        expect(page.get_by_test_id("app-shell")).to_be_visible()
    finally:
        phone.close()

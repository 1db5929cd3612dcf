"""The roads desk in real Chromium: a supervisor sees an imported watch list, adds an entry with a reason, and a
search without a reason cannot be sent while one with it reaches the server (which audits it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, ROOT
from tests.server import cli_env, run_cli, running_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def roads_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = tmp_path_factory.mktemp("roads-browser")
    lists = data / "lists.csv"
    lists.write_text("list,kind,pattern,reason\nРозыск,wanted,123ABC02,ориентировка 17\n", encoding="utf-8")
    env = cli_env(data / "var", f"sqlite:///{data}/qorgau.db")
    for command in (["migrate"], ["user", "add", "boss", "--role", "supervisor", "--display-name", "Supervisor"],
                    ["roads", "import-watchlists", str(lists), "--reason", "bulletin 5"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    with running_server(env, Path(data) / "server.log") as base:
        yield base


@pytest.mark.timeout(60)
def test_watch_lists_and_a_search_with_its_reason(page: Page, roads_server: str) -> None:
    page.goto(roads_server + "/")
    page.get_by_test_id("login-username").fill("boss")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.get_by_test_id("nav-roads").click()
    search = page.get_by_test_id("roads-search")
    expect(search).to_be_disabled()  # no reason, no search
    page.get_by_test_id("roads-plate").fill("123*")
    page.get_by_test_id("roads-reason").fill("заявка 12/7")
    expect(search).to_be_enabled()
    search.click()
    expect(page.get_by_test_id("roads-results")).to_be_visible(timeout=20_000)

    page.get_by_role("tab", name="Списки розыска").click()
    lists = page.get_by_test_id("roads-lists")
    expect(lists).to_contain_text("Розыск")
    lists.get_by_role("cell", name="Розыск").first.click()
    expect(page.get_by_test_id("roads-entries")).to_contain_text("123ABC02")
    page.get_by_label("Номер или шаблон").fill("777*")
    page.get_by_label("Основание").fill("ориентировка 18")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_test_id("roads-entries")).to_contain_text("777*", timeout=20_000)

"""The offences desk in real Chromium on a server seeded like the demo (only generated records): the notice that
says so, the switch that includes them, the headline cards with their АППГ change, the heat map and a drill-down."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.city.conftest import seeded_sqlite_template
from tests.conftest import PASSWORD
from tests.server import cli_env, run_cli, running_server

pytestmark = pytest.mark.browser
__all__ = ["seeded_sqlite_template"]


@pytest.fixture(scope="module")
def offences_server(seeded_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`qorgau serve` on a copy of the Aksai database with its districts, two years of generated offences and an
    analyst `an`."""
    data = tmp_path_factory.mktemp("offences-browser")
    path = data / "qorgau.db"
    path.write_bytes(seeded_sqlite_template.read_bytes())
    env = cli_env(data / "var", f"sqlite:///{path}")
    this_year = date.today().year
    for command in (["districts", "seed-aksai"], ["offences", "generate", "--years", f"{this_year - 1}-{this_year}"],
                    ["user", "add", "an", "--role", "analyst", "--display-name", "Analyst"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    with running_server(env, data / "server.log") as base:
        yield base


@pytest.mark.timeout(60)
def test_offences_desk_shows_headline_and_heat_map(page: Page, offences_server: str) -> None:
    page.goto(offences_server + "/")
    page.get_by_test_id("login-username").fill("an")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.get_by_test_id("nav-offences").click()
    # Generated records never enter a figure unless asked for: the desk says the registry holds nothing else.
    expect(page.get_by_test_id("offences-only-generated")).to_be_visible(timeout=20_000)
    registered = page.locator('[data-testid="offences-card"][data-card="registered"] [data-testid="card-value"]')
    expect(registered).to_have_text("0")
    page.get_by_test_id("offences-include-generated").click()
    expect(page.get_by_test_id("offences-generated-badge")).to_be_visible()
    expect(page.get_by_test_id("offences-only-generated")).to_have_count(0, timeout=20_000)
    expect(registered).not_to_have_text("0", timeout=20_000)
    assert int((registered.text_content() or "0").replace("\u00a0", "").replace(" ", "").replace(",", "")) > 0
    expect(page.get_by_test_id("offences-card")).to_have_count(6)
    cleared = page.locator('[data-testid="offences-card"][data-card="cleared"]')
    expect(cleared.get_by_test_id("card-formula")).to_contain_text("/")
    expect(cleared.get_by_test_id("card-clearance")).to_contain_text(re.compile(r"\d+[,.]\d %"))
    expect(page.get_by_test_id("card-change").first).to_have_attribute("data-tone", re.compile(r"^(good|bad|same)$"))
    heatmap = page.get_by_test_id("offences-heatmap")
    expect(heatmap.locator('[data-testid="heat-cell"]')).to_have_count(7 * 24)
    assert int(heatmap.get_attribute("data-total") or "0") > 0
    # An analyst (offences:read) drills from the crimes card into its records, generated ones marked as such.
    page.locator('[data-testid="offences-card"][data-card="crime"] [data-testid="card-value"]').click()
    rows = page.get_by_test_id("offences-drill").get_by_test_id("drill-row")
    expect(rows.first).to_be_visible(timeout=20_000)
    expect(rows.first).to_contain_text("UK-")

"""The demo start-up path end to end in Chromium: `qorgau demo` (what `./run start` runs) brings up the broker,
the server and the simulator; the desks show the SIMULATION banner, alarms arriving and units moving, and Ctrl-C
stops it all with the run's summary."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, ROOT
from tests.processes import (
    DEMO_HELPERS,
    Demo,
    demo_helpers,
    interrupt_group,
    seed_demo_data,
    start_demo,
    stop_within,
    wait_active,
    wait_gone,
)

# The module's fixture seeds the town and starts the demo; the desk test then waits up to 90 s for the first
# alarm, the Ctrl-C test lets the run play 30 s first.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

WAIT = 30_000  # ms
FIRST_ALARM = 90_000  # ms: the panic of demo-start comes 15 s into the run; the SOS and the turnstile later
MOVES = 60_000  # ms
MIN_RUN_S = 30.0  # the panic (15 s) has gone out over DC-09 before Ctrl-C
EN = json.loads((ROOT / "web" / "src" / "locales" / "en.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Running:
    demo: Demo
    active_since: float  # time.monotonic() when the simulation said active


@contextmanager
def explained(demo: Demo) -> Iterator[None]:
    """Add the demo's logs to any assertion (or Playwright wait) that fails inside."""
    try:
        yield
    except (AssertionError, PlaywrightError) as exc:
        raise AssertionError(f"{exc}\n{demo.logs()}") from exc


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`qorgau demo` prepared as `./run start` prepares it, on free ports, until its simulation is active."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = tmp_path_factory.mktemp("demo")
    var, url = seed_demo_data(data)
    demo = start_demo(var, url, data, "--intensity", "6", "--duty-officer", "20")
    try:
        wait_active(demo)
        yield Running(demo, time.monotonic())
    finally:
        stop_within(demo.process, interrupt_group(demo.process))


def _sign_in(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_test_id("lang-en").click()
    page.get_by_test_id("login-username").fill("chief")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=WAIT)


def _positions(page: Page) -> dict[str, list[str]]:
    """Unit code → [lon, lat] as the unit map's markers carry them."""
    found: dict[str, list[str]] = page.locator("[data-testid=unit-marker]").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.code, [e.dataset.lon, e.dataset.lat]]))")
    return found


def test_the_demo_comes_alive_on_the_desks(page: Page, demo: Running) -> None:
    with explained(demo.demo):
        _sign_in(page, demo.demo.base + "/alarms")
        banner = page.get_by_test_id("simulation-banner")
        expect(banner).to_be_visible(timeout=WAIT)
        expect(banner).to_contain_text(EN["simulation"]["banner"]["title"])

        expect(page.get_by_test_id("alarms-desk")).to_be_visible()
        expect(page.get_by_test_id("conn-indicator")).to_have_attribute("data-state", "open", timeout=WAIT)
        seen = page.locator("[data-testid=alarm-row]").evaluate_all("els => els.map(e => e.dataset.id)")
        new_row = "[data-testid=alarm-row]" + "".join(f":not([data-id='{i}'])" for i in seen)
        expect(page.locator(new_row).first).to_be_visible(timeout=FIRST_ALARM)  # live, no reload

        page.get_by_test_id("nav-units").click()
        expect(page.get_by_test_id("units-desk")).to_be_visible()
        expect(banner).to_be_visible()
        expect(page.locator("[data-testid=unit-row][data-stale=false]").first).to_be_visible(timeout=WAIT)
        expect(page.get_by_test_id("unit-marker").first).to_be_attached(timeout=WAIT)
        before = _positions(page)
        page.wait_for_function(
            """before => [...document.querySelectorAll('[data-testid=unit-marker]')].some(e => {
                 const was = before[e.dataset.code];
                 return was !== undefined && (was[0] !== e.dataset.lon || was[1] !== e.dataset.lat);
               })""", arg=before, timeout=MOVES)
        after = _positions(page)
        moved = [code for code, where in after.items() if code in before and before[code] != where]
        assert moved, f"no unit marker moved: {before} → {after}"


def test_ctrl_c_stops_the_demo_with_its_summary(demo: Running) -> None:
    time.sleep(max(0.0, demo.active_since + MIN_RUN_S - time.monotonic()))
    process = demo.demo.process
    helpers = demo_helpers(process.pid)
    with explained(demo.demo):
        assert len(helpers) == DEMO_HELPERS, helpers
        code, took = stop_within(process, interrupt_group(process))
        assert code == 0, f"qorgau demo ended with {code} after Ctrl-C (None: killed after {took:.0f} s)"
        summary = demo.demo.summary()
        assert summary["ended_by"] == "SIGINT"
        for channel in ("dc09", "mqtt", "http"):
            assert summary[channel]["acked"] > 0, f"{channel}: {summary[channel]}"
        assert summary["dc09"]["failed"] == 0, summary["dc09"]
        assert wait_gone(helpers) == [], "the demo's broker or server outlived it"
        with pytest.raises(httpx.ConnectError):  # the server stopped with the demo
            httpx.get(f"{demo.demo.base}/readyz", timeout=5)

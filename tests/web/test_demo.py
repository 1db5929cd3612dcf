"""The demo start-up path end to end in Chromium: `qorgau demo` (what `./run start` runs) brings up the broker,
the server and the simulator; the desks show the SIMULATION banner, alarms arriving and units moving, and Ctrl-C
stops it all with the run's summary."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, ROOT
from tests.server import QORGAU, cli_env, free_port, run_cli

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms
FIRST_ALARM = 90_000  # ms: the panic of demo-start comes 15 s into the run; the SOS and the turnstile later
MOVES = 60_000  # ms
STOP_S = 60.0
MIN_RUN_S = 30.0  # the panic (15 s) has gone out over DC-09 before Ctrl-C
EN = json.loads((ROOT / "web" / "src" / "locales" / "en.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Demo:
    base: str
    process: subprocess.Popen[bytes]
    stdout: Path
    log: Path
    server_log: Path
    active_since: float  # time.monotonic() when the simulation said active

    def logs(self) -> str:
        """The ends of the demo's log and of its server's log, for failure messages."""
        parts = []
        for path in (self.log, self.stdout, self.server_log):
            text = path.read_text(errors="replace")[-3000:] if path.exists() else "(none)"
            parts.append(f"--- {path.name} ---\n{text}")
        return "\n".join(parts)


@contextmanager
def explained(demo: Demo) -> Iterator[None]:
    """Add the demo's logs to any assertion (or Playwright wait) that fails inside."""
    try:
        yield
    except (AssertionError, PlaywrightError) as exc:
        raise AssertionError(f"{exc}\n{demo.logs()}") from exc


def _sign_in_api(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    answer = client.post("/api/auth/login", json={"username": "chief", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def _wait_active(process: subprocess.Popen[bytes], base: str, logs: Demo) -> None:
    """Wait for /readyz, then for the simulator to announce its run."""
    deadline = time.monotonic() + 180
    client: httpx.Client | None = None
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"qorgau demo exited with {process.returncode}\n{logs.logs()}")
            try:
                if client is None and httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    client = _sign_in_api(base)
                if client is not None and client.get("/api/simulation/status").json()["active"]:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the demo's simulation never became active\n{logs.logs()}")
    finally:
        if client is not None:
            client.close()


def _interrupt(process: subprocess.Popen[bytes]) -> int | None:
    """Ctrl-C as a terminal sends it (to the whole process group); None if it outlives STOP_S and is killed."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    try:
        return process.wait(timeout=STOP_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`qorgau demo` prepared as `./run start` prepares it, on free ports, until its simulation is active."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = tmp_path_factory.mktemp("demo")
    var, url = data / "var", f"sqlite:///{data}/qorgau.db"
    env = cli_env(var, url)
    for command in (["migrate"], ["city", "seed-aksai"], ["devices", "seed-aksai", "--simulated"],
                    ["units", "seed-aksai", "--simulated"], ["user", "add", "chief", "--role", "admin"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, f"{command}: {result.stderr}"
    port, dc09 = free_port(), free_port()
    env = cli_env(var, url, QORGAU_PORT=str(port), QORGAU_INGEST_IN_SERVE="true", QORGAU_DC09_TCP_PORT=str(dc09),
                  QORGAU_DC09_UDP_PORT=str(dc09), QORGAU_SIP_PORT=str(free_port()))
    base = f"http://127.0.0.1:{port}"
    stdout, log = data / "demo.out", data / "demo.log"
    with stdout.open("wb") as out, log.open("wb") as err:
        process = subprocess.Popen([QORGAU, "demo", "--no-live", "--intensity", "6", "--duty-officer", "20"],
                                   env=env, stdout=out, stderr=err, cwd=ROOT, start_new_session=True)
    pending = Demo(base, process, stdout, log, var / "logs" / "server.log", 0.0)
    try:
        _wait_active(process, base, pending)
        yield Demo(base, process, stdout, log, pending.server_log, time.monotonic())
    finally:
        _interrupt(process)


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


def test_the_demo_comes_alive_on_the_desks(page: Page, demo: Demo) -> None:
    with explained(demo):
        _sign_in(page, demo.base + "/alarms")
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


def test_ctrl_c_stops_the_demo_with_its_summary(demo: Demo) -> None:
    time.sleep(max(0.0, demo.active_since + MIN_RUN_S - time.monotonic()))
    with explained(demo):
        code = _interrupt(demo.process)
        assert code == 0, f"qorgau demo ended with {code} after Ctrl-C (None: killed after {STOP_S:.0f} s)"
        text = demo.stdout.read_text()
        try:
            summary = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"no JSON summary on stdout: {text!r}") from exc
        for channel in ("dc09", "mqtt", "http"):
            assert summary[channel]["acked"] > 0, f"{channel}: {summary[channel]}"
        assert summary["dc09"]["failed"] == 0, summary["dc09"]
        with pytest.raises(httpx.ConnectError):  # the server stopped with the demo
            httpx.get(f"{demo.base}/readyz", timeout=5)

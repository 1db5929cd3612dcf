"""The violations desk in real Chromium: two speeding violations with signed evidence wait for review; the
supervisor confirms one with C, rejects the other with R then 2, and the device's rejection share shows 50 %."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from qorgau.audit.service import Actor
from qorgau.audit.signing import load_signer
from qorgau.core.db import Database
from qorgau.devices.models import Device
from qorgau.roads.enforcement import review, service
from qorgau.roads.enforcement.config import EnforcementSettings
from tests.conftest import PASSWORD
from tests.roads.enforcement.synthetic import calibration_pairs, track
from tests.server import cli_env, run_cli, running_server

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ACTOR = Actor(ref="system:test", name="test")


def _violations(url: str, data_dir: Path) -> None:
    database = Database(url)
    signer = load_signer(EnforcementSettings(data_dir=data_dir))  # the server's own key, under its data dir
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    try:
        with database.unit_of_work() as session:
            code = session.scalars(select(Device.code).where(Device.kind == "camera").order_by(Device.code)).first()
            assert code is not None
            service.calibrate(session, device_code=code, image=calibration_pairs()[0], plane=calibration_pairs()[1],
                              actor=ACTOR)
            for seed, speed in ((1, 95.0), (2, 84.0)):
                times, boxes = track(speed, np.random.default_rng(seed))
                capture = review.Capture(device_code=code, times=[start + timedelta(seconds=t) for t in times],
                                         boxes=boxes, images={"before.jpg": b"\xff\xd8", "after.jpg": b"\xff\xd8"},
                                         plate_text=f"{seed}23ABC07", plate_confidence=0.95)
                outcome = review.open_speed(session, capture=capture, limit_kmh=60.0, tolerance_kmh=10.0,
                                            signer=signer, evidence_root=data_dir / "violations", actor=ACTOR)
                assert outcome.violation is not None
    finally:
        database.engine.dispose()


@pytest.fixture(scope="module")
def violations_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = tmp_path_factory.mktemp("violations-browser")
    url = f"sqlite:///{data}/qorgau.db"
    env = cli_env(data / "var", url)
    for command in (["migrate"], ["user", "add", "boss", "--role", "supervisor", "--display-name", "Supervisor"],
                    ["city", "seed-aksai"], ["devices", "seed-aksai"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    _violations(url, data / "var")
    with running_server(env, data / "server.log") as base:
        yield base


@pytest.mark.timeout(90)
def test_review_by_keyboard_and_rejections_per_device(page: Page, violations_server: str) -> None:
    page.goto(violations_server + "/")
    page.get_by_test_id("login-username").fill("boss")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.get_by_test_id("nav-violations").click()
    queue = page.get_by_test_id("violations-queue")
    expect(queue.locator(".mantine-Paper-root")).to_have_count(2, timeout=20_000)
    detail = page.get_by_test_id("violation-detail")
    expect(detail).to_contain_text("123ABC07")
    expect(detail).to_contain_text("592")
    page.keyboard.press("c")
    expect(queue.locator(".mantine-Paper-root")).to_have_count(1)
    expect(detail).to_contain_text("223ABC07")
    page.keyboard.press("r")
    expect(page.get_by_test_id("violation-reasons")).to_be_visible()
    page.keyboard.press("2")
    expect(queue.locator(".mantine-Paper-root")).to_have_count(0)
    page.get_by_text("Devices").or_(page.get_by_text("Устройства")).or_(page.get_by_text("Құрылғылар")).first.click()
    expect(page.get_by_test_id("violations-devices")).to_contain_text("50 %")

"""Video analytics on the desks in real Chromium against a real `qorgau serve`: a video administrator draws a zone on
a camera's picture and saves it (the server's refusal of a wrong class stands beside the classes first), the rule is
listed after a reload; an analytics event stored as the video workers store it becomes an alarm whose card shows
the snapshot (a real frame of vtest.avi with the box drawn) and links to the recording at that moment; the object
search finds the person in the zone by class and zone, and its thumbnail opens playback; a counting line's crossings
show per direction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from qorgau.core.db import Database
from qorgau.devices.models import Device
from qorgau.video.analytics.snapshot import snapshot_jpeg
from qorgau.video.analytics.store import PendingEvent, PendingObject, add_counts, store_events, store_objects
from tests.conftest import PASSWORD, ROOT
from tests.server import cli_env, run_cli, running_server

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

WAIT = 20_000
CAMERA = "CAM-AN1"
OTHER = "CAM-AN2"  # another camera of the same group, for the search across cameras
VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
# Where the clicks land on the picture (0..1): a quadrilateral school yard.
YARD = [(0.2, 0.3), (0.7, 0.25), (0.8, 0.8), (0.25, 0.75)]
DRAGGED = (0.9, 0.85)  # where the third corner is dragged to


@dataclass(frozen=True)
class Desk:
    base: str
    url: str
    data: Path


@contextmanager
def _client(base: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        yield client


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A server on SQLite (no video worker: the camera has no picture now), an admin and a supervisor, one camera."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = tmp_path_factory.mktemp("analytics-desk")
    url = f"sqlite:///{data}/qorgau.db"
    env = cli_env(data / "var", url, QORGAU_SIP_ENABLED="false")
    for command in (["migrate"], ["user", "add", "chief", "--role", "admin"],
                    ["user", "add", "sup", "--role", "supervisor", "--display-name", "Shift Supervisor"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    with running_server(env, data / "server.log") as base:
        with _client(base, "chief") as admin:
            body = {"code": CAMERA, "kind": "camera", "purpose": "public_space", "name_kk": "Мектеп ауласы",
                    "name_ru": "Школьный двор", "lon": 53.03, "lat": 51.17,
                    "stream_main": "rtsp://127.0.0.1:9/main", "stream_sub": "rtsp://127.0.0.1:9/sub",
                    "lifecycle": "commissioned"}
            answer = admin.post("/api/devices", json=body)
            assert answer.status_code == 201, answer.text
            other = body | {"code": OTHER, "name_kk": "Саябақ", "name_ru": "Сквер", "lon": 53.04,
                            "stream_main": "rtsp://127.0.0.2:9/main", "stream_sub": "rtsp://127.0.0.2:9/sub"}
            answer = admin.post("/api/devices", json=other)
            assert answer.status_code == 201, answer.text
        yield Desk(base, url, data)


def _sign_in(page: Page, desk: Desk, path: str, username: str) -> None:
    page.goto(desk.base + path)
    page.get_by_test_id("lang-en").click()
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=WAIT)


def _open_analytics(page: Page) -> None:
    page.get_by_test_id("camera-settings-code").fill(CAMERA)
    page.get_by_test_id("camera-analytics-open").click()
    expect(page.get_by_test_id("analytics-view")).to_have_attribute("data-code", CAMERA, timeout=WAIT)


def _click(page: Page, point: tuple[float, float]) -> None:
    canvas = page.get_by_test_id("rule-canvas")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"])


def test_a_zone_drawn_on_the_picture_is_saved_and_listed_after_reload(page: Page, desk: Desk) -> None:
    _sign_in(page, desk, "/video", "chief")
    _open_analytics(page)
    expect(page.get_by_test_id("analytics-no-rules")).to_be_visible(timeout=WAIT)
    page.get_by_test_id("analytics-new-rule").click()
    for point in YARD:
        _click(page, point)
    expect(page.get_by_test_id("rule-canvas")).to_have_attribute("data-points", "4")
    _click(page, YARD[0])  # a click on the first corner closes the zone
    expect(page.get_by_test_id("rule-canvas")).to_have_attribute("data-drawing", "false")
    expect(page.get_by_test_id("rule-vertex")).to_have_count(4)
    # The third corner dragged to where it belongs.
    vertex = page.locator("[data-testid=rule-vertex][data-index='2']").bounding_box()
    canvas = page.get_by_test_id("rule-canvas").bounding_box()
    assert vertex is not None and canvas is not None
    page.mouse.move(vertex["x"] + vertex["width"] / 2, vertex["y"] + vertex["height"] / 2)
    page.mouse.down()
    page.mouse.move(canvas["x"] + DRAGGED[0] * canvas["width"], canvas["y"] + DRAGGED[1] * canvas["height"], steps=5)
    page.mouse.up()
    page.get_by_test_id("rule-name").fill("School yard at night")

    # A stopped-vehicle rule takes vehicles only: the server's refusal stands beside the classes, translated.
    page.get_by_test_id("rule-kind").click()
    page.get_by_role("option", name="Stopped vehicle").click()
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id("rule-error-classes")).to_be_visible(timeout=WAIT)
    page.get_by_test_id("rule-kind").click()
    page.get_by_role("option", name="Zone entry").click()
    page.get_by_test_id("rule-save").click()

    rule = page.locator("[data-testid=analytics-rule][data-kind=zone]")
    expect(rule.get_by_test_id("analytics-rule-name")).to_have_text("School yard at night", timeout=WAIT)
    page.reload()
    _open_analytics(page)
    expect(rule.get_by_test_id("analytics-rule-name")).to_have_text("School yard at night", timeout=WAIT)
    expect(page.locator("[data-testid=rule-shape][data-kind=zone]")).to_have_count(1)

    with _client(desk.base, "chief") as admin:
        rules = admin.get(f"/api/video/cameras/{CAMERA}/analytics/rules").json()
    assert [(r["kind"], r["classes"]) for r in rules] == [("zone", ["person"])]
    for (x, y), (cx, cy) in zip(rules[0]["points"], [*YARD[:2], DRAGGED, YARD[3]], strict=True):
        assert abs(x - cx) < 0.01 and abs(y - cy) < 0.01, rules[0]["points"]


def _frame() -> Any:
    capture = cv2.VideoCapture(str(VTEST))
    try:
        ok, frame = capture.read()
    finally:
        capture.release()
    assert ok, f"{VTEST} could not be read"
    return frame


def test_an_analytics_alarm_shows_its_snapshot_and_opens_the_recording(page: Page, desk: Desk) -> None:
    with _client(desk.base, "chief") as admin:
        rules = admin.get(f"/api/video/cameras/{CAMERA}/analytics/rules").json()
        if not rules:
            pytest.skip("needs the zone saved by the test before")
        line = admin.post(f"/api/video/cameras/{CAMERA}/analytics/rules", json={
            "name": "Gate", "kind": "line", "points": [[0.1, 0.9], [0.9, 0.9]], "classes": ["person"], "alert": False})
        assert line.status_code == 201, line.text
    rule = rules[0]
    at = datetime.now(UTC).replace(microsecond=0)
    box = (0.31, 0.36, 0.38, 0.56)  # the man on the grass in vtest.avi's first frame
    frame = _frame()
    root = desk.data / "var" / "video" / "analytics"

    def event(track_id: int, when: datetime) -> PendingEvent:
        return PendingEvent(device_id=device_id, code=CAMERA, rule_id=rule["id"], rule_name=rule["name"], kind="zone",
                            at=when, label="person", track_id=track_id, count=None, direction=None, box=box,
                            jpeg=snapshot_jpeg(frame, [box], ["person"]))

    database = Database(desk.url)
    try:
        with database.unit_of_work() as session:
            found = session.scalar(select(Device.id).where(Device.code == CAMERA))
            other_id = session.scalar(select(Device.id).where(Device.code == OTHER))
            assert found is not None and other_id is not None
            device_id: int = found
            store_events(session, root=root, events=[event(5, at)])
            # The same person as the object search keeps it: a thumbnail cut from the frame.
            h, w = frame.shape[:2]
            crop = frame[int(box[1] * h):int(box[3] * h), int(box[0] * w):int(box[2] * w)]
            store_objects(session, root=root, objects=[PendingObject(
                device_id=device_id, code=CAMERA, track_id=5, label="person", first_seen=at - timedelta(seconds=20),
                last_seen=at, best_at=at - timedelta(seconds=5), score=0.8, box=box, zones=frozenset({rule["id"]}),
                jpeg=bytes(cv2.imencode(".jpg", crop)[1].tobytes())), PendingObject(
                device_id=other_id, code=OTHER, track_id=9, label="person", first_seen=at - timedelta(seconds=40),
                last_seen=at - timedelta(seconds=30), best_at=at - timedelta(seconds=35), score=0.7, box=box,
                zones=frozenset(), jpeg=bytes(cv2.imencode(".jpg", crop)[1].tobytes()))])
            # Crossings of the gate in the last 5-minute interval: 7 along its arrow, 3 against.
            bucket = at.replace(minute=at.minute - at.minute % 5, second=0)
            add_counts(session, {(line.json()["id"], bucket, "forward", "person"): 7,
                                 (line.json()["id"], bucket, "backward", "person"): 3})
    finally:
        database.engine.dispose()

    _sign_in(page, desk, "/alarms", "sup")
    row = page.locator("[data-testid=alarm-row]").first
    expect(row.get_by_test_id("alarm-kind")).to_have_text("Intrusion into a zone (video)", timeout=WAIT)
    row.click()
    card = page.get_by_test_id("alarm-analytics")
    expect(card.get_by_test_id("alarm-analytics-rule")).to_have_text("School yard at night", timeout=WAIT)
    expect(card.get_by_test_id("alarm-analytics-what")).to_contain_text("Person")
    snapshot = card.get_by_test_id("alarm-analytics-snapshot")
    expect(snapshot).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=snapshot.element_handle(), timeout=WAIT)
    assert snapshot.evaluate("img => img.naturalWidth") == 768  # vtest.avi's frame, served by the API
    link = card.get_by_test_id("alarm-analytics-recording")
    href = link.get_attribute("href") or ""
    assert f"cameras={CAMERA}" in href and "at=" in href, href
    link.click()
    expect(page.get_by_test_id("playback-view")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("playback-cameras")).to_contain_text(CAMERA)

    # Object search on that camera: persons in its zone in the last hour; the thumbnail opens playback there.
    page.get_by_test_id("video-tab-search").click()
    expect(page.get_by_test_id("object-search-camera")).to_have_text(CAMERA)
    page.get_by_test_id("object-search-class").click()
    page.get_by_role("option", name="Person").click()
    page.get_by_test_id("object-search-zone").click()
    page.get_by_role("option", name="School yard at night").click()
    page.get_by_test_id("object-search-run").click()
    result = page.locator("[data-testid=object-result][data-label=person]")
    expect(result).to_have_count(1, timeout=WAIT)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=result.locator("img").element_handle(),
                           timeout=WAIT)
    # The same search over the camera's whole group (no zone: zones are the camera's own) finds the person the
    # other camera saw too, each result naming its camera.
    page.get_by_test_id("object-search-zone").click()
    page.get_by_role("option", name="School yard at night").click()  # chosen again: no zone
    page.get_by_test_id("object-search-group").click()
    page.get_by_role("option", name="Public spaces (2)").click()
    page.get_by_test_id("object-search-run").click()
    expect(page.locator("[data-testid=object-result][data-label=person]")).to_have_count(2, timeout=WAIT)
    expect(page.get_by_test_id("object-result-camera")).to_have_text([OTHER, CAMERA])
    result = page.locator("[data-testid=object-result][data-label=person]").nth(1)
    result.click()
    expect(page.get_by_test_id("playback-view")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("playback-cameras")).to_contain_text(CAMERA)

    # The camera's analytics tab: its zone drawn read-only on the picture, and the event with its snapshot.
    page.get_by_test_id("video-tab-analytics").click()
    expect(page.locator("[data-testid=rule-shape][data-kind=zone]")).to_have_count(1, timeout=WAIT)
    expect(page.locator("[data-testid=rule-shape][data-kind=line]").get_by_test_id("rule-arrow")).to_have_count(1)
    expect(page.get_by_test_id("analytics-new-rule")).to_have_count(0)
    expect(page.get_by_test_id("analytics-event")).to_have_count(1, timeout=WAIT)
    # Another hit of the rule arrives over the event stream: the list shows it without a reload.
    database = Database(desk.url)
    try:
        with database.unit_of_work() as session:
            store_events(session, root=root, events=[event(6, datetime.now(UTC))])
    finally:
        database.engine.dispose()
    expect(page.get_by_test_id("analytics-event")).to_have_count(2, timeout=WAIT)
    counts = page.get_by_test_id("line-count")
    expect(counts.get_by_test_id("line-count-forward")).to_have_text("7", timeout=WAIT)
    expect(counts.get_by_test_id("line-count-backward")).to_have_text("3")

"""The video desk in real Chromium against a real server, a real video worker and the real RTSP server: a live tile
decodes frames, a playback seek lands where asked, an export downloads with hashes matching its manifest, and a
user without the camera's permission gets nothing."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, ROOT
from tests.server import QORGAU, cli_env, free_port, run_cli, running_server
from tests.video_peers import rtsp_server

# The module's server, RTSP server and video worker take 20 to 60 s to start on a loaded 2-core machine; that start
# is charged to the first test, so each test here may take up to 180 s (the browser steps take far less).
pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

WAIT = 30_000  # ms: a stream opens upstream (RTSP) before the first frame reaches the browser
CAMERA = "CAM-V1"
SCHOOL_CAMERA = "CAM-V9"  # in the school_interior group: supervisors and inspectors only
LOGIN = ("admin", "secret")


@dataclass(frozen=True)
class VideoDesk:
    base: str
    data: Path


@contextmanager
def _client(base: str, username: str) -> Iterator[httpx.Client]:
    """An API client signed in as ``username``, closed afterwards."""
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        yield client


def _add_camera(admin: httpx.Client, code: str, rtsp: Any, lon: float) -> None:
    body = {"code": code, "kind": "camera", "purpose": "public_space", "name_kk": f"Камера {code}",
            "name_ru": f"Камера {code}", "lon": lon, "lat": 51.17, "stream_main": rtsp.url(code, "main"),
            "stream_sub": rtsp.url(code, "sub"), "username": LOGIN[0], "password": LOGIN[1],
            "lifecycle": "commissioned"}
    answer = admin.post("/api/devices", json=body)
    assert answer.status_code == 201, answer.text


def _wait_recorded(client: httpx.Client, code: str, seconds: float, timeout_s: float = 40) -> list[dict[str, Any]]:
    """The camera's segments once at least ``seconds`` are recorded."""
    deadline = time.monotonic() + timeout_s
    segments: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        now = datetime.now(UTC)
        answer = client.get(f"/api/video/cameras/{code}/segments",
                            params={"from": (now - timedelta(minutes=10)).isoformat(), "to": now.isoformat()})
        if answer.status_code == 200:  # 404 while nothing is recorded
            segments = answer.json()["segments"]
            if segments and _ms(segments[-1]["end_at"]) - _ms(segments[0]["start_at"]) >= seconds * 1000:
                return segments
        time.sleep(1)
    raise AssertionError(f"{code}: not {seconds} s recorded in {timeout_s} s (segments: {segments})")


def _wait_streaming(client: httpx.Client, code: str, timeout_s: float = 60) -> None:
    """Until the worker reports the camera streaming (it records it, so it pulls the stream from the start)."""
    deadline = time.monotonic() + timeout_s
    state = None
    while time.monotonic() < deadline:
        state = client.get(f"/api/video/cameras/{code}").json().get("state")
        if state == "streaming":
            return
        time.sleep(0.5)
    raise AssertionError(f"{code} is {state}, not streaming, after {timeout_s} s")


def _ms(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


@pytest.fixture(scope="module")
def video_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VideoDesk]:
    """`qorgau serve` and `qorgau video run` (one worker, 2 s segments) on SQLite, three cameras on the RTSP server
    (two recorded; the school camera not)."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = tmp_path_factory.mktemp("video-desk")
    url = f"sqlite:///{data}/qorgau.db"
    env = cli_env(data / "var", url, QORGAU_VIDEO_WORKERS="1", QORGAU_VIDEO_SEGMENT_S="2",
                  QORGAU_VIDEO_LIVE_PORT=str(free_port()), QORGAU_VIDEO_STATUS_INTERVAL_S="0.5",
                  QORGAU_VIDEO_RECORDING_MODE="continuous", QORGAU_SIP_ENABLED="false")
    for command in (["migrate"], ["user", "add", "chief", "--role", "admin"],
                    ["user", "add", "sup", "--role", "supervisor", "--display-name", "Shift Supervisor"],
                    ["user", "add", "op", "--role", "operator", "--display-name", "Duty Operator"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    cameras = {code: LOGIN for code in (CAMERA, "CAM-V2", SCHOOL_CAMERA)}
    with rtsp_server(data, cameras) as rtsp, running_server(env, data / "server.log") as base:
        with _client(base, "chief") as admin:
            for i, code in enumerate(cameras):
                _add_camera(admin, code, rtsp, 53.03 + i * 0.001)
            answer = admin.put(f"/api/video/cameras/{SCHOOL_CAMERA}/settings",
                               json={"group": "school_interior", "recording_mode": "off"})
            assert answer.status_code == 200, answer.text
        with (data / "video.log").open("wb") as log:
            worker = subprocess.Popen([QORGAU, "video", "run"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                      cwd=ROOT)
        try:
            with _client(base, "sup") as sup:
                _wait_streaming(sup, CAMERA)
            yield VideoDesk(base, data)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def _sign_in(page: Page, desk: VideoDesk, path: str, username: str = "sup") -> None:
    page.goto(desk.base + path)
    page.get_by_test_id("lang-en").click()
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible(timeout=20_000)


def _decoded_frames(page: Page, selector: str) -> int:
    return int(page.eval_on_selector(selector, "v => v.getVideoPlaybackQuality().totalVideoFrames"))


def test_a_live_tile_plays_real_frames(page: Page, video_desk: VideoDesk) -> None:
    _sign_in(page, video_desk, f"/video?cameras={CAMERA}")
    tile = page.locator(f"[data-testid=wall-tile][data-code='{CAMERA}']")
    expect(tile.get_by_test_id("live-player")).to_have_attribute("data-status", "playing", timeout=WAIT)
    video = f"[data-testid=wall-tile][data-code='{CAMERA}'] video"
    first = _decoded_frames(page, video)
    page.wait_for_timeout(2000)
    later = _decoded_frames(page, video)
    # The sub-stream clip runs at 25 fps: two seconds are about 50 frames; a frozen player adds none.
    assert later - first >= 20, (first, later)
    # Low delay: the player keeps within about a second of the newest frame it holds.
    lag = page.eval_on_selector(
        video, "v => v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 99")
    assert lag < 1.5, lag


def test_a_playback_seek_lands_where_asked(page: Page, video_desk: VideoDesk) -> None:
    with _client(video_desk.base, "sup") as sup:
        segments = _wait_recorded(sup, CAMERA, 8)
    start = _ms(segments[0]["start_at"])
    # An event 30 s after the recording began: playback opens 30 s before it, on a one-minute time line.
    at = datetime.fromtimestamp((start + 30_000) / 1000, UTC).isoformat().replace("+00:00", "Z")
    _sign_in(page, video_desk, f"/video?cameras={CAMERA}&at={at}")
    timeline = page.get_by_test_id("playback-timeline")
    expect(timeline).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("timeline-recorded").first).to_be_visible(timeout=WAIT)
    from_ms = int(timeline.get_attribute("data-from-ms") or 0)
    to_ms = int(timeline.get_attribute("data-to-ms") or 0)
    assert from_ms == start
    target = start + 5_000
    box = timeline.bounding_box()
    assert box is not None
    timeline.click(position={"x": box["width"] * (target - from_ms) / (to_ms - from_ms), "y": 5})
    video = "[data-testid=playback-video]"
    landed = (f"() => {{ const v = document.querySelector('{video}'); return v && !v.seeking && v.readyState >= 2"
              f" && Math.abs({from_ms} + v.currentTime * 1000 - {target}) < 1000; }}")
    page.wait_for_function(landed, timeout=WAIT)
    shown = int(page.get_by_test_id("playback-time").get_attribute("data-ms") or 0)
    assert abs(shown - target) < 1000, (shown, target)
    # Playing on from there: the clock moves and frames are decoded.
    page.get_by_test_id("playback-toggle").click()
    page.wait_for_function(f"() => document.querySelector('{video}').currentTime * 1000 > {target - from_ms + 1000}",
                           timeout=WAIT)
    assert _decoded_frames(page, video) > 0
    # Speeds change the rate; a frame step pauses and moves by one frame (the recording's 25 to 30 fps).
    page.get_by_test_id("playback-speed").get_by_text("×4").click()
    assert page.eval_on_selector(video, "v => v.playbackRate") == 4
    page.get_by_test_id("playback-toggle").click()
    page.wait_for_function(f"() => document.querySelector('{video}').paused", timeout=WAIT)
    before = page.eval_on_selector(video, "v => v.currentTime")
    page.get_by_test_id("playback-step-forward").click()
    page.wait_for_function(f"() => !document.querySelector('{video}').seeking", timeout=WAIT)
    step = page.eval_on_selector(video, "v => v.currentTime") - before
    assert 0.02 < step < 0.05, step


def test_an_export_downloads_with_hashes_matching_its_manifest(page: Page, video_desk: VideoDesk,
                                                               tmp_path: Path) -> None:
    with _client(video_desk.base, "sup") as sup:
        segments = _wait_recorded(sup, CAMERA, 6)
    start = _ms(segments[0]["start_at"])
    at = datetime.fromtimestamp((start + 30_000) / 1000, UTC).isoformat().replace("+00:00", "Z")
    _sign_in(page, video_desk, f"/video?cameras={CAMERA}&at={at}")
    page.get_by_test_id("export-open").click()
    expect(page.get_by_test_id("export-submit")).to_be_disabled()  # the reason is required
    page.get_by_test_id("export-reason").fill("Evidence for the browser test")
    page.get_by_test_id("export-submit").click()
    row = page.get_by_test_id("export-row").first
    expect(row).to_have_attribute("data-state", "done", timeout=WAIT)
    with page.expect_download() as download_info:
        row.get_by_test_id("export-download").click()
    path = tmp_path / "export.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        names = {Path(name).name: name for name in archive.namelist() if not name.endswith("/")}
        manifest = json.loads(archive.read(names["manifest.json"]))
        files = [f for camera in manifest["cameras"] for f in camera["files"]]
        assert files, manifest
        for entry in files:
            content = archive.read(names[entry["name"]])
            assert len(content) == entry["bytes"]
            assert hashlib.sha256(content).hexdigest() == entry["sha256"]
    assert manifest["reason"] == "Evidence for the browser test"
    assert [c["code"] for c in manifest["cameras"]] == [CAMERA]


def test_a_user_without_the_cameras_permission_gets_nothing(page: Page, video_desk: VideoDesk) -> None:
    with _client(video_desk.base, "op") as op:
        assert op.get(f"/api/video/cameras/{SCHOOL_CAMERA}").status_code == 404
        listed = [c["code"] for c in op.get("/api/video/cameras").json()["items"]]
        assert CAMERA in listed and SCHOOL_CAMERA not in listed
    _sign_in(page, video_desk, f"/video?cameras={SCHOOL_CAMERA}", username="op")
    expect(page.locator(f"[data-testid=video-camera][data-code='{CAMERA}']")).to_be_visible(timeout=WAIT)
    expect(page.locator(f"[data-testid=video-camera][data-code='{SCHOOL_CAMERA}']")).to_have_count(0)
    # A tile asked for it by link is refused: no picture, and the socket is closed without a single media message.
    player = page.locator(f"[data-testid=wall-tile][data-code='{SCHOOL_CAMERA}'] [data-testid=live-player]")
    expect(player).to_have_attribute("data-status", "refused", timeout=WAIT)
    assert _decoded_frames(page, f"[data-testid=wall-tile][data-code='{SCHOOL_CAMERA}'] video") == 0
    result = page.evaluate(
        """code => new Promise(resolve => {
               const ws = new WebSocket(`ws://${location.host}/api/video/cameras/${code}/live?stream=sub`);
               const texts = []; let media = 0;
               ws.onmessage = (e) => {
                   if (typeof e.data === "string") texts.push(JSON.parse(e.data)); else media += 1;
               };
               ws.onclose = (e) => resolve({ code: e.code, reason: e.reason, texts, media });
               setTimeout(() => resolve({ code: -1, texts, media }), 10000);
           })""",
        SCHOOL_CAMERA,
    )
    # Refused as if it did not exist: no media, no MIME type, only the error.
    assert result["code"] == 4404 and result["reason"] == "video.camera_not_found", result
    assert result["media"] == 0 and [t.get("error") for t in result["texts"]] == ["video.camera_not_found"], result
    # The supervisor, whose role the group admits, sees it.
    page.context.clear_cookies()
    _sign_in(page, video_desk, "/video", username="sup")
    expect(page.locator(f"[data-testid=video-camera][data-code='{SCHOOL_CAMERA}']")).to_be_visible(timeout=WAIT)


def test_a_saved_wall_comes_back_with_its_layout_and_tiles(page: Page, video_desk: VideoDesk) -> None:
    _sign_in(page, video_desk, "/video")
    page.get_by_test_id("wall-layout").get_by_text("2×2").click()
    page.locator(f"[data-testid=video-camera][data-code='{CAMERA}']").click()
    page.locator("[data-testid=wall-tile][data-index='3']").click()
    page.locator("[data-testid=video-camera][data-code='CAM-V2']").click()
    page.locator("[data-testid=wall-tile][data-index='2'] [data-testid=tile-follow]").click()
    page.get_by_test_id("wall-name").fill("Night shift")
    page.get_by_test_id("wall-save").click()
    expect(page.get_by_test_id("wall-delete")).to_be_visible(timeout=WAIT)
    with _client(video_desk.base, "sup") as sup:
        walls = sup.get("/api/video/walls").json()
    wall = next(w for w in walls if w["name"] == "Night shift")
    assert wall["layout"] == "2x2" and not wall["shared"]
    assert [(t["camera"], t["follow_alarms"]) for t in wall["tiles"]] == [
        (CAMERA, False), (None, False), (None, True), ("CAM-V2", False)]
    page.reload()
    expect(page.locator("[data-testid=wall-tile]")).to_have_count(1, timeout=WAIT)
    page.get_by_test_id("wall-select").click()
    page.get_by_role("option", name="Night shift").click()
    expect(page.get_by_test_id("video-wall")).to_have_attribute("data-layout", "2x2")
    codes = page.locator("[data-testid=wall-tile]").evaluate_all("tiles => tiles.map(t => t.dataset.code)")
    assert codes[0] == CAMERA and codes[3] == "CAM-V2" and codes[1] == "", codes
    expect(page.locator("[data-testid=wall-tile][data-index='2']")).to_have_attribute("data-follow", "1")


def test_two_cameras_play_back_in_step(page: Page, video_desk: VideoDesk) -> None:
    with _client(video_desk.base, "sup") as sup:
        starts = [_ms(_wait_recorded(sup, code, 6)[0]["start_at"]) for code in (CAMERA, "CAM-V2")]
    at = datetime.fromtimestamp((max(starts) + 30_000) / 1000, UTC).isoformat().replace("+00:00", "Z")
    _sign_in(page, video_desk, f"/video?cameras={CAMERA},CAM-V2&at={at}")
    expect(page.get_by_test_id("playback-video")).to_have_count(2, timeout=WAIT)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=playback-video]')]"
                           ".every(v => v.readyState >= 2)", timeout=WAIT)
    page.get_by_test_id("playback-toggle").click()
    page.wait_for_function("() => document.querySelector('[data-testid=playback-video]').currentTime > 3",
                           timeout=WAIT)
    # One master clock: the second camera is kept within 0.2 s of the first (sampled within one frame).
    times = page.evaluate("() => [...document.querySelectorAll('[data-testid=playback-video]')]"
                          ".map(v => v.currentTime)")
    assert abs(times[0] - times[1]) < 0.3, times

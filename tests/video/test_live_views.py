"""Live view and snapshots through the real app and a real video worker running the relay on a file camera."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.settings import Settings
from qorgau.video.models import VideoCamera
from qorgau.video.relay import RelayFeature
from qorgau.video.transcode import freeze_masks, mask_array
from qorgau.video.worker import Worker
from tests.conftest import login, make_user
from tests.video.conftest import add_camera, alias, wait_for
from tests.video.live_media import decode_all

TOP_LEFT = [[[0.0, 0.0], [0.5, 0.0], [0.5, 0.5], [0.0, 0.5]]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RunningWorker:
    """A video worker (one of one) with the relay feature, in a thread with its own event loop."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.relay = RelayFeature()
        self.worker = Worker(settings, db, features=[self.relay])
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        port = settings.video_live_port
        wait_for(lambda: _listening(port), timeout=10, what="the relay port")

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self.worker.run(self.stop))
        finally:
            self.loop.close()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "video_live_port": _free_port(), "video_workers": 1, "video_status_interval_s": 0.3,
        "video_connect_timeout_s": 2.0, "video_no_video_after_s": 1.5, "video_idle_stop_s": 0.3,
        "shutdown_grace_s": 3})


@pytest.fixture
def live_client(live_settings: Settings) -> Iterator[TestClient]:
    from qorgau.runtime.server import create_app

    with TestClient(create_app(live_settings), base_url="http://testserver") as client:
        yield client


def _audit(db: Database, action: str) -> list[AuditRecord]:
    with db.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def _receive_live(client: TestClient, code: str, frames: int) -> tuple[dict[str, Any], list[bytes]]:
    with client.websocket_connect(f"/api/video/cameras/{code}/live?stream=sub") as ws:
        first = json.loads(ws.receive_text())
        return first, [ws.receive_bytes() for _ in range(frames)]


@pytest.mark.timeout(60)  # a worker and a server on two databases, each streaming a camera for a few seconds
def test_live_view_relays_fmp4_from_the_worker_and_is_audited(
        db: Database, live_settings: Settings, live_client: TestClient, clips: dict[str, Path],
        tmp_path: Path) -> None:
    plain = add_camera(db, "CAM-L1", main=alias(clips["mp4"], "l1"), sub=alias(clips["mp4"], "l1s"))
    masked = add_camera(db, "CAM-L2", main=alias(clips["mp4"], "l2"), sub=alias(clips["mp4"], "l2s"))
    add_camera(db, "CAM-L4", main="rtsp://127.0.0.1:9/main", sub="rtsp://127.0.0.1:9/sub")  # nobody answers
    with db.unit_of_work() as session:
        session.add(VideoCamera(device_id=masked, privacy_masks=TOP_LEFT, updated_at=utcnow()))
    make_user(db, "op", "operator")
    make_user(db, "analyst", "analyst")
    make_user(db, "chief", "admin")
    worker = RunningWorker(live_settings, db)
    try:
        login(live_client, "op")
        began = time.monotonic()
        first, messages = _receive_live(live_client, "CAM-L1", 31)
        took = time.monotonic() - began
        assert first["mime"].startswith('video/mp4; codecs="avc1.')
        assert messages[0][4:8] == b"ftyp" and all(m[4:8] == b"moof" for m in messages[1:])
        frames = decode_all(b"".join(messages), tmp_path)
        assert len(frames) == 30 and frames[0].key_frame
        assert took < 6  # a file camera paced in real time: 30 frames at 30 fps plus the opening
        wait_for(lambda: _audit(db, "video.live"), what="the live view's audit entry")
        entry = _audit(db, "video.live")[0]
        assert entry.target_id == "CAM-L1" and entry.actor_name == "op" and entry.outcome == "success"
        assert entry.details["stream"] == "sub" and entry.details["duration_s"] >= 0.5
        assert entry.details["from"] < entry.details["to"]
        wait_for(lambda: worker.relay.live is not None and worker.relay.live.viewers() == 0,
                 what="the relay's viewer to leave")
        assert worker.relay.delay_percentiles()["p95"] < 0.5

        # Masks always apply in live view: the masked camera comes transcoded with its region black.
        _, masked_messages = _receive_live(live_client, "CAM-L2", 16)
        masked_frames = decode_all(b"".join(masked_messages), tmp_path)
        mask = mask_array(masked_frames[0].width, masked_frames[0].height, freeze_masks(TOP_LEFT))
        luma = masked_frames[-1].to_ndarray(format="gray")
        assert luma[mask].max() < 20 and luma[~mask].mean() > 40

        # A snapshot: a JPEG of the newest key frame, masks applied.
        response = live_client.get("/api/video/cameras/CAM-L2/snapshot.jpg")
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
        jpeg = tmp_path / "snap.jpg"
        jpeg.write_bytes(response.content)
        container: Any = av.open(str(jpeg))
        with container:
            still = next(container.decode(video=0)).to_ndarray(format="gray")
        assert still[mask].max() < 30 and still[~mask].mean() > 40
        assert _audit(db, "video.snapshot") == []  # thumbnails (sub) are not audited, full-size ones are
        assert live_client.get("/api/video/cameras/CAM-L1/snapshot.jpg?stream=main").status_code == 200
        assert len(_audit(db, "video.snapshot")) == 1

        # Without the permission: refused before anything streams; an unknown camera: 4404 with a reason.
        live_client.post("/api/auth/logout")
        login(live_client, "analyst")
        with pytest.raises(WebSocketDisconnect), live_client.websocket_connect(
                "/api/video/cameras/CAM-L1/live") as ws:
            ws.receive_text()
        assert live_client.get("/api/video/cameras/CAM-L1/snapshot.jpg").status_code == 403
        live_client.post("/api/auth/logout")
        # A video administrator (no video:view) gets the masked sub-stream picture to draw masks and rules on,
        # not the evidence-grade main stream.
        login(live_client, "chief")
        admin_still = live_client.get("/api/video/cameras/CAM-L2/snapshot.jpg")
        assert admin_still.status_code == 200 and admin_still.headers["content-type"] == "image/jpeg"
        assert live_client.get("/api/video/cameras/CAM-L1/snapshot.jpg?stream=main").status_code == 403
        live_client.post("/api/auth/logout")
        login(live_client, "op")
        with live_client.websocket_connect("/api/video/cameras/NOPE/live") as ws:
            error = json.loads(ws.receive_text())
            assert error["error"] == "video.camera_not_found" and error["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
            assert closed.value.code == 4404
        # A camera that cannot stream: its state, translated, and a close the player retries later.
        with live_client.websocket_connect("/api/video/cameras/CAM-L4/live",
                                           headers={"accept-language": "ru"}) as ws:
            error = json.loads(ws.receive_text())
            assert error["error"] == "video.stream_unavailable" and error["state"] == "unreachable"
            assert "unreachable" in error["message"] and "Поток камеры" in error["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
            assert closed.value.code == 4503 and closed.value.reason == "video.stream_unavailable"
        assert plain
    finally:
        worker.close()


@pytest.mark.timeout(30)
def test_no_worker_running_is_a_clear_close(db: Database, live_client: TestClient, clips: dict[str, Path]) -> None:
    add_camera(db, "CAM-L3", main=alias(clips["mp4"], "l3"))
    make_user(db, "op", "operator")
    login(live_client, "op")
    with live_client.websocket_connect("/api/video/cameras/CAM-L3/live") as ws:
        error = json.loads(ws.receive_text())
        assert error["error"] == "video.worker_unavailable"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 4503 and closed.value.reason == "video.worker_unavailable"
    response = live_client.get("/api/video/cameras/CAM-L3/snapshot.jpg", headers={"accept-language": "kk"})
    assert response.status_code == 503 and response.json()["code"] == "video.worker_unavailable"
    entry = _audit(db, "video.live")[0]
    assert entry.outcome == "failure" and entry.details["error"] == "video.worker_unavailable"


@pytest.mark.timeout(60)  # an RTSP server, a worker and a server; H.265 main transcoded for a few seconds
def test_rtsp_camera_shared_upstream_h265_transcoded_and_not_pulled_when_unwatched(
        db: Database, live_settings: Settings, live_client: TestClient, tmp_path: Path) -> None:
    from tests.video_peers import rtsp_server

    with rtsp_server(tmp_path, {"CAM-R1": ("viewer", "s3cret")}, h265={"CAM-R1"}) as cams:
        add_camera(db, "CAM-R1", main=cams.url("CAM-R1", "main"), sub=cams.url("CAM-R1", "sub"),
                   username="viewer", password="s3cret")
        make_user(db, "op", "operator")
        worker = RunningWorker(live_settings, db)
        try:
            login(live_client, "op")
            with live_client.websocket_connect("/api/video/cameras/CAM-R1/live?stream=sub") as one, \
                    live_client.websocket_connect("/api/video/cameras/CAM-R1/live?stream=sub") as two:
                assert json.loads(one.receive_text())["mime"] == json.loads(two.receive_text())["mime"]
                for _ in range(20):
                    one.receive_bytes()
                    two.receive_bytes()
                assert cams.clients("CAM-R1") == 1  # two viewers, one upstream
            # The H.265 main stream plays in the browser as H.264, transcoded on demand.
            first, messages = _receive_live_stream(live_client, "CAM-R1", "main", 40)
            assert first["mime"].startswith('video/mp4; codecs="avc1.')
            frames = decode_all(b"".join(messages), tmp_path)
            assert len(frames) == 39 and frames[0].key_frame and frames[0].width == 1280
            delays = worker.relay.delay_percentiles()
            assert delays["p95"] < 1.0, delays
            wait_for(lambda: cams.clients("CAM-R1") == 0, timeout=10, what="the unwatched stream to close")
        finally:
            worker.close()


def _receive_live_stream(client: TestClient, code: str, stream: str, count: int
                         ) -> tuple[dict[str, Any], list[bytes]]:
    with client.websocket_connect(f"/api/video/cameras/{code}/live?stream={stream}") as ws:
        first = json.loads(ws.receive_text())
        return first, [ws.receive_bytes() for _ in range(count)]

"""The playback API over real recorded segments: timeline, segment lists, files with Range, audited sessions."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.settings import Settings
from qorgau.video import recordings, segments
from qorgau.video.models import VideoCamera
from tests.conftest import login, make_user
from tests.video.rec_packets import T0, add_camera, make_h264, record


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264(tmp_path_factory.mktemp("clip") / "road.mp4", seconds=8.0, gop=15)


def _iso(at: Any) -> str:
    return str(at.isoformat())


@pytest.fixture
def recorded(app_db: Database, settings: Settings, clip: Path) -> list[Any]:
    """Two recordings of CAM-0001 (at T0 and T0 + 1 min, 8 s each) indexed on the default volume."""
    device_id = add_camera(app_db)
    add_camera(app_db, "CAM-0002", east_m=40)
    root = settings.volumes()[0].path
    closed = [*record(clip, root, device_id=device_id, code="CAM-0001", volume="local"),
              *record(clip, root, device_id=device_id, code="CAM-0001", volume="local",
                      wall0=T0 + timedelta(minutes=1))]
    with app_db.unit_of_work() as session:
        for item in closed:
            segments.insert(session=session, closed=item)
    return closed


@pytest.fixture
def operator(client: TestClient, app_db: Database) -> TestClient:
    make_user(app_db, "op", "operator")
    login(client, "op")
    return client


def test_timeline_merges_adjacent_segments_and_lists_gaps(operator: TestClient, recorded: list[Any]) -> None:
    response = operator.get("/api/video/cameras/CAM-0001/timeline",
                            params={"from": _iso(T0 - timedelta(seconds=10)), "to": _iso(T0 + timedelta(minutes=2))})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(s["start_at"], s["end_at"]) for s in body["recorded"]] == [
        ("2026-12-07T04:00:00Z", "2026-12-07T04:00:08Z"), ("2026-12-07T04:01:00Z", "2026-12-07T04:01:08Z")]
    assert [g["start_at"] for g in body["gaps"]] == [
        "2026-12-07T03:59:50Z", "2026-12-07T04:00:08Z", "2026-12-07T04:01:08Z"]
    assert body["alarms"] == [] and body["incidents"] == []


def test_segments_and_ranges_beyond_the_recording(operator: TestClient, recorded: list[Any]) -> None:
    listed = operator.get("/api/video/cameras/CAM-0001/segments",
                          params={"from": _iso(T0 + timedelta(seconds=5)), "to": _iso(T0 + timedelta(seconds=65))})
    assert listed.status_code == 200
    items = listed.json()["segments"]
    assert len(items) == 3 and items[0]["codec"] == "h264" and items[0]["size"] == recorded[1].bytes
    beyond = operator.get("/api/video/cameras/CAM-0001/segments",
                          params={"from": _iso(T0 + timedelta(hours=1)), "to": _iso(T0 + timedelta(hours=2))})
    assert beyond.status_code == 404 and beyond.json()["code"] == "video.outside_recording"
    assert "04:00:00" in beyond.json()["detail"]
    never = operator.get("/api/video/cameras/CAM-0002/segments",
                         params={"from": _iso(T0), "to": _iso(T0 + timedelta(hours=1))})
    assert never.status_code == 404 and never.json()["code"] == "video.nothing_recorded"
    backwards = operator.get("/api/video/cameras/CAM-0001/timeline",
                             params={"from": _iso(T0), "to": _iso(T0 - timedelta(hours=1))})
    assert backwards.status_code == 422 and backwards.json()["code"] == "video.bad_range"
    naive = operator.get("/api/video/cameras/CAM-0001/timeline",
                         params={"from": "2026-12-07T04:00:00", "to": "2026-12-07T05:00:00"})
    assert naive.status_code == 422
    assert operator.get("/api/video/cameras/NOPE/timeline", params={"from": _iso(T0), "to": _iso(
        T0 + timedelta(hours=1))}).json()["code"] == "video.camera_not_found"


def test_segment_file_with_range_requests(operator: TestClient, recorded: list[Any], settings: Settings) -> None:
    listed = operator.get("/api/video/cameras/CAM-0001/segments",
                          params={"from": _iso(T0), "to": _iso(T0 + timedelta(seconds=3))}).json()["segments"]
    whole = operator.get(f"/api/video/segments/{listed[0]['id']}")
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    on_disk = (settings.volumes()[0].path / recorded[0].path).read_bytes()
    assert whole.content == on_disk
    part = operator.get(f"/api/video/segments/{listed[0]['id']}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == on_disk[100:200]
    assert operator.get("/api/video/segments/999999").json()["code"] == "video.segment_not_found"


def test_a_masked_camera_plays_transcoded(operator: TestClient, recorded: list[Any], app_db: Database,
                                         settings: Settings) -> None:
    with app_db.unit_of_work() as session:
        session.add(VideoCamera(device_id=recorded[0].device_id, privacy_masks=[[[0, 0], [0.5, 0], [0.5, 0.5]]],
                                updated_at=T0))
    seg_id = operator.get("/api/video/cameras/CAM-0001/segments", params={
        "from": _iso(T0), "to": _iso(T0 + timedelta(seconds=3))}).json()["segments"][0]["id"]
    response = operator.get(f"/api/video/segments/{seg_id}")
    assert response.status_code == 200 and response.content[4:8] == b"ftyp"
    # The transcoded copy is cached, and the storage job's pruning removes it once nobody read it for a while.
    cache = settings.playback_cache_dir
    (copy,) = cache.glob("*.mp4")
    assert recordings.prune_cache(cache, keep_s=3600, now=time.time()) == 0 and copy.exists()
    os.utime(copy, (time.time() - 7200, time.time() - 7200))
    assert recordings.prune_cache(cache, keep_s=3600, now=time.time()) == 1 and not copy.exists()


def test_playback_is_audited_per_camera(operator: TestClient, recorded: list[Any], app_db: Database) -> None:
    response = operator.post("/api/video/playback", json={
        "cameras": ["CAM-0001", "CAM-0002"], "from": _iso(T0), "to": _iso(T0 + timedelta(minutes=5)),
        "reason": "checking the crossing"})
    assert response.status_code == 200, response.text
    cams = {c["camera"]: len(c["segments"]) for c in response.json()["cameras"]}
    assert cams == {"CAM-0001": len(recorded), "CAM-0002": 0}
    with app_db.reading() as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.action == "video.playback")).all()
        assert sorted(r.target_id or "" for r in rows) == ["CAM-0001", "CAM-0002"]
        assert rows[0].details["reason"] == "checking the crossing" and rows[0].actor_name == "op"


def test_storage_status_is_for_video_admins(client: TestClient, app_db: Database, recorded: list[Any]) -> None:
    from qorgau.video.workers import StorageJob

    make_user(app_db, "op", "operator")
    login(client, "op")
    assert client.get("/api/video/storage").status_code == 403
    make_user(app_db, "root", "admin")
    login(client, "root")
    body = client.get("/api/video/storage").json()
    assert body == {"volumes": []}  # nothing checked yet
    StorageJob(client.app.state.runtime.settings, app_db).run()  # type: ignore[attr-defined]
    volume = client.get("/api/video/storage").json()["volumes"][0]
    assert volume["name"] == "local" and volume["state"] == "ok"
    assert volume["used_bytes"] == sum(s.bytes for s in recorded) and volume["oldest_at"] == "2026-12-07T04:00:00Z"

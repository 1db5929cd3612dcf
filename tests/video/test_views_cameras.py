"""`/api/video/cameras`: the list (search, state, group, near a point, pages) and the detail, per role and group."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices import geo
from qorgau.devices.models import Device
from qorgau.video.models import CameraStatus, VideoCamera, VolumeStatus
from tests.conftest import login, make_user
from tests.video.conftest import add_camera

CENTRE = (53.011478, 51.173893)


def _status(device_id: int, stream: str, state: str, **extra: object) -> CameraStatus:
    now = utcnow()
    values: dict[str, object] = {"worker": 0, "reconnects": 0, "dropped_packets": 0, "viewers": 0,
                                 "recording": False, "state_since": now - timedelta(seconds=30), "updated_at": now}
    return CameraStatus(device_id=device_id, stream=stream, state=state, **(values | extra))


def _town(db: Database) -> dict[str, int]:
    ids = {}
    for n, east in ((1, 0.0), (2, 40.0), (3, 20.0), (4, 3000.0)):
        lon, lat = geo.offset(*CENTRE, east, 0.0)
        ids[f"CAM-{n:04d}"] = add_camera(db, f"CAM-{n:04d}", main=f"rtsp://10.0.0.{n}/main",
                                         sub=f"rtsp://10.0.0.{n}/sub", lon=lon, lat=lat)
    with db.unit_of_work() as session:
        session.execute(update(Device).where(Device.id.in_(ids.values())).values(heading_deg=None))
        session.add(VideoCamera(device_id=ids["CAM-0003"], group_code="school_interior", privacy_masks=[],
                                updated_at=utcnow()))
        session.add(VideoCamera(device_id=ids["CAM-0001"], recording_mode="events",
                                privacy_masks=[[[0, 0], [1, 0], [1, 1]]], updated_at=utcnow()))
        session.add_all([
            _status(ids["CAM-0001"], "main", "streaming", codec="h264", width=1280, height=720, fps_in=25.0,
                    bitrate_kbps=2048.0, last_frame_at=utcnow(), viewers=2, recording=True),
            _status(ids["CAM-0001"], "sub", "idle"),
            _status(ids["CAM-0002"], "main", "auth_failed", error="refused the credentials (Unauthorized)"),
        ])
    return ids


def test_the_list_shows_only_the_groups_a_role_may_see_with_states_and_pages(client: TestClient,
                                                                            app_db: Database) -> None:
    _town(app_db)
    make_user(app_db, "op", "operator")
    login(client, "op")
    body = client.get("/api/video/cameras").json()
    assert [c["code"] for c in body["items"]] == ["CAM-0001", "CAM-0002", "CAM-0004"]  # not the school interior
    first = body["items"][0]
    assert first["state"] == "streaming" and first["fps_in"] == 25.0 and first["group"] == "public_space"
    assert body["items"][1]["state"] == "auth_failed" and body["items"][2]["state"] == "idle"
    assert [c["code"] for c in client.get("/api/video/cameras", params={"state": "auth_failed"}).json()["items"]] \
        == ["CAM-0002"]
    assert [c["code"] for c in client.get("/api/video/cameras", params={"q": "cam-0004"}).json()["items"]] \
        == ["CAM-0004"]
    page = client.get("/api/video/cameras", params={"limit": 2}).json()
    assert [c["code"] for c in page["items"]] == ["CAM-0001", "CAM-0002"] and page["next_cursor"]
    rest = client.get("/api/video/cameras", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [c["code"] for c in rest["items"]] == ["CAM-0004"] and rest["next_cursor"] is None
    assert client.get("/api/video/cameras", params={"group": "school_interior"}).json()["items"] == []


def test_near_orders_the_cameras_that_see_a_point_by_distance(client: TestClient, app_db: Database) -> None:
    _town(app_db)
    make_user(app_db, "insp", "inspector")  # inspectors may see school interiors
    login(client, "insp")
    lon, lat = geo.offset(*CENTRE, 35.0, 0.0)
    body = client.get("/api/video/cameras", params={"near": f"{lon},{lat}", "limit": 10}).json()
    assert [c["code"] for c in body["items"]] == ["CAM-0002", "CAM-0003", "CAM-0001"]  # CAM-0004 is 3 km away
    assert [round(c["distance_m"]) for c in body["items"]] == [5, 15, 35]
    bad = client.get("/api/video/cameras", params={"near": "east,north"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert "lon,lat" in bad.json()["detail"]


def test_the_detail_has_both_streams_and_hides_cameras_of_other_groups(client: TestClient,
                                                                       app_db: Database) -> None:
    _town(app_db)
    make_user(app_db, "op", "operator")
    login(client, "op")
    detail = client.get("/api/video/cameras/cam-0001").json()
    assert detail["code"] == "CAM-0001" and detail["recording_mode"] == "events" and detail["privacy_masks"] == 1
    assert detail["has_sub_stream"] and detail["retention_days"] == 30 and detail["last_segment_at"] is None
    main, sub = detail["streams"]
    assert (main["stream"], main["state"], main["codec"], main["width"], main["viewers"], main["recording"]) == \
        ("main", "streaming", "h264", 1280, 2, True)
    assert (sub["stream"], sub["state"]) == ("sub", "idle")
    never = client.get("/api/video/cameras/CAM-0004").json()
    assert [s["state"] for s in never["streams"]] == ["idle", "idle"] and never["recording_mode"] == "continuous"
    assert client.get("/api/video/cameras/CAM-0003").status_code == 404  # school interior: not for operators
    assert client.get("/api/video/cameras/CAM-9999").status_code == 404


def test_roles_without_video_view_are_refused(client: TestClient, app_db: Database) -> None:
    _town(app_db)
    make_user(app_db, "analyst", "analyst")
    login(client, "analyst")
    assert client.get("/api/video/cameras").status_code == 403
    assert client.get("/api/video/cameras/CAM-0001").status_code == 403


def test_metrics_expose_each_camera_stream_and_volume_from_the_status_rows(client: TestClient,
                                                                          app_db: Database) -> None:
    _town(app_db)
    with app_db.unit_of_work() as session:
        session.add(VolumeStatus(name="local", path="/srv/video", state="full", quota_bytes=100, used_bytes=100,
                                 free_bytes=0, state_since=utcnow(), updated_at=utcnow()))
    text = client.get("/metrics").text
    assert 'qorgau_video_stream_state{camera="CAM-0001",state="streaming",stream="main"} 1.0' in text
    assert 'qorgau_video_stream_state{camera="CAM-0002",state="auth_failed",stream="main"} 1.0' in text
    assert 'qorgau_video_stream_fps{camera="CAM-0001",stream="main"} 25.0' in text
    assert 'qorgau_video_stream_bitrate_kbps{camera="CAM-0001",stream="main"} 2048.0' in text
    assert 'qorgau_video_volume_state{state="full",volume="local"} 1.0' in text
    assert 'qorgau_video_volume_used_bytes{volume="local"} 100.0' in text


def test_rows_of_a_worker_that_is_gone_read_as_idle(client: TestClient, app_db: Database) -> None:
    ids = _town(app_db)
    with app_db.unit_of_work() as session:
        session.execute(update(CameraStatus).where(CameraStatus.device_id == ids["CAM-0001"])
                        .values(updated_at=utcnow() - timedelta(minutes=5)))
    make_user(app_db, "op", "operator")
    login(client, "op")
    detail = client.get("/api/video/cameras/CAM-0001").json()
    assert detail["state"] == "idle" and detail["streams"][0]["state"] == "idle"
    assert detail["streams"][0]["codec"] == "h264"  # the last figures stay readable

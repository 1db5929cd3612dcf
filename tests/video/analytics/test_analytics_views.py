"""The analytics API on both databases: rules drawn on a camera (CRUD, clear 422s, permissions), and the way from
an analysed frame to an alarm: the rules consumer stores the event with its snapshot and the object with its
thumbnail, counts the line, and the alarm rules raise one alarm that a flood of detections folds into."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.alarms.models import Alarm
from qorgau.audit.models import AuditRecord
from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from qorgau.video.analytics import retention
from qorgau.video.analytics.consumer import RulesConsumer
from qorgau.video.analytics.contracts import AnalysedFrame, Box, Track
from qorgau.video.analytics.seed import install_demo_rules
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig
from qorgau.video.enums import RecordingMode
from qorgau.video.models import RecordTrigger, VideoCamera
from tests.conftest import login, make_user
from tests.video.conftest import CLIP, add_camera, wait_for

YARD = [[0.2, 0.2], [0.8, 0.2], [0.8, 0.9], [0.2, 0.9]]
ZONE: dict[str, Any] = {"name": "Мектеп ауласы", "kind": "zone", "points": YARD, "classes": ["person"],
                        "schedule": {"days": [0, 1, 2, 3, 4, 5, 6], "from": "22:00", "to": "06:00"}}
LINE: dict[str, Any] = {"name": "Stop line", "kind": "line", "points": [[0.05, 0.5], [0.95, 0.5]],
                        "classes": ["car", "truck"], "alert": False}
T0 = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)  # 00:00 in Aksai: the yard's rule is armed


def _error(response: Any) -> tuple[int, str, list[str]]:
    body = response.json()
    return response.status_code, body["code"], [e["field"] for e in body.get("errors", [])]


def test_rules_are_drawn_checked_and_audited(admin_client: TestClient, app_db: Database) -> None:
    client = admin_client
    add_camera(app_db, "CAM-0001", purpose="social_object")
    base = "/api/video/cameras/CAM-0001/analytics/rules"
    created = client.post(base, json=ZONE)
    assert created.status_code == 201, created.text
    zone = created.json()
    assert (zone["camera"], zone["kind"], zone["schedule"], zone["direction"]) == (
        "CAM-0001", "zone", {"days": [0, 1, 2, 3, 4, 5, 6], "from": "22:00", "to": "06:00"}, "both")
    line = client.post(base, json=LINE).json()
    changed = client.put(f"{base}/{line['id']}", json=dict(LINE, direction="forward", alert=True))
    assert changed.status_code == 200 and changed.json()["direction"] == "forward" and changed.json()["alert"]
    assert [r["name"] for r in client.get(base).json()] == ["Мектеп ауласы", "Stop line"]

    bad = {
        "video.analytics_polygon_points": dict(ZONE, points=[[0.1, 0.1], [0.5, 0.5]]),
        "video.analytics_self_intersecting": dict(ZONE, points=[[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]]),
        "video.analytics_out_of_frame": dict(ZONE, points=[[0.1, 0.1], [1.2, 0.1], [0.5, 0.8]]),
        "video.analytics_unknown_class": dict(ZONE, classes=["person", "dog"]),
        "video.analytics_line_points": dict(LINE, points=[[0.1, 0.1], [0.5, 0.5], [0.9, 0.1]]),
        "video.analytics_seconds_required": dict(ZONE, kind="loitering"),
        "video.analytics_count_required": dict(ZONE, kind="crowd"),
        "video.analytics_vehicles_only": dict(ZONE, kind="stopped_vehicle", min_seconds=60),
        "video.analytics_bad_point": dict(ZONE, points=[[0.1, 0.1], [0.5, 0.1, 0.3], [0.5, 0.8]]),
    }
    for code, body in bad.items():
        response = client.post(base, json=body)
        status, got, fields = _error(response)
        assert (status, got) == (422, code), response.text
        assert fields and fields[0].startswith(("points", "classes", "min_")), fields
        assert response.json()["detail"] != code  # a translated sentence, not the key
    status, got, fields = _error(client.post(base, json=dict(ZONE, schedule={"from": "25:00", "to": "06:00"})))
    assert (status, got, fields) == (422, "request.validation_failed", ["body.schedule.from"])

    assert client.delete(f"{base}/{zone['id']}").status_code == 204
    assert client.delete(f"{base}/{zone['id']}").status_code == 404
    add_camera(app_db, "CAM-0002")
    assert client.put(f"/api/video/cameras/CAM-0002/analytics/rules/{line['id']}", json=LINE).status_code == 404
    # The demo's rules go on the first camera of each kind of place, once, and never beside an admin's rules.
    add_camera(app_db, "CAM-0003", purpose="intersection")
    add_camera(app_db, "CAM-0004", purpose="city_entry_anpr")
    with app_db.unit_of_work() as session:
        assert install_demo_rules(session) == [("CAM-0003", "line"), ("CAM-0004", "stopped_vehicle")]
    with app_db.unit_of_work() as session:
        assert install_demo_rules(session) == []
    with app_db.reading() as session:
        actions = list(session.scalars(select(AuditRecord.action).where(
            AuditRecord.action.startswith("video.analytics_rule")).order_by(AuditRecord.seq)))
    assert actions == ["video.analytics_rule_create", "video.analytics_rule_create", "video.analytics_rule_update",
                       "video.analytics_rule_delete"]


def test_viewers_read_rules_of_cameras_they_see_and_only_video_admins_edit(client: TestClient,
                                                                          app_db: Database) -> None:
    add_camera(app_db, "CAM-0001")
    interior = add_camera(app_db, "CAM-0002")
    with app_db.unit_of_work() as session:
        session.add(VideoCamera(device_id=interior, group_code="school_interior", privacy_masks=[], updated_at=T0))
    make_user(app_db, "op", "operator")
    make_user(app_db, "analyst", "analyst")
    login(client, "op")
    assert client.get("/api/video/cameras/CAM-0001/analytics/rules").json() == []
    assert client.post("/api/video/cameras/CAM-0001/analytics/rules", json=ZONE).status_code == 403
    assert client.get("/api/video/cameras/CAM-0002/analytics/rules").status_code == 404  # not the operator's
    login(client, "analyst")
    assert client.get("/api/video/cameras/CAM-0001/analytics/rules").status_code == 403
    assert client.get("/api/video/analytics/events", params={"camera": "CAM-0001"}).status_code == 403


@dataclass
class _Worker:
    """What the consumer needs of a video worker: the database, the settings and its cameras."""

    db: Database
    settings: VideoSettings
    camera_list: list[CameraConfig]
    index: int = 0
    count: int = 1
    streams: Any = None

    def cameras(self) -> Sequence[CameraConfig]:
        return self.camera_list


class _Hiccup:
    """The database, whose first write fails (a moment of trouble the consumer must ride out)."""

    def __init__(self, db: Database) -> None:
        self.db, self.failed = db, False

    def reading(self) -> Any:
        return self.db.reading()

    def unit_of_work(self) -> Any:
        if not self.failed:
            self.failed = True
            raise ConnectionError("database away for a moment")
        return self.db.unit_of_work()


def _picture() -> npt.NDArray[np.uint8]:
    """A real frame of the shared road clip (640×360)."""
    capture = cv2.VideoCapture(str(CLIP))
    ok, bgr = capture.read()
    capture.release()
    assert ok
    return np.ascontiguousarray(bgr, dtype=np.uint8)


def _box(x: float, y: float) -> Box:
    return (x - 0.04, y - 0.15, x + 0.04, y)


def _frame(device_id: int, at: datetime, tracks: list[tuple[int, str, Box]]) -> AnalysedFrame:
    return AnalysedFrame(device_id=device_id, code="CAM-0001", wall=at, width=640, height=360, motion=0.2,
                         tracks=[Track(tid, label, 0.6 + 0.01 * tid, box, at, at) for tid, label, box in tracks],
                         detected=True)


@pytest.mark.timeout(90)
def test_a_person_in_the_yard_at_night_is_an_alarm_with_its_snapshot_and_a_flood_folds(
        admin_client: TestClient, app_db: Database, app: Any) -> None:
    client = admin_client
    device_id = add_camera(app_db, "CAM-0001", purpose="social_object")
    zone = client.post("/api/video/cameras/CAM-0001/analytics/rules", json=ZONE).json()
    line = client.post("/api/video/cameras/CAM-0001/analytics/rules", json=LINE).json()
    settings = app.state.runtime.settings.part(VideoSettings)
    camera = CameraConfig(device_id=device_id, code="CAM-0001", main_url=None, sub_url="rtsp://x/1",
                          privacy_masks=(((0.0, 0.0), (0.2, 0.0), (0.2, 0.2), (0.0, 0.2)),),
                          recording_mode=RecordingMode.EVENTS)
    hiccup = _Hiccup(app_db)
    consumer = RulesConsumer(_Worker(hiccup, settings, [camera]))  # type: ignore[arg-type]
    try:
        assert consumer.wants(camera)
        picture = _picture()
        # A person walks into the yard; a car crosses the line downwards; then 20 more persons, one after
        # another (rain and headlights make such floods): each is a new track, each fires.
        steps: list[tuple[float, list[tuple[int, str, Box]]]] = [
            (0, [(1, "person", _box(0.1, 0.5)), (2, "car", _box(0.5, 0.3))]),
            (0.4, [(1, "person", _box(0.4, 0.6)), (2, "car", _box(0.5, 0.7))]),
        ]
        steps += [(1 + i * 0.4, [(10 + i, "person", _box(0.3 + 0.01 * i, 0.5))]) for i in range(20)]
        steps += [(20, [])]  # everyone gone for more than 5 s: the objects are stored
        for seconds, tracks in steps:
            consumer.frame(_frame(device_id, T0 + timedelta(seconds=seconds), tracks), picture)
        consumer.flush()
    finally:
        consumer.close()
    assert hiccup.failed and consumer.dropped == 0  # the failed batch was stored on the next pass

    make_user(app_db, "op", "operator")  # the desk reads what the admin set up
    login(client, "op")
    with app_db.reading() as session:
        raised = [e for e in read_after(session, 0, limit=5000) if e.name == "video.analytics_event"]
    assert len(raised) == 21
    first = raised[0].payload
    assert (first.code, first.kind, first.rule_id, first.label, first.track_id, first.recording_at) == (
        "CAM-0001", "zone", zone["id"], "person", 1, T0 + timedelta(seconds=0.4))
    with app_db.reading() as session:  # the camera records on events: each event makes it record its clip
        triggers = session.scalars(select(RecordTrigger).where(RecordTrigger.cause.startswith("analytics:"))
                                   .order_by(RecordTrigger.id)).all()
    assert len(triggers) == 21 and triggers[0].device_id == device_id
    assert triggers[0].start_at == first.recording_at - timedelta(seconds=settings.video_pre_roll_s)
    snapshot = client.get(first.snapshot_url)
    assert snapshot.status_code == 200 and snapshot.headers["content-type"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(snapshot.content, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape == (360, 640, 3)
    assert image[:60, :100].max() == 0  # the privacy mask's corner is black
    assert tuple(int(v) for v in image[int(0.6 * 360) - 1, int(0.36 * 640)]) != tuple(
        int(v) for v in picture[int(0.6 * 360) - 1, int(0.36 * 640)])  # the box is drawn

    # The server's own dispatcher applies the alarm rules: one alarm, the flood folded into it and counted.
    def folded() -> Alarm | None:
        with app_db.reading() as session:
            found = session.scalars(select(Alarm)).all()
        return found[0] if len(found) == 1 and found[0].count == 21 else None

    wait_for(folded, timeout=40, what="the analytics alarm with 21 signals")
    alarm = folded()
    assert alarm is not None
    assert (alarm.rule_code, alarm.kind, alarm.priority, alarm.procedure_code, alarm.device_code, alarm.count) == (
        "video_intrusion", "video_intrusion", 15, "video_intrusion", "CAM-0001", 21)
    assert alarm.details["snapshot_url"].endswith("/snapshot.jpg") and alarm.details["recording_at"]
    assert alarm.details["rule"] == "Мектеп ауласы" and alarm.details["label"] == "person"

    events = client.get("/api/video/analytics/events", params={"camera": "CAM-0001", "limit": 15}).json()
    assert len(events["items"]) == 15 and events["next_cursor"]
    rest = client.get("/api/video/analytics/events", params={"camera": "CAM-0001", "limit": 15,
                                                              "cursor": events["next_cursor"]}).json()
    assert len(rest["items"]) == 6 and rest["next_cursor"] is None
    window = {"camera": "CAM-0001", "from": T0.isoformat(), "to": (T0 + timedelta(minutes=1)).isoformat()}
    persons = client.get("/api/video/analytics/objects", params=window | {"label": "person", "zone": zone["id"]})
    assert persons.status_code == 200, persons.text
    assert len(persons.json()["items"]) == 21
    cars = client.get("/api/video/analytics/objects", params=window | {"label": "car"}).json()["items"]
    assert [(c["track_id"], c["zones"]) for c in cars] == [(2, [])]
    thumbnail = client.get(cars[0]["thumbnail_url"])
    assert thumbnail.status_code == 200 and thumbnail.content[:2] == b"\xff\xd8"
    assert client.get("/api/video/analytics/objects", params=window | {"label": "dog"}).status_code == 422
    counts = client.get("/api/video/cameras/CAM-0001/analytics/counts",
                        params={"from": window["from"], "to": window["to"]}).json()
    assert [(c["rule_id"], c["forward"], c["backward"], c["by_label"]) for c in counts] == [
        (line["id"], 1, 0, {"car": {"forward": 1, "backward": 0}})]
    assert client.get("/api/video/cameras/CAM-0001/analytics/counts",
                      params={"from": window["to"], "to": window["from"]}).status_code == 422

    # Kept as long as the camera's recordings (the setting's 30 days here), pictures included; counts stay.
    root = settings.video_dir / "analytics"
    with app_db.unit_of_work() as session:
        assert retention.prune(session, root=root, now=T0 + timedelta(days=29), default_days=30).events == 0
        pruned = retention.prune(session, root=root, now=T0 + timedelta(days=31), default_days=30)
    assert (pruned.events, pruned.objects) == (21, 22)
    assert retention.delete_files(pruned.files) == 43 and not list(root.rglob("*.jpg"))
    assert client.get(first.snapshot_url).status_code == 404
    assert client.get("/api/video/cameras/CAM-0001/analytics/counts",
                      params={"from": window["from"], "to": window["to"]}).json()[0]["forward"] == 1

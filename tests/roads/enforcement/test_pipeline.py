"""The violation pipeline on SQLite and PostgreSQL: synthetic vehicle tracks fed frame by frame to the enforcement
consumer's core open violations with signed evidence through the real opener (speed over the limit, none under
it, nothing and a counted reason without calibration; red light from controller phases and from the lamp's
picture), with the plate read of the same track and the events of opening and deciding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.service import Actor
from qorgau.audit.signing import load_signer
from qorgau.core.db import Database
from qorgau.core.time import as_utc
from qorgau.devices import service as device_service
from qorgau.roads import service as roads_service
from qorgau.roads.enforcement import evidence, review
from qorgau.roads.enforcement.consumer import CameraRole, EnforcementTracks
from qorgau.roads.enforcement.enums import Decision, SignalPhase
from qorgau.roads.enforcement.models import Violation
from qorgau.roads.enforcement.pipeline import ViolationOpener
from qorgau.roads.schemas import PlateReadIn
from qorgau.settings import Settings
from qorgau.video.models import Export, Segment
from tests.conftest import login, make_user
from tests.devices.conftest import camera, events
from tests.incidents.conftest import ok
from tests.roads.enforcement.synthetic import SURVEYED_PLANE, calibration_pairs, track

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
W, H = 1280, 720
ADMIN = Actor(ref="system:test", name="pytest")
RED_ROI = (1100, 40, 40, 40)


@dataclass(frozen=True)
class FakeTrack:
    track_id: int
    label: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Frame:
    device_id: int
    code: str
    wall: datetime
    tracks: Sequence[FakeTrack]


def picture(red: bool = False) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """A grey road with a signal head whose red lamp is lit or dark."""
    image = np.full((H, W, 3), 90, dtype=np.uint8)
    x, y, w, h = RED_ROI
    cv2.rectangle(image, (x, y), (x + w, y + h), (20, 20, 20), -1)
    cv2.circle(image, (x + w // 2, y + h // 2), 14, (0, 0, 255) if red else (40, 40, 60), -1)
    return image


def feed(tracks: EnforcementTracks, device_id: int, code: str, track_id: int, start: datetime,
         times: Sequence[float], boxes: Sequence[tuple[float, float, float, float]],
         red_from: datetime | None = None) -> datetime:
    """Hand one vehicle's frames to the consumer core, then an empty frame 3 s later so the track has left."""
    for t, box in zip(times, boxes, strict=True):
        at = start + timedelta(seconds=t)
        image = picture(red=red_from is not None and at >= red_from)
        normal = (box[0] / W, box[1] / H, box[2] / W, box[3] / H)
        tracks.frame(Frame(device_id, code, at, [FakeTrack(track_id, "car", normal)]), image)
    end = start + timedelta(seconds=times[-1] + 3.5)
    tracks.frame(Frame(device_id, code, end, []), picture(red=red_from is not None and end >= red_from))
    return end


def recorded(db: Database, device: int, start: datetime, end: datetime) -> None:
    """The recorder's index of the camera's main stream over this range (the files themselves are not needed to
    request an export)."""
    with db.unit_of_work() as session:
        session.add(Segment(device_id=device, stream="main", volume="default", path=f"{device}/a.mp4",
                            start_at=start, end_at=end, bytes=1000, frames=100, codec="h264", width=W, height=H,
                            created_at=end))


def device_id(db: Database, code: str) -> int:
    with db.reading() as session:
        return device_service.get(session, code).id


def violations(db: Database) -> list[Violation]:
    with db.reading() as session:
        return list(session.scalars(select(Violation).order_by(Violation.id)))


def _setup_speed(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    for code, east in (("CAM-SP1", 0), ("CAM-SP2", 300)):
        ok(client.post("/api/devices", json=camera(code, east_m=east, purpose="speed")), 201)
    # Surveyed marks over the measuring zone: six would leave too coarse a scale to vouch for 100 km/h (ADR 0052).
    image, plane = calibration_pairs(marks=SURVEYED_PLANE)
    ok(client.put("/api/violations/calibrations/CAM-SP1", json={"image_points": image, "plane_points": plane}), 201)


@pytest.mark.timeout(120)
def test_speed_violations_from_tracks(client: TestClient, app_db: Database, settings: Settings) -> None:
    _setup_speed(client, app_db)
    sp1, sp2 = device_id(app_db, "CAM-SP1"), device_id(app_db, "CAM-SP2")
    roles = {sp1: CameraRole("speed"), sp2: CameraRole("speed")}
    opener = ViolationOpener(app_db, settings)
    tracks = EnforcementTracks(opener, roles.get, wait_s=0.0)
    rng = np.random.default_rng(7)
    recorded(app_db, sp1, T0 - timedelta(minutes=1), T0 + timedelta(minutes=2))
    # The plate reader's read of track 1 (as the plate consumer stores it: the track's last sighting).
    fast_times, fast_boxes = track(100.0, rng)
    with app_db.unit_of_work() as session:
        read_id = roads_service.record_read(session, PlateReadIn(
            device_id=sp1, seen_at=T0 + timedelta(seconds=fast_times[-1]), plate="123ABC07", country="KZ",
            confidence=0.93, crop=b"\xff\xd8plate", track_id=1))
    feed(tracks, sp1, "CAM-SP1", 1, T0, fast_times, fast_boxes)
    slow_times, slow_boxes = track(50.0, rng)
    feed(tracks, sp1, "CAM-SP1", 2, T0 + timedelta(seconds=20), slow_times, slow_boxes)
    feed(tracks, sp2, "CAM-SP2", 3, T0 + timedelta(seconds=40), *track(120.0, rng))
    feed(tracks, sp1, "CAM-SP1", 4, T0 + timedelta(seconds=60), [0.0, 0.04], fast_boxes[:2])  # too short
    tracks.close()

    counts = tracks.figures()["outcomes"]
    assert counts == {"speed:opened": 1, "speed:under_limit": 1, "speed:uncalibrated": 1, "speed:one_picture": 1,
                      "section:waiting": 1,  # the plate passed one speed point: its section waits for the next
                      "export:requested": 1}  # the recording of the track, exported for the officer
    [found] = violations(app_db)
    assert found.kind == "speed" and found.device_code == "CAM-SP1" and found.measured_kmh is not None \
        and abs(found.measured_kmh - 100.0) < 2.0
    assert found.plate_text == "123ABC07" and found.read_id == read_id and found.limit_kmh == 60.0
    with app_db.reading() as session:
        export = session.get(Export, found.export_id)
        assert export is not None and export.cameras == ["CAM-SP1"] and export.reason == f"violation {found.id}"
        assert as_utc(export.start_at) == T0 + timedelta(seconds=fast_times[0] - 2)
    folder = settings.data_dir / "violations" / found.evidence
    assert evidence.verify(folder, load_signer(settings).key_id) == []
    names = sorted(p.name for p in folder.iterdir())
    # Driving away, the vehicle is closest at its first sighting: two distinct pictures, half a second apart.
    assert names == ["first.jpg", "last.jpg", "manifest.json", "plate.png"]
    first = cv2.imdecode(np.frombuffer((folder / "first.jpg").read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    assert first is not None and first.shape == (H, W, 3)

    [opened] = events(app_db, "roads.violation_opened")
    assert opened.payload["violation_id"] == found.id and opened.payload["has_plate"] is True
    assert "123ABC07" not in str(opened.payload)  # the plate stays out of the live feed
    with app_db.unit_of_work() as session:
        review.decide(session, violation_id=found.id, decision=Decision.CONFIRM, reason=None, actor=ADMIN)
    [decided] = events(app_db, "roads.violation_decided")
    assert decided.payload["status"] == "confirmed" and decided.payload["code"] == "CAM-SP1"


@pytest.mark.timeout(120)
def test_red_light_from_controller_and_from_the_picture(client: TestClient, app_db: Database,
                                                        settings: Settings) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    for code, east in (("CAM-X1", 0), ("CAM-X2", 100)):
        ok(client.post("/api/devices", json=camera(code, east_m=east, purpose="intersection")), 201)
    stop_line = [[100, 500], [1200, 500]]
    ok(client.put("/api/violations/points/CAM-X1", json={"stop_line": stop_line, "controller": "X-1"}))
    ok(client.put("/api/violations/points/CAM-X2", json={"stop_line": stop_line, "lamp_roi": list(RED_ROI)}))
    ok(client.post("/api/violations/signals/X-1/phases", json={"changes": [
        {"phase": "green", "at": T0.isoformat()}, {"phase": "red", "at": (T0 + timedelta(seconds=10)).isoformat()}]}),
        202)
    x1, x2 = device_id(app_db, "CAM-X1"), device_id(app_db, "CAM-X2")
    opener = ViolationOpener(app_db, settings)
    cameras = {x1: ("CAM-X1", "intersection"), x2: ("CAM-X2", "intersection")}
    roles = opener.roles(cameras, frozenset({"intersection"}))
    assert roles == {x1: CameraRole("intersection"), x2: CameraRole("intersection", RED_ROI)}
    tracks = EnforcementTracks(opener, roles.get, wait_s=0.0)
    times = [i * 0.1 for i in range(20)]
    boxes = [(600.0, y - 80, 700.0, y) for y in np.linspace(420, 580, 20)]  # crosses y=500 half-way
    feed(tracks, x1, "CAM-X1", 1, T0 + timedelta(seconds=2), times, boxes)  # green
    feed(tracks, x1, "CAM-X1", 2, T0 + timedelta(seconds=12), times, boxes)  # red for 3 s
    red_from = T0 + timedelta(seconds=30)
    feed(tracks, x2, "CAM-X2", 3, T0 + timedelta(seconds=22), times, boxes, red_from=red_from)  # dark lamp
    feed(tracks, x2, "CAM-X2", 4, T0 + timedelta(seconds=31), times, boxes, red_from=red_from)  # lamp red
    tracks.close()

    # Nothing recorded at these cameras: the violations open without an export.
    assert tracks.figures()["outcomes"] == {"red_light:opened": 2, "red_light:not_red": 2, "export:unavailable": 2}
    by_camera = {v.device_code: v for v in violations(app_db)}
    assert by_camera["CAM-X1"].phase_source == "controller" and by_camera["CAM-X1"].red_for_s == pytest.approx(
        3.0, abs=0.1)
    assert by_camera["CAM-X2"].phase_source == "picture" and by_camera["CAM-X2"].phase == str(SignalPhase.RED)
    for found in by_camera.values():
        assert evidence.verify(settings.data_dir / "violations" / found.evidence, load_signer(settings).key_id) == []
    assert len(events(app_db, "roads.violation_opened")) == 2


@pytest.mark.timeout(60)
def test_a_full_queue_drops_and_counts_and_a_failing_handler_is_counted() -> None:
    def boom(_record: Any) -> str:
        raise RuntimeError("the database is gone")

    tracks = EnforcementTracks(boom, lambda _d: CameraRole("speed"), wait_s=30.0, queue_size=1)
    rng = np.random.default_rng(3)
    for track_id in range(3):  # the first waits 30 s in the thread's hands or the queue, the rest overflow
        feed(tracks, 5, "CAM-Q", track_id, T0 + timedelta(seconds=10 * track_id), *track(80.0, rng))
    assert tracks.figures()["dropped"] >= 1
    tracks.close()  # closing does not wait for plates: what is queued is handled at once
    figures = tracks.figures()
    assert figures["outcomes"]["failed"] + figures["dropped"] == 3 and figures["outcomes"]["failed"] >= 1


@pytest.mark.timeout(60)
def test_limit_from_the_point_the_road_or_the_default(client: TestClient, app_db: Database) -> None:
    from qorgau.city import queries as city_queries
    from qorgau.city.models import CityEdge

    make_user(app_db, "admin", "admin")
    login(client, "admin")
    with app_db.reading() as session:  # a camera beside a main road of the generated Aksai model
        model = city_queries.active_model(session)
        edge = session.scalars(select(CityEdge).where(CityEdge.model_id == model.id, CityEdge.drive.is_(True),
                                                      CityEdge.highway == "primary").limit(1)).one()
        assert edge.maxspeed_kmh is None  # the generated model's roads carry no maxspeed
    ok(client.post("/api/devices", json=camera("CAM-L1", purpose="speed") | {"lon": edge.lon, "lat": edge.lat}), 201)
    status = ok(client.get("/api/violations/points/CAM-L1/status"))
    assert status["limit_kmh"] == 60.0 and status["limit_source"] == "default" and status["road"] is None
    with app_db.unit_of_work() as session:
        road = city_queries.road_at(session, model.id, edge.lon, edge.lat)
        assert road is not None and road.distance_m < 1.0
        row = session.get(CityEdge, road.edge_id)
        assert row is not None
        row.maxspeed_kmh = 40.0
    status = ok(client.get("/api/violations/points/CAM-L1/status"))
    assert status["limit_kmh"] == 40.0 and status["limit_source"] == "road"
    assert status["road"] == (road.name or road.highway)
    ok(client.put("/api/violations/points/CAM-L1", json={"limit_kmh": 50}))
    status = ok(client.get("/api/violations/points/CAM-L1/status"))
    assert status["limit_kmh"] == 50.0 and status["limit_source"] == "point"


@pytest.mark.timeout(60)
def test_an_osm_ways_maxspeed_is_stored_and_read_at_a_point(db: Database, tmp_path: Path) -> None:
    from qorgau.city import queries as city_queries
    from qorgau.city import service as city_service
    from qorgau.city.osm_import import read_osm
    from tests.city.test_osm_import import OSM_XML

    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    data = read_osm(path, name="tiny-maxspeed")
    assert {e.osm_way_id: e.maxspeed_kmh for e in data.edges} == {10: 20.0, 11: None, 12: None, 13: None}
    with db.unit_of_work() as session:
        model = city_service.save_model(session, data=data, activate=False)
        tagged = city_queries.road_at(session, model.id, 53.0005, 51.00002)  # on way 10, a few metres off
        untagged = city_queries.road_at(session, model.id, 53.00102, 51.0005)  # on way 11
        nowhere = city_queries.road_at(session, model.id, 53.02, 51.02)
    assert tagged is not None and tagged.osm_way_id == 10 and tagged.maxspeed_kmh == 20.0 and tagged.distance_m < 5
    assert untagged is not None and untagged.osm_way_id == 11 and untagged.maxspeed_kmh is None
    assert nowhere is None


@pytest.mark.timeout(60)
def test_the_pipelines_figures_on_metrics(tmp_path: Path) -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from qorgau.roads.enforcement.consumer import write_figures
    from qorgau.roads.enforcement.metrics import PipelineCollector, figures_dir

    tracks = EnforcementTracks(lambda _record: "speed:uncalibrated", lambda _d: CameraRole("speed"), wait_s=0.0)
    rng = np.random.default_rng(5)
    feed(tracks, 5, "CAM-M", 1, T0, *track(80.0, rng))
    tracks.close()
    write_figures(figures_dir(tmp_path) / "worker-0.json", tracks.figures())
    (figures_dir(tmp_path) / "worker-1.json").write_text("{broken", encoding="utf-8")  # skipped, not fatal
    registry = CollectorRegistry()
    registry.register(PipelineCollector(tmp_path))
    text = generate_latest(registry).decode()
    assert 'qorgau_violation_pipeline_tracks_total{outcome="speed:uncalibrated",worker="0"} 1.0' in text
    assert 'qorgau_violation_pipeline_dropped_total{worker="0"} 0.0' in text


@pytest.mark.timeout(120)
def test_the_pipeline_reads_the_plate_itself_where_no_plate_consumer_does(client: TestClient, app_db: Database,
                                                                          settings: Settings) -> None:
    import random

    from qorgau.roads.enforcement.models import SectionPassage
    from qorgau.roads.models import PlateRead
    from qorgau.roads.plates.render import Degradation, render_vehicle

    _setup_speed(client, app_db)
    sp2 = device_id(app_db, "CAM-SP2")  # uncalibrated: no spot speed, but its plate passes into section control
    opener = ViolationOpener(app_db, settings)
    roles = opener.roles({sp2: ("CAM-SP2", "speed")}, frozenset({"city_entry_anpr"}))
    assert roles == {sp2: CameraRole("speed", reads_plates=True)}
    tracks = EnforcementTracks(opener, roles.get, wait_s=0.0)
    vehicle = render_vehicle("512KAZ07", "kz_2012_private", Degradation.CLEAR, random.Random(4)).image
    height, width = vehicle.shape[:2]
    for step in range(8):  # a car coming closer for 1.4 s
        frame = np.full((H, W, 3), 100, dtype=np.uint8)
        left, top = 300 + 20 * step, 200 + 10 * step
        frame[top:top + height, left:left + width] = vehicle
        box = (left / W, top / H, (left + width) / W, (top + height) / H)
        tracks.frame(Frame(sp2, "CAM-SP2", T0 + timedelta(seconds=0.2 * step), [FakeTrack(21, "car", box)]), frame)
    tracks.frame(Frame(sp2, "CAM-SP2", T0 + timedelta(seconds=5), []), picture())
    tracks.close()

    assert tracks.figures()["outcomes"] == {"speed:uncalibrated": 1, "section:waiting": 1}
    with app_db.reading() as session:
        [read] = session.scalars(select(PlateRead)).all()
        [passage] = session.scalars(select(SectionPassage)).all()
    assert read.plate == "512KAZ07" and read.track_id == 21 and read.device_id == sp2 and read.crop[:2] == b"\xff\xd8"
    assert passage.plate == "512KAZ07" and passage.read_id == read.id and passage.device_code == "CAM-SP2"
    assert len(passage.images) >= 2 and violations(app_db) == []


@pytest.mark.timeout(120)
def test_the_export_waits_for_the_recording_of_the_tracks_end(client: TestClient, app_db: Database,
                                                              settings: Settings) -> None:
    _setup_speed(client, app_db)
    sp1 = device_id(app_db, "CAM-SP1")
    opener = ViolationOpener(app_db, settings)
    tracks = EnforcementTracks(opener, {sp1: CameraRole("speed")}.get, wait_s=0.0)
    recorded(app_db, sp1, T0 - timedelta(minutes=1), T0)  # the segment with the track is not indexed yet
    feed(tracks, sp1, "CAM-SP1", 1, T0, *track(100.0, np.random.default_rng(11)))
    tracks.close()
    assert tracks.figures()["outcomes"] == {"speed:opened": 1, "export:waiting": 1}
    [found] = violations(app_db)
    assert found.export_id is None and opener.retry_exports() == []  # not due for another 30 s

    with app_db.unit_of_work() as session:  # the recorder closes the next segment
        session.add(Segment(device_id=sp1, stream="main", volume="default", path=f"{sp1}/b.mp4", start_at=T0,
                            end_at=T0 + timedelta(minutes=1), bytes=1000, frames=100, codec="h264", width=W,
                            height=H, created_at=T0))
    assert opener.retry_exports(everything=True) == ["export:requested"]
    [found] = violations(app_db)
    assert found.export_id is not None

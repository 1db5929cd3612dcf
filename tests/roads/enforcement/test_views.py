"""Enforcement over HTTP on SQLite and PostgreSQL: calibration, speed and red-light violations opened with signed
evidence, the review queue and decisions (audited), rejection statistics per device, 403s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.audit.service import Actor
from qorgau.audit.signing import load_signer
from qorgau.core.db import Database
from qorgau.core.migrate import pending_diff
from qorgau.domains import load_models
from qorgau.roads.enforcement import evidence, review
from qorgau.roads.enforcement.enums import Decision, RejectReason
from qorgau.roads.enforcement.review import Capture
from qorgau.settings import Settings
from tests.conftest import login, make_user
from tests.devices.conftest import camera
from tests.incidents.conftest import ok, problem
from tests.roads.enforcement.synthetic import calibration_pairs, track

TABLES = {"camera_calibrations", "enforcement_points", "signal_phase_changes", "violation_fine_tables", "violations"}
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SYSTEM = Actor(ref="system:video", name="speed point")
IMAGES = {"before.jpg": b"\xff\xd8a", "after.jpg": b"\xff\xd8b"}


def test_models_and_migration_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = [item for item in pending_diff(conn, load_models=load_models) if TABLES & set(str(item).split("'"))]
    assert diff == []


def _capture(code: str, speed: float, seed: int) -> Capture:
    times, boxes = track(speed, np.random.default_rng(seed))
    return Capture(device_code=code, times=[T0 + timedelta(seconds=t) for t in times], boxes=boxes, images=IMAGES,
                   plate_crop=b"png", plate_text="123ABC07", plate_confidence=0.97,
                   clip={"camera": code, "from": T0.isoformat()})


def _open_speed(app_db: Database, settings: Settings, speed: float, seed: int) -> review.Outcome:
    with app_db.unit_of_work() as session:
        outcome = review.open_speed(session, capture=_capture("CAM-SP1", speed, seed), limit_kmh=60.0,
                                    tolerance_kmh=10.0, signer=load_signer(settings),
                                    evidence_root=settings.data_dir / "violations", actor=SYSTEM)
        return review.Outcome(None, outcome.skipped, outcome.kmh) if outcome.violation is None else outcome


@pytest.mark.timeout(90)
def test_calibration_speed_violation_review_and_stats(client: TestClient, app_db: Database,
                                                      settings: Settings) -> None:
    make_user(app_db, "admin", "admin")
    make_user(app_db, "boss", "supervisor")
    make_user(app_db, "op", "operator")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-SP1")), 201)
    ok(client.post("/api/devices", json=camera("CAM-TL1", east_m=300)), 201)
    problem(client.get("/api/violations/calibrations/CAM-SP1"), 404, "violations.uncalibrated")
    status = ok(client.get("/api/violations/points/CAM-SP1/status"))
    assert status["speed_ready"] is False and status["missing"] == ["uncalibrated", "no_stop_line"]
    assert status["limit_kmh"] == 60.0 and status["calibrated_at"] is None
    assert _open_speed(app_db, settings, 90.0, 1).skipped == "uncalibrated"  # measures nothing, says why

    image, plane = calibration_pairs()
    body = problem(client.put("/api/violations/calibrations/CAM-SP1",
                              json={"image_points": [image[0]] * 4, "plane_points": plane[:4]}),
                   422, "violations.calibration.invalid")
    assert [e["code"] for e in body["errors"]] == ["violations.calibration.duplicate_points"]
    saved = ok(client.put("/api/violations/calibrations/CAM-SP1",
                          json={"image_points": image, "plane_points": plane}), 201)
    assert saved["rms_m"] < 1e-3 and saved["created_by_name"] == "admin"
    ok(client.put("/api/violations/points/CAM-SP1", json={"limit_kmh": 50}))
    status = ok(client.get("/api/violations/points/CAM-SP1/status"))
    assert status["speed_ready"] is True and status["limit_kmh"] == 50.0 and status["calibrated_at"]

    login(client, "op")
    problem(client.get("/api/violations"), 403, "auth.forbidden")
    problem(client.put("/api/violations/calibrations/CAM-SP1", json={"image_points": image, "plane_points": plane}),
            403, "auth.forbidden")

    assert _open_speed(app_db, settings, 50.0, 2).skipped == "under_limit"
    opened = [_open_speed(app_db, settings, speed, seed).violation for seed, speed in enumerate((95.0, 82.0), 3)]
    assert all(v is not None for v in opened)

    login(client, "boss")
    queue = ok(client.get("/api/violations"))
    assert [v["kind"] for v in queue] == ["speed", "speed"]
    first = queue[0]
    assert first["article"] == "592" and first["part"] == "2" and first["fine_mrp"] == 10
    assert first["fine_kzt"] == 43250 and abs(first["measured_kmh"] - 95.0) < 2.0
    assert sorted(first["files"]) == ["after.jpg", "before.jpg", "plate.png"] and first["calibrated_at"]
    assert ok(client.get(f"/api/violations/{first['id']}/verify")) == {"ok": True, "problems": []}
    assert client.get(f"/api/violations/{first['id']}/evidence/plate.png").content == b"png"
    problem(client.get(f"/api/violations/{first['id']}/evidence/qorgau.db"), 404,
            "violations.evidence_not_found")

    problem(client.post(f"/api/violations/{first['id']}/decision", json={"decision": "reject"}), 422,
            "violations.reason_required")
    decided = ok(client.post(f"/api/violations/{first['id']}/decision",
                             json={"decision": "reject", "reason": "plate_misread"}))
    assert decided["status"] == "rejected" and decided["reviewed_by_name"] == "boss"
    problem(client.post(f"/api/violations/{first['id']}/decision", json={"decision": "confirm"}), 409,
            "violations.already_decided")
    ok(client.post(f"/api/violations/{queue[1]['id']}/decision", json={"decision": "confirm"}))
    assert ok(client.get("/api/violations")) == []
    stats = ok(client.get("/api/violations/stats/devices"))
    assert stats == [{"device_code": "CAM-SP1", "pending": 0, "confirmed": 1, "rejected": 1,
                      "rejected_share": 0.5, "needs_calibration": False, "reasons": {"plate_misread": 1}}]
    with app_db.reading() as session:
        actions = session.scalars(select(AuditRecord.action).where(AuditRecord.action.like("violations.%"))).all()
    assert {"violations.calibrate", "violations.opened", "violations.reject", "violations.confirm"} <= set(actions)

    folder = settings.data_dir / "violations" / next(Path(p).name for p in (settings.data_dir / "violations").iterdir())
    (folder / "before.jpg").write_bytes(b"edited")
    assert "changed:before.jpg" in evidence.verify(folder)


@pytest.mark.timeout(90)
def test_red_light_from_the_controller_phase(client: TestClient, app_db: Database, settings: Settings) -> None:
    make_user(app_db, "admin", "admin")
    make_user(app_db, "boss", "supervisor")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-TL1")), 201)
    ok(client.put("/api/violations/points/CAM-TL1",
                  json={"stop_line": [[100, 500], [700, 500]], "controller": "X-1"}))
    ok(client.post("/api/violations/signals/X-1/phases", json={"changes": [
        {"phase": "green", "at": T0.isoformat()}, {"phase": "red", "at": (T0 + timedelta(seconds=10)).isoformat()}]}),
        202)
    feet_y = [450.0 + 20.0 * i for i in range(6)]

    def run(start: datetime) -> review.Outcome:
        capture = Capture(device_code="CAM-TL1", times=[start + timedelta(seconds=i / 10) for i in range(6)],
                          boxes=[(380.0, y - 40, 420.0, y) for y in feet_y], images=IMAGES)
        with app_db.unit_of_work() as session:
            found = review.open_red_light(session, capture=capture, grace_s=0.3, signer=load_signer(settings),
                                          evidence_root=settings.data_dir / "violations", actor=SYSTEM)
            return review.Outcome(None, found.skipped) if found.violation is None else review.Outcome(
                None, f"opened:{found.violation.id}")

    assert run(T0 + timedelta(seconds=5)).skipped == "not_red"
    assert run(T0 + timedelta(seconds=9.9)).skipped == "not_red"  # crossed 0.15 s after red: within the grace
    assert (run(T0 + timedelta(seconds=12)).skipped or "").startswith("opened:")
    login(client, "boss")
    violation = ok(client.get("/api/violations"))
    assert violation[0]["kind"] == "red_light" and violation[0]["article"] == "599" and violation[0]["phase"] == "red"
    assert violation[0]["red_for_s"] == pytest.approx(2.25)


@pytest.mark.timeout(90)
def test_section_speed_over_the_city_road_distance(client: TestClient, app_db: Database, settings: Settings) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-S1", east_m=-400)), 201)
    ok(client.post("/api/devices", json=camera("CAM-S2", east_m=400)), 201)

    def run(seconds: float) -> review.Outcome:
        entry = Capture(device_code="CAM-S1", times=[T0], boxes=[], images=IMAGES, plate_text="123ABC07")
        exit_ = Capture(device_code="CAM-S2", times=[T0], boxes=[], images=IMAGES, plate_text="123ABC07")
        with app_db.unit_of_work() as session:
            found = review.open_section(session, entry=entry, exit_=exit_, entered_at=T0,
                                        left_at=T0 + timedelta(seconds=seconds), limit_kmh=60.0, tolerance_kmh=10.0,
                                        signer=load_signer(settings), evidence_root=settings.data_dir / "violations",
                                        actor=SYSTEM)
            return review.Outcome(None, found.skipped if found.violation is None else "opened", found.kmh)

    slow = run(120.0)
    assert slow.skipped == "under_limit" and slow.kmh is not None
    distance_m = slow.kmh / 3.6 * 120.0
    assert 800.0 <= distance_m < 2000.0  # 800 m apart as the crow flies; the road is at least that long
    fast = run(distance_m / (100 / 3.6))  # 100 km/h average
    assert fast.skipped == "opened" and fast.kmh == pytest.approx(100.0)
    assert run(-5.0).skipped == "bad_times"


@pytest.mark.timeout(60)
def test_fines_table_is_shipped_unverified_then_saved_whole_or_not_at_all(client: TestClient,
                                                                         app_db: Database) -> None:
    make_user(app_db, "admin", "admin")
    make_user(app_db, "boss", "supervisor")
    login(client, "boss")
    shipped = ok(client.get("/api/violations/fines"))
    assert shipped["verified"] is False and shipped["version"] is None and shipped["mrp_kzt"] == 4325
    problem(client.put("/api/violations/fines", json=shipped["table"]), 403, "auth.forbidden")
    problem(client.post("/api/violations/signals/X-1/phases",
                        json={"changes": [{"phase": "red", "at": T0.isoformat()}]}), 403, "auth.forbidden")

    login(client, "admin")
    broken = {**shipped["table"], "rules": [*shipped["table"]["rules"], {"kind": "speed", "article": "592"}]}
    body = problem(client.put("/api/violations/fines", json=broken), 422, "violations.fines.invalid")
    assert [e["field"] for e in body["errors"]] == ["rules[4]"]
    table = {**shipped["table"], "rules": [{**r, "fine_mrp": 6} if r["part"] == "1" and r["kind"] == "speed" else r
                                           for r in shipped["table"]["rules"]]}
    saved = ok(client.put("/api/violations/fines", json=table))
    assert saved["verified"] is True and saved["version"] == 1
    login(client, "boss")
    assert ok(client.get("/api/violations/fines"))["table"]["rules"][0]["fine_mrp"] == 6


def test_a_device_whose_violations_are_often_rejected_needs_calibrating(app_db: Database, settings: Settings,
                                                                         client: TestClient) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-SP1")), 201)
    image, plane = calibration_pairs()
    ok(client.put("/api/violations/calibrations/CAM-SP1", json={"image_points": image, "plane_points": plane}), 201)
    ids = []
    for seed in range(5):
        outcome = _open_speed(app_db, settings, 100.0, 10 + seed)
        assert outcome.violation is not None
        ids.append(outcome.violation.id)
    with app_db.unit_of_work() as session:
        for n, violation_id in enumerate(ids):
            reason = None if n < 3 else RejectReason.MEASUREMENT_DOUBTFUL
            review.decide(session, violation_id=violation_id, decision=Decision.REJECT if reason else Decision.CONFIRM,
                          reason=reason, actor=SYSTEM)
        stats = review.device_stats(session)
    assert stats[0]["rejected_share"] == pytest.approx(0.4) and stats[0]["needs_calibration"] is True


@pytest.mark.timeout(90)
def test_red_light_read_from_the_picture_of_the_signal_head(client: TestClient, app_db: Database,
                                                            settings: Settings) -> None:
    make_user(app_db, "admin", "admin")
    make_user(app_db, "boss", "supervisor")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-TL2")), 201)
    ok(client.put("/api/violations/points/CAM-TL2", json={"stop_line": [[100, 500], [700, 500]],
                                                          "lamp_roi": [20, 10, 40, 40]}))
    red, dark = _lamp((40, 40, 240)), _lamp((60, 60, 70))
    start = T0 + timedelta(seconds=30)
    frames = [(start - timedelta(seconds=2), dark), (start - timedelta(seconds=1), red), (start, red)]
    feet_y = [450.0 + 20.0 * i for i in range(6)]
    capture = Capture(device_code="CAM-TL2", times=[start + timedelta(seconds=i / 10) for i in range(6)],
                      boxes=[(380.0, y - 40, 420.0, y) for y in feet_y], images=IMAGES, signal_frames=frames)
    with app_db.unit_of_work() as session:
        found = review.open_red_light(session, capture=capture, grace_s=0.3, signer=load_signer(settings),
                                      evidence_root=settings.data_dir / "violations", actor=SYSTEM)
        assert found.violation is not None
        assert found.violation.phase_source == "picture" and found.violation.red_for_s == pytest.approx(1.25)
    unlit = Capture(device_code="CAM-TL2", times=capture.times, boxes=capture.boxes, images=IMAGES,
                    signal_frames=[(start, dark)])
    with app_db.unit_of_work() as session:
        assert review.open_red_light(session, capture=unlit, grace_s=0.3, signer=load_signer(settings),
                                     evidence_root=settings.data_dir / "violations", actor=SYSTEM).skipped == "not_red"


def _lamp(colour: tuple[int, int, int]) -> np.ndarray:
    picture = np.full((120, 80, 3), 30, dtype=np.uint8)
    yy, xx = np.mgrid[:120, :80]
    picture[(yy - 30) ** 2 + (xx - 40) ** 2 < 15 ** 2] = colour
    return picture

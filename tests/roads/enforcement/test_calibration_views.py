"""A camera's calibration over HTTP on SQLite and PostgreSQL: each mark's residual shown, a set whose residual is
more than clicks explain refused with its figures, a row stored before the uncertainty existed read the same
way, and a speed on too coarse a calibration counted as measuring nothing (ADR 0052)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from qorgau.audit.service import Actor
from qorgau.audit.signing import load_signer
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.roads.enforcement import review
from qorgau.roads.enforcement.models import CameraCalibration
from qorgau.roads.enforcement.review import Capture
from qorgau.settings import Settings
from tests.conftest import login, make_user
from tests.devices.conftest import camera
from tests.incidents.conftest import ok, problem
from tests.roads.enforcement.synthetic import SURVEYED_PLANE, calibration_pairs, track

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SYSTEM = Actor(ref="system:video", name="speed point")


def _speed(app_db: Database, settings: Settings, speed: float, seed: int) -> review.Outcome:
    times, boxes = track(speed, np.random.default_rng(seed), time_jitter_s=0.0)  # PTS times
    capture = Capture(device_code="CAM-SP1", times=[T0 + timedelta(seconds=t) for t in times], boxes=boxes,
                      images={"a.jpg": b"\xff\xd8a", "b.jpg": b"\xff\xd8b"}, plate_crop=b"png",
                      plate_text="123ABC07", plate_confidence=0.97, clip={"camera": "CAM-SP1"})
    with app_db.unit_of_work() as session:
        outcome = review.open_speed(session, capture=capture, limit_kmh=60.0, tolerance_kmh=10.0,
                                    signer=load_signer(settings), evidence_root=settings.data_dir / "violations",
                                    actor=SYSTEM, max_uncertainty_kmh=2.0)
        return review.Outcome(None, outcome.skipped, outcome.kmh)


@pytest.mark.timeout(120)
def test_residuals_shown_a_bad_set_refused_and_a_coarse_one_measures_nothing(
        client: TestClient, app_db: Database, settings: Settings) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-SP1")), 201)

    image, plane = calibration_pairs(np.random.default_rng(21), click_px=2.0, marks=SURVEYED_PLANE)
    wrong = list(plane)
    wrong[10] = (wrong[10][0], wrong[10][1] + 1.5)  # one mark's metres mistyped
    body = problem(client.put("/api/violations/calibrations/CAM-SP1",
                              json={"image_points": image, "plane_points": wrong}),
                   422, "violations.calibration.invalid")
    assert [e["code"] for e in body["errors"]] == ["violations.calibration.residual_too_large"]
    residual = body["residual"]
    assert residual["mark"] == 11 and residual["mark_px"] > residual["max_mark_px"]
    assert len(residual["residuals_px"]) == 24

    saved = ok(client.put("/api/violations/calibrations/CAM-SP1",
                          json={"image_points": image, "plane_points": plane}), 201)
    assert len(saved["residuals_px"]) == 24 and 0 < saved["rms_px"] <= saved["max_rms_px"]
    assert max(saved["residuals_px"]) <= saved["max_mark_px"] and 0 < saved["scale_sigma_pct"] < 0.6
    assert ok(client.get("/api/violations/calibrations/CAM-SP1"))["residuals_px"] == saved["residuals_px"]
    measured = _speed(app_db, settings, 90.0, 1)
    assert measured.skipped is None and measured.kmh is not None and abs(measured.kmh - 90.0) < 2.0

    # A row as the former fit stored it (picture -> plane in metres, six marks): read with its marks' residuals
    # and uncertainty, and too coarse to vouch for 100 km/h within 2 km/h.
    image6, plane6 = calibration_pairs(np.random.default_rng(22), click_px=2.0)
    matrix, _ = cv2.findHomography(np.asarray(image6), np.asarray(plane6), 0)
    with app_db.unit_of_work() as session:
        session.add(CameraCalibration(device_code="CAM-SP1", image_points=[list(p) for p in image6],
                                      plane_points=[list(p) for p in plane6],
                                      matrix=(matrix / matrix[2, 2]).tolist(), rms_m=0.2, max_m=0.3,
                                      created_by="user:admin", created_by_name="admin", created_at=utcnow()))
    old = ok(client.get("/api/violations/calibrations/CAM-SP1"))
    assert len(old["residuals_px"]) == 6 and old["rms_px"] > 0 and old["scale_sigma_pct"] > 0.6
    assert _speed(app_db, settings, 100.0, 2).skipped == "calibration_too_coarse"

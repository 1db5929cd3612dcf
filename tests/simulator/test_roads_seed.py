"""`qorgau roads seed-demo`: the simulated demo's wanted list, speed calibrations and stop lines, once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from qorgau.core.db import Database
from qorgau.roads import watchlists
from qorgau.roads.enforcement import measure
from qorgau.roads.enforcement import service as enforcement
from qorgau.roads.seed import LAMP_ROI, LIST_NAME, STOP_LINE, WANTED_PLATE, seed_demo
from tests.cli_support import data_dir_from, run
from tests.conftest import CLI_ACTOR
from tests.video.rec_packets import add_camera


def test_the_seed_adds_what_is_missing_once(db: Database) -> None:
    add_camera(db, "SPD-CAM-1", purpose="speed")
    add_camera(db, "X-CAM-1", east_m=40.0, purpose="intersection")
    add_camera(db, "PUB-CAM-1", east_m=80.0, purpose="public_space")
    with db.unit_of_work() as session:
        first = seed_demo(session, actor=CLI_ACTOR)
    assert first.watchlist and first.entry
    assert (first.calibrated, first.stop_lines) == (["SPD-CAM-1"], ["X-CAM-1"])
    with db.unit_of_work() as session:
        again = seed_demo(session, actor=CLI_ACTOR)
    assert not again.watchlist and not again.entry and again.calibrated == [] and again.stop_lines == []
    with db.reading() as session:
        # The wanted plate raises a hit; a plate one character off does not.
        assert [(w.name, w.kind) for w in watchlists.lists(session)] == [(LIST_NAME, "wanted")]
        matcher = watchlists.matcher(session)
        now = datetime.now(UTC)
        assert len(matcher.match(WANTED_PLATE, now, max_unknown=1)) == 1
        assert matcher.match("777WAN02", now, max_unknown=1) == []
        calibration = enforcement.calibration(session, device_code="SPD-CAM-1")
        assert calibration is not None and calibration.rms_m < 0.5
        point = enforcement.point(session, device_code="X-CAM-1")
        assert point is not None and point.lamp_roi == list(LAMP_ROI)
        assert point.stop_line == [list(p) for p in STOP_LINE]
        assert enforcement.calibration(session, device_code="PUB-CAM-1") is None
        homography = enforcement.homography_of(calibration)
    assert homography is not None
    # The marks' own scale: the near ends of two dashes of the lane line, one dash-and-gap cycle (6.1 m) apart.
    near, far = homography.project([(320.0, 304.0), (406.0, 145.0)])
    assert abs(float(((near - far) ** 2).sum() ** 0.5) - 6.095) < 0.5
    assert isinstance(homography, measure.Homography)


def test_an_administrators_own_calibration_is_kept(db: Database) -> None:
    add_camera(db, "SPD-CAM-2", purpose="speed")
    marks = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]
    with db.unit_of_work() as session:
        own = enforcement.calibrate(session, device_code="SPD-CAM-2", image=marks,
                                    plane=[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)], actor=CLI_ACTOR)
        own_id = own.id
        assert seed_demo(session, actor=CLI_ACTOR).calibrated == []
    with db.reading() as session:
        kept = enforcement.calibration(session, device_code="SPD-CAM-2")
        assert kept is not None and kept.id == own_id


@pytest.mark.timeout(60)
def test_the_command_says_what_it_did(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir_from(sqlite_template, tmp_path, monkeypatch)
    said = run("roads", "seed-demo")
    assert "watch list added, wanted plate added, calibrated 0 speed cameras" in said, said
    assert "watch list present, wanted plate present" in run("roads", "seed-demo")

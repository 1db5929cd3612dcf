"""Homography, spot speed on synthetic tracks, section speed, stop-line crossing and the red lamp."""

from __future__ import annotations

import numpy as np
import pytest

from qorgau.roads.enforcement import measure
from qorgau.roads.enforcement.measure import CalibrationProblem, Homography, NoMeasurement
from tests.roads.enforcement.synthetic import IMAGE_TO_PLANE, calibration_pairs, track


def _calibrated() -> Homography:
    found = measure.fit_homography(*calibration_pairs())
    assert isinstance(found, Homography)
    return found


def test_homography_recovers_the_plane_and_reports_its_error() -> None:
    found = _calibrated()
    expected = IMAGE_TO_PLANE / IMAGE_TO_PLANE[2, 2]
    assert np.allclose(np.asarray(found.matrix), expected, rtol=1e-5, atol=1e-7)
    assert found.rms_m < 1e-6
    noisy = measure.fit_homography(*calibration_pairs(np.random.default_rng(1), click_px=2.0))
    assert isinstance(noisy, Homography) and 0.01 < noisy.rms_m < 1.0 and noisy.max_m >= noisy.rms_m


def test_bad_calibrations_are_refused_with_the_reason() -> None:
    image, plane = calibration_pairs()
    assert measure.fit_homography(image[:3], plane[:3]) is CalibrationProblem.TOO_FEW_PAIRS
    assert measure.fit_homography([image[0]] * 4, plane[:4]) is CalibrationProblem.DUPLICATE_POINTS
    line = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (5.0, 9.0)]
    assert measure.fit_homography(line, plane[:4]) is CalibrationProblem.DEGENERATE


@pytest.mark.parametrize("speed", [20.0, 50.0, 80.0, 100.0])
def test_spot_speed_within_two_kmh_with_jitter(speed: float) -> None:
    rng, homography = np.random.default_rng(int(speed)), _calibrated()
    for _ in range(20):
        times, boxes = track(speed, rng)
        found = measure.spot_speed(times, boxes, homography)
        assert isinstance(found, measure.SpotSpeed)
        assert abs(found.kmh - speed) < 2.0 and found.sigma_kmh < 2.0


def test_an_outlier_box_is_dropped() -> None:
    times, boxes = track(60.0, np.random.default_rng(3))
    x1, y1, x2, y2 = boxes[10]
    boxes[10] = (x1, y1 - 80, x2, y2 - 80)  # the tracker jumped to the car ahead for one frame
    found = measure.spot_speed(times, boxes, _calibrated())
    assert isinstance(found, measure.SpotSpeed)
    assert found.points_dropped >= 1 and abs(found.kmh - 60.0) < 2.0


def test_no_measurement_says_why() -> None:
    times, boxes = track(60.0, np.random.default_rng(4))
    assert measure.spot_speed(times, boxes, None) is NoMeasurement.UNCALIBRATED
    assert measure.spot_speed(times[:3], boxes[:3], _calibrated()) is NoMeasurement.TOO_FEW_POINTS
    still = [boxes[0]] * 10
    assert measure.spot_speed(times[:10], still, _calibrated()) is NoMeasurement.TOO_SHORT
    assert measure.spot_speed([0.0] * 10, boxes[:10], _calibrated()) is NoMeasurement.BAD_TIMES


def test_section_speed() -> None:
    assert measure.section_speed(1500.0, 100.0, 160.0) == pytest.approx(90.0)
    assert measure.section_speed(1500.0, 160.0, 100.0) is None


def test_stop_line_crossing_is_interpolated_and_bounded_by_the_line() -> None:
    line = ((100.0, 500.0), (700.0, 500.0))
    feet = [(400.0, 450.0 + 20.0 * i) for i in range(6)]  # crosses y=500 between i=2 and i=3 (at 2.5)
    times = [float(i) / 10 for i in range(6)]
    assert measure.crossing_time(times, feet, line) == pytest.approx(0.25)
    beside = [(900.0, y) for _, y in feet]
    assert measure.crossing_time(times, beside, line) is None


def _lamp_picture(colour: tuple[int, int, int]) -> np.ndarray:
    picture = np.full((120, 80, 3), 30, dtype=np.uint8)  # dark housing
    yy, xx = np.mgrid[:120, :80]
    picture[(yy - 30) ** 2 + (xx - 40) ** 2 < 15 ** 2] = colour  # the top (red) lamp
    return picture


def test_red_lamp_read_from_the_picture() -> None:
    roi = (20, 10, 40, 40)
    assert measure.red_lamp(_lamp_picture((40, 40, 240)), roi).red  # BGR: lit red
    assert not measure.red_lamp(_lamp_picture((60, 60, 70)), roi).red  # unlit
    assert not measure.red_lamp(_lamp_picture((60, 220, 60)), roi).red  # green where red should be
    assert not measure.red_lamp(_lamp_picture((40, 40, 240)), (0, 0, 0, 0)).red

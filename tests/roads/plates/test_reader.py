"""The plate reader on rendered vehicles (one reader per module: loading the models takes a while)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qorgau.roads.plates.reader import PlateRead, PlateReader, default_config
from qorgau.roads.plates.render import Degradation, random_text, render_vehicle
from qorgau.roads.plates.vote import vote


@pytest.fixture(scope="module")
def reader() -> PlateReader:
    return PlateReader(default_config())


def test_models_come_from_the_installed_wheel() -> None:
    config = default_config()
    assert config.det_model.is_file() and config.rec_model.is_file()
    assert "site-packages" in str(config.rec_model)


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="plate reading model missing"):
        PlateReader(replace(default_config(), rec_model=tmp_path / "absent.onnx"))


@pytest.mark.parametrize("format_code", ["kz_2012_private", "kz_2012_legal", "ru_private_2"])
def test_clear_plates_are_read_exactly(reader: PlateReader, format_code: str) -> None:
    rng = random.Random(12)
    exact = 0
    for _ in range(8):
        vehicle = render_vehicle(random_text(format_code, rng), format_code, Degradation.CLEAR, rng)
        read = reader.read(vehicle.image)
        assert read is not None
        exact += read.best is not None and read.best.text == vehicle.text
        # The plate found lies on the rendered plate.
        left, top, right, bottom = read.box
        plate = vehicle.plate_box
        assert left < plate[2] and right > plate[0] and top < plate[3] and bottom > plate[1]
    assert exact >= 7


def test_russian_plate_is_flagged_foreign(reader: PlateReader) -> None:
    vehicle = render_vehicle("A123BC64", "ru_private_2", Degradation.CLEAR, random.Random(5))
    read = reader.read(vehicle.image)
    assert read is not None and read.best is not None
    assert read.best.foreign and read.best.text == "A123BC64"


def test_a_vehicle_without_a_plate_gives_no_plate(reader: PlateReader) -> None:
    blank = np.full((240, 320, 3), 120, dtype=np.uint8)
    read = reader.read(blank)
    assert read is None or read.best is None


def test_a_tiny_or_empty_box_gives_no_read(reader: PlateReader) -> None:
    assert reader.read(np.zeros((10, 300, 3), dtype=np.uint8)) is None
    assert reader.read(np.zeros((0, 0, 3), dtype=np.uint8)) is None


def test_a_track_votes_its_frames_into_one_read(reader: PlateReader) -> None:
    rng = random.Random(7)
    text = "707AQS07"
    reads: list[PlateRead] = []
    for degradation in (Degradation.CLEAR, Degradation.BLUR, Degradation.DIRT, Degradation.NIGHT, Degradation.ANGLE):
        read = reader.read(render_vehicle(text, "kz_2012_private", degradation, rng).image)
        if read is not None:
            reads.append(read)
    track = vote(reads)
    assert track is not None
    assert track.candidate.text == text and track.frames >= 3
    assert 0.3 < track.confidence <= 1.0
    assert track.crop.size > 0


def test_settings_choose_the_models_and_default_to_the_wheel(tmp_path: Path) -> None:
    from qorgau.roads.plates.config import PlatesSettings, reader_config

    shipped = reader_config(PlatesSettings())
    assert shipped.rec_model == default_config().rec_model
    own = reader_config(PlatesSettings(plate_rec_model=tmp_path / "rec.onnx", plate_char_min_probability=0.6))
    assert own.rec_model == tmp_path / "rec.onnx" and own.char_min_probability == 0.6


@pytest.mark.parametrize("format_code", ["kz_police", "kz_diplomatic", "kz_motorcycle"])
def test_clear_special_plates_are_read_exactly_as_their_series(reader: PlateReader, format_code: str) -> None:
    rng = random.Random(21)
    exact = 0
    for _ in range(8):
        vehicle = render_vehicle(random_text(format_code, rng), format_code, Degradation.CLEAR, rng)
        read = reader.read(vehicle.image)
        assert read is not None
        exact += read.best is not None and (read.best.text, read.best.format_code) == (vehicle.text, format_code)
    assert exact >= 7


def test_a_motorcycle_plate_is_read_in_both_rows_and_the_crop_holds_both(reader: PlateReader) -> None:
    vehicle = render_vehicle("707AQS07", "kz_motorcycle", Degradation.CLEAR, random.Random(5))
    read = reader.read(vehicle.image)
    assert read is not None and read.best is not None
    assert (read.best.text, read.best.format_code) == ("707AQS07", "kz_motorcycle")
    _, top, _, bottom = read.box
    plate = vehicle.plate_box
    # The read's box covers most of the plate's height: both rows, not one.
    assert bottom - top > 0.7 * (plate[3] - plate[1]) and top < plate[1] + 8 and bottom > plate[3] - 8


def test_a_motorcycle_track_votes_into_a_motorcycle_read(reader: PlateReader) -> None:
    rng = random.Random(8)
    reads = [read for degradation in (Degradation.CLEAR, Degradation.BLUR, Degradation.NIGHT, Degradation.ANGLE)
             if (read := reader.read(render_vehicle("512KZT07", "kz_motorcycle", degradation, rng).image)) is not None]
    track = vote(reads)
    assert track is not None
    assert (track.candidate.text, track.candidate.format_code) == ("512KZT07", "kz_motorcycle")

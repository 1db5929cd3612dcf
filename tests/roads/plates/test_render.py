"""The plate renderer: each series in its layout and colours, placed on a vehicle at a size true to its plate."""

from __future__ import annotations

import random

import numpy as np

from qorgau.roads.plates.render import (
    PLATE_SIZE,
    SQUARE_PLATE_SIZE,
    Degradation,
    random_text,
    render_plate,
    render_vehicle,
)


def _ink_and_ground(plate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A light plate's main field: the median colour of its darkest tenth (the characters) and of its lightest part."""
    main = plate[8:-8, 40:-60].reshape(-1, 3).astype(np.int32)
    brightness = main.sum(axis=1)
    ink = np.median(main[brightness <= np.percentile(brightness, 10)], axis=0)
    ground = np.median(main[brightness >= np.percentile(brightness, 60)], axis=0)
    return ink, ground


def test_a_police_plate_has_dark_blue_characters_on_white() -> None:
    ink, ground = _ink_and_ground(render_plate("123KP02", "kz_police"))
    assert ground.min() > 200  # white
    assert ink[2] > ink[0] + 60 and ink[2] > ink[1] + 40  # blue dominates the characters


def test_a_diplomatic_plate_is_white_on_red() -> None:
    plate = render_plate("041D123", "kz_diplomatic")
    ground = plate[30, 120 - 60:120 - 40].reshape(-1, 3).astype(np.int32)
    red = np.median(plate[4:10, 60:200].reshape(-1, 3), axis=0)
    assert red[0] > 150 and red[1] < 60 and red[2] < 60
    assert ground.max() > 230  # white characters somewhere in the main field


def test_an_ordinary_plate_is_black_on_white() -> None:
    ink, ground = _ink_and_ground(render_plate("123ABC07", "kz_2012_private"))
    assert ground.min() > 200 and ink.max() < 60


def test_a_motorcycle_plate_is_square_with_two_rows_of_characters() -> None:
    plate = render_plate("123ABC07", "kz_motorcycle")
    assert plate.shape[:2] == (SQUARE_PLATE_SIZE[1], SQUARE_PLATE_SIZE[0])
    dark = (plate.sum(axis=2) < 200)[4:-4, 30:-6]  # right of the flag band, inside the frame
    rows_with_ink = dark.sum(axis=1) > 2
    # Ink in the upper half and in the lower half, with a clear band between the rows.
    middle = rows_with_ink.shape[0] // 2
    assert rows_with_ink[: middle - 4].sum() > 15 and rows_with_ink[middle + 4:].sum() > 15
    assert not rows_with_ink[middle - 5: middle + 2].all()


def test_a_motorcycle_plate_is_smaller_on_the_vehicle_than_a_cars() -> None:
    rng = random.Random(4)
    car = render_vehicle(random_text("kz_2012_private", rng), "kz_2012_private", Degradation.CLEAR, rng)
    rng = random.Random(4)
    moto = render_vehicle(random_text("kz_motorcycle", rng), "kz_motorcycle", Degradation.CLEAR, rng)
    car_width = car.plate_box[2] - car.plate_box[0]
    moto_width = moto.plate_box[2] - moto.plate_box[0]
    assert abs(moto_width / car_width - SQUARE_PLATE_SIZE[0] / PLATE_SIZE[0]) < 0.03
    moto_height = moto.plate_box[3] - moto.plate_box[1]
    assert abs(moto_height / moto_width - SQUARE_PLATE_SIZE[1] / SQUARE_PLATE_SIZE[0]) < 0.05


def test_rendering_is_deterministic_for_a_seed() -> None:
    first = render_vehicle("123KP02", "kz_police", Degradation.DIRT, random.Random(9))
    again = render_vehicle("123KP02", "kz_police", Degradation.DIRT, random.Random(9))
    assert np.array_equal(first.image, again.image) and first.plate_box == again.plate_box

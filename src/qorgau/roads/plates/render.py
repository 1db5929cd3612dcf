"""Synthetic plates for the reading bench, tests and the live model: a plate drawn as it looks, then degraded.

The layout follows the 2012 plate (white, black characters, the flag and KZ band on the left, the region code in
its own box on the right); the special series keep it in their own colours (police dark blue on white, diplomatic
white on red) and the motorcycle plate is square with two rows. The characters are drawn in DejaVu Sans Condensed
Bold, which is close to but not the official plate typeface, so real photographs remain the judge of the reader
(ADR 0040).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from qorgau.roads.plates.grammar import FORMATS_BY_CODE

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf")
# A plate is 520 x 112 mm; one pixel per 2 mm is plenty before the vehicle scale shrinks it.
PLATE_SIZE = (260, 56)
# The motorcycle plate's size is not in any source at hand (ADR 0040): drawn square-ish, 240 x 170 mm at 2 mm a pixel.
SQUARE_PLATE_SIZE = (120, 85)
Image3 = npt.NDArray[np.uint8]
RGB = tuple[int, int, int]
_WHITE: RGB = (245, 245, 240)
_BLACK: RGB = (10, 10, 10)


@dataclass(frozen=True, slots=True)
class PlateStyle:
    """A series' colours: the plate's ground, its characters and frame."""

    ground: RGB
    ink: RGB


# Colours as the sources describe them (ADR 0040): police plates carry dark-blue characters (de.wiki.li), diplomatic
# ones white characters on red (wikimili); every other format black on white.
STYLES: dict[str, PlateStyle] = {
    "kz_police": PlateStyle(_WHITE, (20, 45, 140)),
    "kz_diplomatic": PlateStyle((190, 25, 30), (250, 250, 250)),
}
_DEFAULT_STYLE = PlateStyle(_WHITE, _BLACK)


class Degradation(StrEnum):
    """How the bench spoils a rendered plate."""

    CLEAR = "clear"
    BLUR = "blur"
    ANGLE = "angle"
    NIGHT = "night"
    DIRT = "dirt"
    OCCLUSION = "occlusion"


@dataclass(frozen=True, slots=True)
class RenderedVehicle:
    """A vehicle crop with a plate on it, the text on the plate and where the plate lies in the crop."""

    image: Image3
    text: str
    format_code: str
    plate_box: tuple[int, int, int, int]


def _font(size: int, font_path: Path) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path), size)


def _draw_centered(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str,
                   font: ImageFont.FreeTypeFont, ink: RGB = _BLACK) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = box[0] + (box[2] - box[0] - (right - left)) / 2 - left
    y = box[1] + (box[3] - box[1] - (bottom - top)) / 2 - top
    draw.text((x, y), text, fill=ink, font=font)


def _flag(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], font_path: Path, ink: RGB) -> None:
    """The flag (sky blue with the golden sun) in the top part of the box, KZ under it."""
    left, top, right, bottom = box
    flag_bottom = top + (bottom - top) * 9 // 16
    draw.rectangle((left, top, right, flag_bottom), fill=(0, 175, 202))
    radius = min(right - left, flag_bottom - top) // 3
    centre = ((left + right) // 2, (top + flag_bottom) // 2)
    draw.ellipse((centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius), fill=(254, 197, 0))
    size = max(8, (bottom - flag_bottom) * 3 // 4)
    _draw_centered(draw, (left - 1, flag_bottom + 1, right + 1, bottom), "KZ", _font(size, font_path), ink)


def _render_two_rows(text: str, format_code: str, font_path: Path) -> Image3:
    """A square plate: the flag band and the digits in the top row, the letters and the region box under them."""
    width, height = SQUARE_PLATE_SIZE
    style = STYLES.get(format_code, _DEFAULT_STYLE)
    plate = Image.new("RGB", SQUARE_PLATE_SIZE, style.ground)
    draw = ImageDraw.Draw(plate)
    draw.rounded_rectangle((1, 1, width - 2, height - 2), radius=4, outline=style.ink, width=2)
    plate_format = FORMATS_BY_CODE[format_code]
    top_length = plate_format.groups[0]
    start, end = plate_format.region_span
    middle = height // 2
    _flag(draw, (6, 6, 24, middle - 2), font_path, style.ink)
    font = _font(34, font_path)
    _draw_centered(draw, (26, 3, width - 6, middle), text[:top_length], font, style.ink)
    box_left = width - 38
    draw.line((box_left, middle + 2, box_left, height - 5), fill=style.ink, width=2)
    _draw_centered(draw, (4, middle, box_left - 2, height - 4), text[top_length:start], font, style.ink)
    region_font = _font(28, font_path)
    _draw_centered(draw, (box_left + 2, middle, width - 4, height - 4), text[start:end], region_font, style.ink)
    return np.asarray(plate, dtype=np.uint8)


def render_plate(text: str, format_code: str, font_path: Path = FONT_PATH) -> Image3:
    """The plate's picture (RGB) for a normalized text of a known format."""
    plate_format = FORMATS_BY_CODE[format_code]
    if plate_format.rows == 2:
        return _render_two_rows(text, format_code, font_path)
    width, height = PLATE_SIZE
    style = STYLES.get(format_code, _DEFAULT_STYLE)
    plate = Image.new("RGB", PLATE_SIZE, style.ground)
    draw = ImageDraw.Draw(plate)
    draw.rounded_rectangle((1, 1, width - 2, height - 2), radius=5, outline=style.ink, width=2)
    start, end = plate_format.region_span
    russian = plate_format.country.value == "RU"
    band = 0 if russian else 34
    if band:
        # The flag: sky blue with the golden sun, KZ under it.
        draw.rectangle((5, 6, 5 + band - 6, 28), fill=(0, 175, 202))
        draw.ellipse((13, 10, 25, 22), fill=(254, 197, 0))
        _draw_centered(draw, (4, 30, band, height - 6), "KZ", _font(15, font_path), style.ink)
    has_region_box = plate_format.region_span[1] == len(text)
    main = text[:start] if has_region_box else text
    right_box = 58 if has_region_box else 0
    if has_region_box:
        x = width - right_box
        draw.line((x, 3, x, height - 4), fill=style.ink, width=2)
        region_box = (x + 2, 4, width - 4, height - (18 if russian else 4))
        _draw_centered(draw, region_box, text[start:end], _font(36 if russian else 42, font_path), style.ink)
        if russian:
            _draw_centered(draw, (x + 2, height - 20, width - 4, height - 4), "RUS", _font(12, font_path), style.ink)
    groups: list[str] = []
    position = 0
    for length in plate_format.groups:
        if position < len(main):
            groups.append(main[position:position + length])
        position += length
    main_box = (band + 2, 3, width - right_box - 2, height - 3)
    main_text = " ".join(groups)
    size = 44
    while size > 20 and draw.textlength(main_text, font=_font(size, font_path)) > main_box[2] - main_box[0] - 6:
        size -= 2
    _draw_centered(draw, main_box, main_text, _font(size, font_path), style.ink)
    return np.asarray(plate, dtype=np.uint8)


def degrade(plate: Image3, degradation: Degradation, rng: random.Random) -> Image3:
    """The plate spoiled in one way (clear returns it unchanged)."""
    image: npt.NDArray[Any] = plate.astype(np.float32)
    height, width = plate.shape[:2]
    if degradation is Degradation.BLUR:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(1.0, 2.2))
    elif degradation is Degradation.ANGLE:
        shift_x = rng.uniform(0.08, 0.18) * width * rng.choice((-1, 1))
        shift_y = rng.uniform(0.05, 0.15) * height * rng.choice((-1, 1))
        source = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
        target = np.array([[max(shift_x, 0), max(shift_y, 0)], [width + min(shift_x, 0), max(-shift_y, 0)],
                             [width + min(shift_x, 0), height - max(-shift_y, 0)],
                             [max(shift_x, 0), height - max(shift_y, 0)]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(source, target)
        image = cv2.warpPerspective(image, matrix, (width, height), borderValue=(60.0, 60.0, 60.0))
    elif degradation is Degradation.NIGHT:
        noise = np.random.default_rng(rng.getrandbits(32)).normal(0.0, 9.0, image.shape)
        image = image * rng.uniform(0.25, 0.45) + noise
    elif degradation is Degradation.DIRT:
        overlay = image.copy()
        for _ in range(rng.randint(4, 9)):
            centre = (rng.randrange(width), rng.randrange(height))
            axes = (rng.randint(6, 22), rng.randint(3, 10))
            cv2.ellipse(overlay, centre, axes, rng.uniform(0, 180), 0, 360, (95.0, 80.0, 60.0), -1)
        image = cv2.addWeighted(overlay, 0.45, image, 0.55, 0.0)
    elif degradation is Degradation.OCCLUSION:
        # Something in front (a tow bar, a bumper sticker) hides part of one character.
        left = rng.randrange(40, width - 70)
        top = rng.choice((0, height // 2))
        cv2.rectangle(image, (left, top), (left + rng.randint(10, 18), top + height // 2), (40.0, 40.0, 40.0), -1)
    spoiled: Image3 = np.clip(image, 0, 255).astype(np.uint8)
    return spoiled


def random_text(format_code: str, rng: random.Random) -> str:
    """A random plate text of a format (regions drawn from those the grammar accepts)."""
    from qorgau.roads.plates.grammar import RegionKind
    from qorgau.roads.plates.regions import REGIONS_BY_CODE, REGIONS_BY_LETTER

    slots = FORMATS_BY_CODE[format_code].slots
    kind = FORMATS_BY_CODE[format_code].region_kind
    chars = [rng.choice("0123456789" if s == "9" else "ABEKMHOPCTYX" if s == "R" else "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
             for s in slots]
    start, end = FORMATS_BY_CODE[format_code].region_span
    if kind is RegionKind.KZ_CODE:
        chars[start:end] = rng.choice(sorted(REGIONS_BY_CODE))
    elif kind is RegionKind.KZ_LETTER:
        chars[start:end] = rng.choice(sorted(REGIONS_BY_LETTER))
    elif kind is RegionKind.RU_CODE and end - start == 3:
        chars[start] = rng.choice("17")
    elif kind is RegionKind.RU_CODE and chars[start:end] == ["0", "0"]:
        chars[end - 1] = "1"
    for first, last, marks in FORMATS_BY_CODE[format_code].fixed:  # a series mark (D or T on a diplomatic plate)
        chars[first:last] = rng.choice(sorted(marks))
    return "".join(chars)


def render_vehicle(text: str, format_code: str, degradation: Degradation, rng: random.Random,
                   font_path: Path = FONT_PATH) -> RenderedVehicle:
    """A vehicle-sized crop, BGR like a decoded frame (a plain body, a darker bumper), with the degraded plate
    where a plate sits."""
    plate: npt.NDArray[Any] = degrade(render_plate(text, format_code, font_path), degradation, rng)
    plate_width = rng.randint(110, 150)  # px: an entry camera sees a plate 110-150 px wide
    # A square plate is narrower on the road by its size (both are drawn at 2 mm a pixel).
    plate_width = round(plate_width * plate.shape[1] / PLATE_SIZE[0])
    plate_height = round(plate_width * plate.shape[0] / plate.shape[1])
    plate = cv2.resize(plate, (plate_width, plate_height), interpolation=cv2.INTER_AREA)
    width, height = rng.randint(300, 380), rng.randint(220, 280)
    colour = [rng.randint(30, 220) for _ in range(3)]
    vehicle: npt.NDArray[Any] = np.full((height, width, 3), colour, dtype=np.uint8)
    cv2.rectangle(vehicle, (0, int(height * 0.7)), (width, height), [c // 3 for c in colour], -1)
    left = (width - plate_width) // 2 + rng.randint(-20, 20)
    top = int(height * 0.72) + rng.randint(-8, 8)
    vehicle[top:top + plate_height, left:left + plate_width] = plate
    if degradation is Degradation.NIGHT:
        vehicle[: top] = (vehicle[: top] * 0.3).astype(np.uint8)
    bgr = np.ascontiguousarray(vehicle[:, :, ::-1])
    return RenderedVehicle(bgr, text, format_code, (left, top, left + plate_width, top + plate_height))

"""Plate reading settings: which OCR models read plates, how sure a character must be to be kept, and what a
read says of lanes and direction."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field, field_validator

from qorgau.core.settings import CoreSettings

if TYPE_CHECKING:  # the reader pulls in OpenCV and onnxruntime: not for every program that reads the settings
    from qorgau.roads.plates.reader import PlateReaderConfig


class PlatesSettings(CoreSettings):
    """Reading number plates (`QORGAU_PLATE_*`)."""

    section: ClassVar[str] = "Number plate reading"

    plate_det_model: Path | None = Field(
        default=None, title="Plate text detector model",
        description="ONNX text detector (PP-OCR DB) that finds the plate's text in a vehicle box; empty: the "
                    "PP-OCRv6 small detector shipped in the installed rapidocr wheel (nothing is downloaded).",
    )
    plate_rec_model: Path | None = Field(
        default=None, title="Plate text recogniser model",
        description="ONNX text recogniser (PP-OCR CTC, its character list in the model's metadata); empty: the "
                    "PP-OCRv6 small recogniser shipped in the installed rapidocr wheel.",
    )
    plate_reading_groups: list[str] = Field(
        default_factory=lambda: ["city_entry_anpr"], title="Plate-reading camera groups",
        description="Vehicles seen by cameras of these groups have their plates read (the city entries by default; "
                    "add speed and intersection to read plates there too, at the cost of analysing those cameras).",
    )
    plate_char_min_probability: float = Field(
        default=0.45, ge=0.0, le=1.0, title="Least character probability",
        description="A character the recogniser gives less probability than this is read as unknown (?), so a "
                    "poor read is partial rather than wrong.",
    )
    plate_lane_lines: dict[str, list[list[list[float]]]] = Field(
        default_factory=dict, title="Lane lines per camera",
        description="Camera code → the lines between its lanes, each two points [x, y] as shares (0–1) of the "
                    "picture; a read's lane is counted from the left of the picture at the vehicle's road contact. "
                    "A camera without lines reads no lane.",
    )
    plate_entry_cameras_facing_town: list[str] = Field(
        default_factory=list, title="City-entry cameras facing the town",
        description="Codes of city-entry cameras that look towards the town: a vehicle coming towards them "
                    "leaves. The others look out of town, so a vehicle coming towards them enters.",
    )

    @field_validator("plate_lane_lines")
    @classmethod
    def _lines(cls, value: dict[str, list[list[list[float]]]]) -> dict[str, list[list[list[float]]]]:
        for code, lines in value.items():
            for line in lines:
                if len(line) != 2 or any(len(p) != 2 or not all(0.0 <= c <= 1.0 for c in p) for p in line):
                    raise ValueError(f"{code}: a lane line is two points [x, y] with shares between 0 and 1")
        return value


def reader_config(settings: PlatesSettings) -> PlateReaderConfig:
    """The reader's configuration from the settings (the wheel's models where none is set)."""
    from qorgau.roads.plates.reader import PlateReaderConfig, default_config

    shipped = default_config()
    return PlateReaderConfig(
        det_model=settings.plate_det_model or shipped.det_model,
        rec_model=settings.plate_rec_model or shipped.rec_model,
        char_min_probability=settings.plate_char_min_probability,
    )

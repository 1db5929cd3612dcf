"""Plate reading settings: which OCR models read plates, and how sure a character must be to be kept."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

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


def reader_config(settings: PlatesSettings) -> PlateReaderConfig:
    """The reader's configuration from the settings (the wheel's models where none is set)."""
    from qorgau.roads.plates.reader import PlateReaderConfig, default_config

    shipped = default_config()
    return PlateReaderConfig(
        det_model=settings.plate_det_model or shipped.det_model,
        rec_model=settings.plate_rec_model or shipped.rec_model,
        char_min_probability=settings.plate_char_min_probability,
    )

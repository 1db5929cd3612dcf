"""Reading a plate from a vehicle crop on one CPU core with the PP-OCR models that ship in the rapidocr wheel.

The text detector finds text lines in the lower part of the vehicle box; the lines of the plate are joined into one
crop, the recogniser reads it with its output restricted to the characters plates carry, and the grammar decides
what the read may be. Characters the recogniser is unsure of become `?`, so a poor read is partial, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from qorgau.roads.plates.grammar import PlateCandidate, parse

Image3 = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]
PLATE_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZАВЕКМНОРСТУХ")
REC_HEIGHT = 48
MIN_VEHICLE_PX = 24  # smaller boxes hold no readable plate (and would resize to nothing)


def wheel_model_dir() -> Path:
    """Where the rapidocr wheel keeps its ONNX models (found without importing rapidocr, which logs on import)."""
    import importlib.util

    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the rapidocr wheel is not installed")
    return Path(spec.origin).parent / "models"


@dataclass(frozen=True, slots=True)
class PlateReaderConfig:
    """Where the models are and how sure the reader must be."""

    det_model: Path
    rec_model: Path
    search_from: float = 0.35  # the plate is in the lower part of a vehicle box: skip the top 35 %
    det_threshold: float = 0.3
    char_min_probability: float = 0.45  # below this a character is read as unknown
    det_long_side: int = 320
    # The recogniser sees one time step per 8 px of width; a plate line is short and dense, and CTC merges a
    # repeated character (77) that no blank step separates, so the crop is widened before reading.
    rec_stretch: float = 1.6


def default_config() -> PlateReaderConfig:
    """The PP-OCRv6 small detector and recogniser shipped in the rapidocr wheel."""
    models = wheel_model_dir()
    return PlateReaderConfig(det_model=models / "PP-OCRv6_det_small.onnx", rec_model=models / "PP-OCRv6_rec_small.onnx")


@dataclass(frozen=True, slots=True)
class PlateRead:
    """One frame's read: the raw text, its grammar candidates, the OCR's confidence and the plate crop."""

    raw: str
    candidates: tuple[PlateCandidate, ...]
    ocr_confidence: float
    box: tuple[int, int, int, int]
    crop: Image3

    @property
    def best(self) -> PlateCandidate | None:
        """The most plausible candidate, if any."""
        return self.candidates[0] if self.candidates else None


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    # One core per reader, like the detector, so the time per vehicle is honest and workers scale by process.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


class PlateReader:
    """Finds and reads the plate in vehicle crops; one instance per worker process (the sessions are not shared)."""

    def __init__(self, config: PlateReaderConfig) -> None:
        for path in (config.det_model, config.rec_model):
            if not path.is_file():
                raise FileNotFoundError(f"plate reading model missing: {path}")
        self.config = config
        self._det = _session(config.det_model)
        self._rec = _session(config.rec_model)
        characters = self._rec.get_modelmeta().custom_metadata_map["character"].splitlines()
        # CTC classes: 0 is the blank, then the dictionary, then a space.
        classes = ["", *characters, " "]
        self._allowed = np.array([0] + [i for i, c in enumerate(classes) if c in PLATE_CHARACTERS], dtype=np.int64)
        self._allowed_chars = [classes[i] for i in self._allowed]

    def _find_lines(self, region: Image3) -> list[tuple[int, int, int, int]]:
        """Text-line boxes in the region, from the detector's probability map."""
        height, width = region.shape[:2]
        scale = self.config.det_long_side / max(height, width)
        det_w = max(32, round(width * scale / 32) * 32)
        det_h = max(32, round(height * scale / 32) * 32)
        resized = cv2.resize(region, (det_w, det_h)).astype(np.float32) / 255.0
        # The normalisation rapidocr's configuration gives the PP-OCRv6 detector.
        mean = np.array([0.5, 0.5, 0.5], dtype=np.float32)
        std = np.array([0.5, 0.5, 0.5], dtype=np.float32)
        tensor = ((resized - mean) / std).transpose(2, 0, 1)[None]
        probability = self._det.run(None, {"x": tensor})[0][0, 0]
        mask = (probability > self.config.det_threshold).astype(np.uint8)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes: list[tuple[int, int, int, int]] = []
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if w < 4 or h < 3:
                continue
            # The map marks a shrunk core of each text line; grow it back (about what DB's unclip does).
            pad_x, pad_y = h * 0.6, h * 0.6
            boxes.append((
                max(0, int((x - pad_x) * width / det_w)), max(0, int((y - pad_y) * height / det_h)),
                min(width, int((x + w + pad_x) * width / det_w)), min(height, int((y + h + pad_y) * height / det_h)),
            ))
        return boxes

    def _plate_box(self, boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int] | None:
        """The widest line joined with the lines beside it (the region code sits in its own box)."""
        if not boxes:
            return None
        return _with_level_lines(max(boxes, key=lambda b: b[2] - b[0]), boxes)

    def _read_two_rows(self, region: Image3, rows: tuple[Box, Box], offset: int) -> PlateRead | None:
        """A square plate's rows read one by one and joined top first; None when the join fits no two-row format
        (then the line was no second row of a plate, and the one-row read stands)."""
        upper, lower = rows
        # The grown boxes of two close rows overlap: split the overlap between them, so neither crop holds a strip
        # of the other row's characters.
        if upper[3] > lower[1]:
            middle = (upper[3] + lower[1]) // 2
            upper, lower = (upper[0], upper[1], upper[2], middle), (lower[0], middle, lower[2], lower[3])
        texts: list[str] = []
        confidences: list[float] = []
        for left, top, right, bottom in (upper, lower):
            text, confidence = self.recognise(region[top:bottom, left:right])
            texts.append(text)
            confidences.append(confidence)
        raw = "".join(texts)
        candidates = tuple(parse(raw, rows=2))
        if not candidates:
            return None
        left, top = min(r[0] for r in rows), min(r[1] for r in rows)
        right, bottom = max(r[2] for r in rows), max(r[3] for r in rows)
        return PlateRead(raw=raw, candidates=candidates, ocr_confidence=float(np.sqrt(confidences[0] * confidences[1])),
                         box=(left, top + offset, right, bottom + offset), crop=region[top:bottom, left:right].copy())

    def recognise(self, crop: Image3) -> tuple[str, float]:
        """The text in a plate crop (restricted to plate characters; unsure characters as `?`) and its confidence."""
        height, width = crop.shape[:2]
        rec_w = max(REC_HEIGHT, min(800, round(self.config.rec_stretch * width * REC_HEIGHT / max(height, 1))))
        resized = cv2.resize(crop, (rec_w, REC_HEIGHT)).astype(np.float32) / 255.0
        tensor = ((resized - 0.5) / 0.5).transpose(2, 0, 1)[None]
        scores = self._rec.run(None, {"x": tensor})[0][0][:, self._allowed]
        best = scores.argmax(axis=1)
        text: list[str] = []
        probabilities: list[float] = []
        previous = -1
        for step, index in enumerate(best):
            if index != previous and index != 0:
                probability = float(scores[step, index])
                text.append(self._allowed_chars[index] if probability >= self.config.char_min_probability else "?")
                probabilities.append(probability)
            previous = int(index)
        confidence = float(np.prod(probabilities) ** (1 / len(probabilities))) if probabilities else 0.0
        return "".join(text), confidence

    def read(self, vehicle: Image3) -> PlateRead | None:
        """The plate read from a BGR vehicle crop (as OpenCV and the video pipeline hold pictures, and as PP-OCR was
        trained), or None when no text line is found there."""
        height, width = vehicle.shape[:2]
        if height < MIN_VEHICLE_PX or width < MIN_VEHICLE_PX:
            return None
        offset = int(height * self.config.search_from)
        region = vehicle[offset:]
        lines = self._find_lines(region)
        box = self._plate_box(lines)
        if box is None:
            return None
        # A square plate (motorcycle) has a second row right above or below the widest one.
        second = _second_row(box, lines)
        if second is not None:
            two_rows = self._read_two_rows(region, (box, second) if box[1] < second[1] else (second, box), offset)
            if two_rows is not None:
                return two_rows
        left, top, right, bottom = box
        if right - left < 4 or bottom - top < 4:
            return None
        crop = region[top:bottom, left:right]
        raw, confidence = self.recognise(crop)
        return PlateRead(
            raw=raw, candidates=tuple(parse(raw)), ocr_confidence=confidence,
            box=(left, top + offset, right, bottom + offset), crop=crop.copy(),
        )


def _with_level_lines(anchor: Box, boxes: list[Box]) -> Box:
    """The anchor line joined with the lines level with it (the region code sits in its own box)."""
    left, top, right, bottom = anchor
    for box in boxes:
        overlap = min(bottom, box[3]) - max(top, box[1])
        if overlap > 0.5 * min(bottom - top, box[3] - box[1]):
            left, right = min(left, box[0]), max(right, box[2])
            top, bottom = min(top, box[1]), max(bottom, box[3])
    return left, top, right, bottom


def _second_row(plate: Box, boxes: list[Box]) -> Box | None:
    """A text line stacked right above or below the plate line and under most of it: a square plate's other row."""
    height = plate[3] - plate[1]
    best: tuple[int, Box] | None = None
    for box in boxes:
        gap = max(box[1] - plate[3], plate[1] - box[3])  # negative when the lines overlap in height
        across = min(plate[2], box[2]) - max(plate[0], box[0])
        narrower = min(plate[2] - plate[0], box[2] - box[0])
        box_height = box[3] - box[1]
        # Stacked, not level (a line level with the plate is its region box, see `_with_level_lines`); close (the
        # detector's boxes are grown, so a square plate's rows overlap a little); under most of it; of a like height.
        level = -gap > 0.5 * min(height, box[3] - box[1])
        if (not level and gap < 0.8 * height and across > 0.5 * narrower
                and 0.5 * height < box_height < 2.0 * height and (best is None or gap < best[0])):
            best = (gap, box)
    return None if best is None else _with_level_lines(best[1], boxes)

"""Maintainers: measure the activation ranges the INT8 detector model is quantised with, once per FP32 model.

Runs the verified FP32 NanoDet on 48 frames (12 each, spread over the three road clips and vtest.avi, through the
detector's own letterbox and normalisation) with onnxruntime's MinMax calibration and writes its calibration cache
to ``src/qorgau/video/analytics/nanodet_int8_ranges.json``, which is committed: `qorgau video model setup` then
quantises from it without any calibration data, reproducibly. After running this, `qorgau video model setup
--record` records the new INT8 checksum in the manifest (ADR 0026).

Usage: .venv/bin/python bench/detector_calibrate.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

from qorgau.video.analytics.detector import DetectorOptions, OnnxDetector
from qorgau.video.analytics.model_setup import RANGES_PATH, default_model_path, load_manifest, setup_model

ROOT = Path(__file__).resolve().parents[1]
CLIPS = [ROOT.parent / "shared" / "data" / "video" / name
         for name in ("highway-cctv.avi", "road-3lane.avi", "road-640x360.avi")]
CLIPS.append(Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi"))
PER_CLIP, EVERY = 12, 29


class Frames(CalibrationDataReader):  # type: ignore[misc]  # onnxruntime is untyped
    """The calibration inputs, one blob at a time."""

    def __init__(self, name: str, blobs: list[npt.NDArray[np.float32]]) -> None:
        self.name = name
        self.blobs = iter(blobs)

    def get_next(self) -> dict[str, npt.NDArray[np.float32]] | None:
        """The next input, or None when done."""
        blob = next(self.blobs, None)
        return None if blob is None else {self.name: blob}


def main() -> None:
    """Calibrate and write the ranges file."""
    path = setup_model(fp32_only=True)[0]
    detector = OnnxDetector(DetectorOptions(model=path, sha256=load_manifest().sha256))
    blobs = []
    for clip in CLIPS:
        capture = cv2.VideoCapture(str(clip))
        index = taken = 0
        while taken < PER_CLIP:
            ok, frame = capture.read()
            if not ok:
                break
            if index % EVERY == 0:
                blobs.append(detector.blob(np.asarray(frame, dtype=np.uint8))[0])
                taken += 1
            index += 1
        capture.release()
    RANGES_PATH.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        quantize_static(str(default_model_path()), str(Path(tmp) / "int8.onnx"),
                        Frames(detector.input_name, blobs), quant_format=QuantFormat.QDQ,
                        op_types_to_quantize=["Conv"], per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, calibration_cache_path=str(RANGES_PATH))
    print(f"{RANGES_PATH} from {len(blobs)} frames")


if __name__ == "__main__":
    main()

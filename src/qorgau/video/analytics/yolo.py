"""YOLO export decoding, for a deployment that brings its own model (``video_detector_family = "yolo"``).

Two layouts, told apart by the output's shape ``(1, a, b)``:
- YOLOv8/v11 (Ultralytics ONNX export): ``(1, 4 + classes, anchors)``, rows cx, cy, w, h then class scores; channels
  first, so ``a < b``.
- YOLOv5/v7: ``(1, anchors, 5 + classes)``, columns cx, cy, w, h, objectness, class probabilities; the score is
  objectness × class probability.
Coordinates are in input pixels; sigmoids are part of both exports' graphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]
Layout = Literal["v8", "v5"]


def anchor_counts(size: int) -> dict[int, Layout]:
    """Rows an export of this input size has: one per cell (v8) or three (v5), strides 8–32 or 8–64 (P6)."""
    counts: dict[int, Layout] = {}
    for strides in ((8, 16, 32), (8, 16, 32, 64)):
        cells = sum((size // s) ** 2 for s in strides)
        counts[cells] = "v8"
        counts[3 * cells] = "v5"
    return counts


def plan_layout(shapes: Sequence[Sequence[int]], size: int) -> tuple[Layout, int]:
    """The layout and the number of classes; raises ValueError for shapes no YOLO export of this size has."""
    if not shapes:
        raise ValueError("no outputs")
    shape = shapes[0]
    if len(shape) != 3 or shape[0] != 1 or not all(isinstance(d, int) and d > 0 for d in shape[1:]):
        raise ValueError(f"first output has shape {list(shape)}, a YOLO export has (1, rows, columns)")
    a, b = int(shape[1]), int(shape[2])
    layout, anchors, channels = ("v8", b, a) if a < b else ("v5", a, b)
    expected = anchor_counts(size)
    if expected.get(anchors) != layout:
        known = ", ".join(f"{n} ({kind})" for n, kind in expected.items())
        raise ValueError(f"output (1, {a}, {b}) has {anchors} rows; a {size} px YOLO export has {known}")
    classes = channels - (4 if layout == "v8" else 5)
    if classes < 1:
        raise ValueError(f"output (1, {a}, {b}) leaves no class scores")
    return layout, classes


def decode(output: Floats, layout: Layout, wanted: npt.NDArray[np.intp], threshold: float | Floats
           ) -> tuple[Floats, Floats, npt.NDArray[np.intp]]:
    """Boxes (x1, y1, x2, y2 in input pixels), scores and class indices (into ``wanted``) above the threshold
    (one, or one per wanted class)."""
    rows = output[0].T if layout == "v8" else output[0]
    scores = rows[:, 4:][:, wanted] if layout == "v8" else rows[:, 5:][:, wanted] * rows[:, 4:5]
    anchors, cls = np.nonzero(scores > threshold)
    cx, cy, w, h = (rows[anchors, i] for i in range(4))
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)
    return boxes, scores[anchors, cls].astype(np.float32), cls.astype(np.intp)

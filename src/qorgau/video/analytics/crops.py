"""Which parts of a frame the detector looks at, and non-maximum suppression of what it finds there.

The detector runs where there was motion: each moving region grows by a margin (motion often covers only part of an
object), is widened to a minimum size (a crop of a few pixels, blown up to the model's input, is not what the model
was trained on), and overlapping crops merge. Many or large crops cost more than one look at the whole frame, so
then the whole frame is used.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from qorgau.video.analytics.contracts import PixelBox

MAX_CROPS = 4  # more crops than this: one look at the whole frame is cheaper
WHOLE_FRAME_SHARE = 0.6  # crops covering more of the frame than this: the whole frame
MARGIN = 0.25  # share of a region's larger side added on each side
MIN_SIDE_SHARE = 0.6  # a crop is at least this share of the model's input size (when the frame allows)
MAX_ASPECT = 2.0  # merged crops stay within this ratio of long to short side


def _grow(box: PixelBox, width: int, height: int, min_side: int) -> PixelBox:
    x1, y1, x2, y2 = box
    pad = int(MARGIN * max(x2 - x1, y2 - y1)) + 8
    x1, y1, x2, y2 = x1 - pad, y1 - pad, x2 + pad, y2 + pad
    if x2 - x1 < min_side:
        cx = (x1 + x2) // 2
        x1, x2 = cx - min_side // 2, cx + min_side - min_side // 2
    if y2 - y1 < min_side:
        cy = (y1 + y2) // 2
        y1, y2 = cy - min_side // 2, cy + min_side - min_side // 2
    # Shift back inside the frame before clipping, so a crop at the edge keeps its size.
    if x1 < 0:
        x1, x2 = 0, x2 - x1
    if y1 < 0:
        y1, y2 = 0, y2 - y1
    if x2 > width:
        x1, x2 = x1 - (x2 - width), width
    if y2 > height:
        y1, y2 = y1 - (y2 - height), height
    return max(0, x1), max(0, y1), min(width, x2), min(height, y2)


def _union(a: PixelBox, b: PixelBox) -> PixelBox | None:
    """The box around two overlapping crops, unless it would be long and thin: letterboxed into the square input,
    a strip loses most of its resolution, so such crops stay apart (their overlap is left to suppression)."""
    if not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]):
        return None
    union = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
    w, h = union[2] - union[0], union[3] - union[1]
    return union if max(w, h) <= MAX_ASPECT * min(w, h) else None


def plan_crops(regions: Sequence[PixelBox], width: int, height: int, input_size: int) -> list[PixelBox]:
    """The crops (pixels of the frame) to run the detector on for these motion regions."""
    whole: list[PixelBox] = [(0, 0, width, height)]
    min_side = int(input_size * MIN_SIDE_SHARE)
    crops = [_grow(r, width, height, min_side) for r in regions if r[2] > r[0] and r[3] > r[1]]
    merged = True
    while merged:  # merge until no two crops can
        merged = False
        for i in range(len(crops)):
            for j in range(i + 1, len(crops)):
                union = _union(crops[i], crops[j])
                if union is not None:
                    crops.pop(j)
                    crops[i] = union
                    merged = True
                    break
            if merged:
                break
    area = sum((c[2] - c[0]) * (c[3] - c[1]) for c in crops)
    if len(crops) > MAX_CROPS or area > WHOLE_FRAME_SHARE * width * height:
        return whole
    return crops


def nms(boxes: npt.NDArray[np.float32], scores: npt.NDArray[np.float32], groups: npt.NDArray[np.intp],
        iou: float, contain: float = 1.0) -> list[int]:
    """Indices kept by greedy non-maximum suppression within each group, best score first.

    A lower-scoring box goes when its overlap with a kept one exceeds ``iou`` of their union, or ``contain`` of
    its own area (1.0: never). The second test removes the part-boxes a one-stage detector also fires on an object
    it is unsure of (the front half of a car seen from above, a third of a bus): they lie inside the whole box, so
    their IoU with it stays under 0.5 and plain suppression keeps them as extra objects."""
    keep: list[int] = []
    for group in np.unique(groups):
        idx = np.nonzero(groups == group)[0]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        while idx.size:
            best = int(idx[0])
            keep.append(best)
            rest = idx[1:]
            b = boxes[best]
            r = boxes[rest]
            iw = np.clip(np.minimum(b[2], r[:, 2]) - np.maximum(b[0], r[:, 0]), 0, None)
            ih = np.clip(np.minimum(b[3], r[:, 3]) - np.maximum(b[1], r[:, 1]), 0, None)
            inter = iw * ih
            own = (r[:, 2] - r[:, 0]) * (r[:, 3] - r[:, 1])
            union = (b[2] - b[0]) * (b[3] - b[1]) + own - inter
            idx = rest[(inter <= iou * np.maximum(union, 1e-9)) & (inter <= contain * np.maximum(own, 1e-9))]
    keep.sort(key=lambda i: -float(scores[i]))
    return keep

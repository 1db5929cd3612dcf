"""NanoDet (GFL head) output decoding: per level, class scores and a distribution over distances per box side.

The human-models NanoDet-m has three levels (strides 8, 16, 32 at 416 px: 52², 26², 13² cells); each level gives
``(1, cells, classes)`` scores (sigmoid already applied) and ``(1, cells, 4 × (reg_max + 1))`` logits of the distances
left, top, right, bottom in units of the stride. Where human's JavaScript takes the arg-max bin, this takes the
expectation of the softmax (General Focal Loss, as NanoDet itself decodes), which places boxes to a fraction of a
stride. Cell centres sit at ``(col + 0.5) × stride`` (NanoDet before "Plus").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Level:
    """One feature level: which outputs hold its scores and box logits, its grid and stride."""

    scores: int  # index of the (1, cells, classes) output
    boxes: int  # index of the (1, cells, 4 × bins) output
    grid: int  # cells per side
    stride: int
    bins: int  # reg_max + 1


def plan_levels(shapes: Sequence[Sequence[int]], size: int, classes: int) -> list[Level]:
    """Pair the outputs into levels from their shapes; raises ValueError when they do not form a NanoDet head."""
    by_cells: dict[int, dict[str, int]] = {}
    for index, shape in enumerate(shapes):
        if len(shape) != 3 or shape[0] != 1:
            raise ValueError(f"output {index} has shape {list(shape)}, NanoDet outputs are (1, cells, channels)")
        kind = "scores" if shape[2] == classes else "boxes"
        by_cells.setdefault(int(shape[1]), {})[kind] = index
    levels = []
    for cells, pair in sorted(by_cells.items(), reverse=True):
        grid = round(cells ** 0.5)
        if "scores" not in pair or "boxes" not in pair or grid * grid != cells or size % grid:
            raise ValueError(f"outputs with {cells} cells do not pair as scores ({classes} classes) and boxes "
                             f"on a square grid dividing {size} px")
        channels = int(shapes[pair["boxes"]][2])
        if channels % 4 or channels < 8:
            raise ValueError(f"box output of {cells} cells has {channels} channels, not 4 × bins")
        levels.append(Level(pair["scores"], pair["boxes"], grid, size // grid, channels // 4))
    if not levels:
        raise ValueError("no outputs")
    return levels


def decode(outputs: Sequence[Floats], levels: Sequence[Level], wanted: npt.NDArray[np.intp],
           threshold: float | Floats) -> tuple[Floats, Floats, npt.NDArray[np.intp]]:
    """Boxes (x1, y1, x2, y2 in input pixels), scores and class indices (into ``wanted``) above the threshold
    (one, or one per wanted class)."""
    all_boxes: list[Floats] = []
    all_scores: list[Floats] = []
    all_classes: list[npt.NDArray[np.intp]] = []
    for level in levels:
        scores = outputs[level.scores][0][:, wanted]
        cells, cls = np.nonzero(scores > threshold)
        if cells.size == 0:
            continue
        logits = outputs[level.boxes][0][cells].reshape(-1, 4, level.bins)
        logits = logits - logits.max(axis=2, keepdims=True)
        weights = np.exp(logits)
        weights /= weights.sum(axis=2, keepdims=True)
        dist = (weights @ np.arange(level.bins, dtype=np.float32)) * level.stride  # (n, 4): l, t, r, b
        cx = ((cells % level.grid) + 0.5) * level.stride
        cy = ((cells // level.grid) + 0.5) * level.stride
        all_boxes.append(np.stack([cx - dist[:, 0], cy - dist[:, 1], cx + dist[:, 2], cy + dist[:, 3]],
                                  axis=1).astype(np.float32))
        all_scores.append(scores[cells, cls].astype(np.float32))
        all_classes.append(cls.astype(np.intp))
    if not all_boxes:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.intp)
    return np.concatenate(all_boxes), np.concatenate(all_scores), np.concatenate(all_classes)

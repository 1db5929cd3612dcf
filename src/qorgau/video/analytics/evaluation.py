"""Detection quality as numbers: boxes matched to hand labels at an IoU threshold, precision and recall.

Pure functions, no I/O, so the benchmark, the quality test and any later tooling count the same way. The rules
follow the usual detection benchmarks (PASCAL VOC style) with one addition the labels need: "ignore" boxes mark
objects too small or too hidden to call either way, and a detection lying mostly inside one is not counted at all
(neither a true nor a false positive), so a detector is not punished for seeing a far car nor for missing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qorgau.video.analytics.contracts import VEHICLES

Rect = tuple[float, float, float, float]  # x1, y1, x2, y2 in any one unit (pixels of the labelled frame)

VEHICLE = "vehicle"  # the group every vehicle class also counts in


@dataclass(frozen=True, slots=True)
class Labelled:
    """A box drawn by hand: an object of a class, or (``ignore``) one not to be counted either way."""

    label: str
    box: Rect
    ignore: bool = False


@dataclass(frozen=True, slots=True)
class Scored:
    """A box a detector returned, in the same unit as the labels."""

    label: str
    score: float
    box: Rect


@dataclass(slots=True)
class Tally:
    """True positives, false positives and misses of one class over any number of frames."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        """Share of counted detections that matched a label; None when nothing was detected."""
        found = self.tp + self.fp
        return self.tp / found if found else None

    @property
    def recall(self) -> float | None:
        """Share of labelled objects that were found; None when there was nothing to find."""
        there = self.tp + self.fn
        return self.tp / there if there else None

    def add(self, other: Tally) -> None:
        """Fold another tally into this one."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass(slots=True)
class Report:
    """Tallies per class and for the vehicle group, summed over frames."""

    classes: dict[str, Tally] = field(default_factory=dict)

    def tally(self, label: str) -> Tally:
        """The tally of a class (created empty on first use)."""
        return self.classes.setdefault(label, Tally())

    def add(self, other: Report) -> None:
        """Fold another report (e.g. another frame's) into this one."""
        for label, tally in other.classes.items():
            self.tally(label).add(tally)

    def as_dict(self, digits: int = 3) -> dict[str, dict[str, float | int | None]]:
        """Plain figures per class, for JSON results."""
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, digits)
        return {label: {"tp": t.tp, "fp": t.fp, "fn": t.fn, "precision": rounded(t.precision),
                        "recall": rounded(t.recall)} for label, t in sorted(self.classes.items())}


def area(box: Rect) -> float:
    """Area of a box; zero for an empty or inverted one."""
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def intersection(a: Rect, b: Rect) -> float:
    """Area two boxes share."""
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def iou(a: Rect, b: Rect) -> float:
    """Intersection over union, 0..1 (0 when both boxes are empty)."""
    inter = intersection(a, b)
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


def inside_share(inner: Rect, outer: Rect) -> float:
    """Share of ``inner``'s area that lies inside ``outer`` (intersection over the inner box's area)."""
    own = area(inner)
    return intersection(inner, outer) / own if own > 0 else 0.0


def ignored_share(box: Rect, ignores: Sequence[Rect]) -> float:
    """Share of a box covered by ignore boxes together (one box over two tiny cars side by side is as ignored as a
    box over one); ignore boxes rarely overlap, so their intersections are summed, capped at 1."""
    own = area(box)
    return min(1.0, sum(intersection(box, region) for region in ignores) / own) if own > 0 else 0.0


def group_of(label: str) -> str | None:
    """The group a class also counts in ("vehicle" for every vehicle class), or None."""
    return VEHICLE if label in VEHICLES else None


def evaluate_frame(detections: Sequence[Scored], labels: Sequence[Labelled], *, threshold: float = 0.5,
                   ignore_share: float = 0.5, min_score: float = 0.0) -> Report:
    """Match one frame's detections to its labels and count per class and for the vehicle group.

    Within each class, detections are taken best score first and each takes the unmatched label of its class with
    the highest IoU, if that IoU reaches ``threshold`` (greedy, as PASCAL VOC). An unmatched detection is a false
    positive unless it lies at least ``ignore_share`` inside the ignore boxes, in which case it is not counted; a
    duplicate (a second box on a label already taken) is a false positive wherever it lies. The vehicle group is
    matched on its own, regardless of the vehicle class, so a truck called a bus still counts as a found vehicle.
    """
    kept = [d for d in detections if d.score >= min_score]
    ignores = [lab.box for lab in labels if lab.ignore]
    counted = [lab for lab in labels if not lab.ignore]
    report = Report()
    labels_by: dict[str, list[Rect]] = {}
    dets_by: dict[str, list[Scored]] = {}
    for lab in counted:
        labels_by.setdefault(lab.label, []).append(lab.box)
        group = group_of(lab.label)
        if group:
            labels_by.setdefault(group, []).append(lab.box)
    for det in kept:
        dets_by.setdefault(det.label, []).append(det)
        group = group_of(det.label)
        if group:
            dets_by.setdefault(group, []).append(det)
    for label in sorted(set(labels_by) | set(dets_by)):
        report.classes[label] = _match(dets_by.get(label, []), labels_by.get(label, []), ignores,
                                       threshold, ignore_share)
    return report


def _match(detections: Sequence[Scored], truths: Sequence[Rect], ignores: Sequence[Rect], threshold: float,
           ignore_share: float) -> Tally:
    tally = Tally()
    taken = [False] * len(truths)
    for det in sorted(detections, key=lambda d: -d.score):
        best, best_iou = -1, threshold
        for index, truth in enumerate(truths):
            overlap = iou(det.box, truth)
            if not taken[index] and overlap >= best_iou:
                best, best_iou = index, overlap
        if best >= 0:
            taken[best] = True
            tally.tp += 1
            continue
        # A second box on an object already found is a false positive even inside an ignore region.
        duplicate = any(iou(det.box, truth) >= threshold for truth in truths)
        if not duplicate and ignored_share(det.box, ignores) >= ignore_share:
            continue
        tally.fp += 1
    tally.fn = taken.count(False)
    return tally


def evaluate(frames: Iterable[tuple[Sequence[Scored], Sequence[Labelled]]], *, threshold: float = 0.5,
             ignore_share: float = 0.5, min_score: float = 0.0) -> Report:
    """Sum of :func:`evaluate_frame` over (detections, labels) pairs, one pair per frame."""
    total = Report()
    for detections, labels in frames:
        total.add(evaluate_frame(detections, labels, threshold=threshold, ignore_share=ignore_share,
                                 min_score=min_score))
    return total


def labels_from(objects: Iterable[Mapping[str, object]]) -> list[Labelled]:
    """Labels from the JSON objects of a label file (``{"label", "box": [x1, y1, x2, y2], "ignore"?}``)."""
    out = []
    for obj in objects:
        x1, y1, x2, y2 = (float(v) for v in obj["box"])  # type: ignore[attr-defined]
        out.append(Labelled(label=str(obj["label"]), box=(x1, y1, x2, y2), ignore=bool(obj.get("ignore", False))))
    return out

"""Plane geometry in frame coordinates 0..1 for the analytics rules: points in polygons, sides of lines, and the
checks a drawn polygon must pass (no self-intersection, no zero area)."""

from __future__ import annotations

from collections.abc import Sequence

from qorgau.video.analytics.contracts import Box

Point = tuple[float, float]
EPS = 1e-12


def anchor(box: Box) -> Point:
    """Where an object stands: the bottom centre of its box (its feet or wheels), what zones and lines test."""
    x1, _, x2, y2 = box
    return (x1 + x2) / 2, y2


def centre(box: Box) -> Point:
    x1, y1, x2, y2 = box
    return (x1 + x2) / 2, (y1 + y2) / 2


def inside(point: Point, polygon: Sequence[Point]) -> bool:
    """Whether ``point`` lies in ``polygon`` (even-odd rule; a point on an edge may fall either way)."""
    x, y = point
    found = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            found = not found
        j = i
    return found


def cross(a: Point, b: Point, p: Point) -> float:
    """Twice the signed area of a, b, p: positive when p is right of a→b in picture coordinates (y down)."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])


def side_distance(a: Point, b: Point, p: Point) -> float:
    """Signed distance of p from the line through a and b (positive on its right, the forward side)."""
    length = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
    return cross(a, b, p) / length if length > EPS else 0.0


def along(a: Point, b: Point, p: Point) -> float:
    """Where p projects onto the segment a→b: 0 at a, 1 at b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    return ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2 if length2 > EPS else 0.0


def segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """Whether two segments cross or touch (collinear overlaps included)."""
    d1, d2 = cross(q1, q2, p1), cross(q1, q2, p2)
    d3, d4 = cross(p1, p2, q1), cross(p1, p2, q2)
    if ((d1 > EPS and d2 < -EPS) or (d1 < -EPS and d2 > EPS)) and ((d3 > EPS and d4 < -EPS) or
                                                                   (d3 < -EPS and d4 > EPS)):
        return True
    return any(abs(d) <= EPS and _on_segment(a, b, p) for d, a, b, p in
               ((d1, q1, q2, p1), (d2, q1, q2, p2), (d3, p1, p2, q1), (d4, p1, p2, q2)))


def _on_segment(a: Point, b: Point, p: Point) -> bool:
    return min(a[0], b[0]) - EPS <= p[0] <= max(a[0], b[0]) + EPS and \
        min(a[1], b[1]) - EPS <= p[1] <= max(a[1], b[1]) + EPS


def area(polygon: Sequence[Point]) -> float:
    """The polygon's area (shoelace), unsigned."""
    total = 0.0
    for i, (x1, y1) in enumerate(polygon):
        x2, y2 = polygon[(i + 1) % len(polygon)]
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def self_intersects(polygon: Sequence[Point]) -> bool:
    """Whether two non-adjacent edges of the closed polygon cross or touch (a figure eight, a pinched corner)."""
    n = len(polygon)
    edges = [(polygon[i], polygon[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue  # neighbours share a corner
            if segments_cross(*edges[i], *edges[j]):
                return True
    return False

"""The words of video analytics: the kinds of rule and the directions of a line crossing."""

from __future__ import annotations

from enum import StrEnum


class RuleKind(StrEnum):
    ZONE = "zone"  # an object of the rule's classes enters the polygon (while the schedule is armed)
    LINE = "line"  # an object crosses the line (counted per direction, always; an event if the rule alerts)
    LOITERING = "loitering"  # an object stays in the polygon longer than min_seconds
    CROWD = "crowd"  # more than min_count objects (persons) in the polygon at once
    STOPPED_VEHICLE = "stopped_vehicle"  # a vehicle stands still in the polygon longer than min_seconds


class Direction(StrEnum):
    BOTH = "both"
    FORWARD = "forward"  # from the left of A→B to its right: the way the line's arrow points
    BACKWARD = "backward"


POLYGON_KINDS = frozenset({RuleKind.ZONE, RuleKind.LOITERING, RuleKind.CROWD, RuleKind.STOPPED_VEHICLE})

"""API models of video analytics: rules drawn on a camera's picture, the events they raised, the objects seen
(search), and line-crossing counts. Geometry is in frame coordinates 0..1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qorgau.video.analytics.enums import Direction, RuleKind

MAX_POINTS = 64
HourMinute = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class AnalyticsScheduleIn(BaseModel):
    """When a rule is armed: the weekdays on which its window starts, and local times from–to."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    days: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=lambda: list(range(7)), min_length=1, max_length=7,
        description="Weekdays 0 = Monday … 6 = Sunday on which the window starts.")
    from_: HourMinute = Field(alias="from", description="Local time HH:MM the window opens.")
    to: HourMinute = Field(description="Local time HH:MM it closes; before `from`: the next morning (22:00–06:00).")


class AnalyticsRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    kind: RuleKind
    points: list[list[float]] = Field(
        min_length=2, max_length=MAX_POINTS,
        description="[x, y] in 0..1: a polygon of 3 or more corners (zone, loitering, crowd, stopped vehicle), or a "
                    "line's two ends A, B (line; forward is from the left of A→B to its right).")
    classes: list[str] = Field(min_length=1, max_length=6, description="Object classes: person, car, bus, truck, "
                                                                         "motorcycle, bicycle.")
    schedule: AnalyticsScheduleIn | None = Field(default=None, description="null: always armed.")
    min_seconds: float | None = Field(default=None, ge=0, le=86400,
                                      description="Loitering, stopped vehicle (required), crowd (optional): seconds "
                                                  "before it fires.")
    min_count: int | None = Field(default=None, ge=1, le=1000, description="Crowd: more than this many objects.")
    direction: Direction = Field(default=Direction.BOTH, description="Line: which crossings raise an event.")
    alert: bool = Field(default=True, description="Line: false counts traffic without raising events.")
    enabled: bool = True


class AnalyticsScheduleRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    days: list[int]
    from_: str = Field(alias="from")
    to: str


class AnalyticsRuleRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    camera: str
    name: str
    kind: RuleKind
    points: list[list[float]]
    classes: list[str]
    schedule: AnalyticsScheduleRead | None
    min_seconds: float | None
    min_count: int | None
    direction: Direction
    alert: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime


class AnalyticsEventRead(BaseModel):
    id: int
    camera: str
    rule_id: int | None
    rule: str
    kind: RuleKind
    label: str | None
    track_id: int | None
    at: datetime
    count: int | None
    direction: Direction | None
    box: list[float] | None
    snapshot_url: str | None


class AnalyticsEventPage(BaseModel):
    items: list[AnalyticsEventRead]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null at the end.")


class DetectedObjectRead(BaseModel):
    id: int
    camera: str
    track_id: int
    label: str
    first_seen: datetime
    last_seen: datetime
    best_at: datetime = Field(description="When the thumbnail was taken: open playback here.")
    score: float
    box: list[float]
    zones: list[int] = Field(description="Ids of the polygon rules the object was in.")
    thumbnail_url: str | None


class DetectedObjectPage(BaseModel):
    items: list[DetectedObjectRead]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null at the end.")


class DirectionCounts(BaseModel):
    forward: int = Field(description="Crossings the way the line's arrow points.")
    backward: int


class LineCountBucket(DirectionCounts):
    start: datetime = Field(description="Start of the interval (UTC).")


class LineCounts(BaseModel):
    """Crossings of one line in a period: totals per direction, per class, and per interval."""

    rule_id: int
    name: str
    forward: int
    backward: int
    by_label: dict[str, DirectionCounts] = Field(description="Per object class.")
    buckets: list[LineCountBucket]

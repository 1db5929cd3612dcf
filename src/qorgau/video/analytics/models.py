"""Tables of video analytics: each camera's rules, the objects seen (one row per track, for search), the events
the rules raised, and line-crossing counts per direction and interval (traffic counting)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class AnalyticsRule(Base):
    """A rule drawn on one camera's picture: a zone, a line, loitering, a crowd or a stopped vehicle."""

    __tablename__ = "video_analytics_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))  # RuleKind
    # Frame coordinates 0..1: a polygon's corners, or a line's two ends (its forward side is to the right of
    # the first end looking at the second, in picture coordinates with y pointing down).
    points: Mapped[list[list[float]]] = mapped_column(JSON)
    direction: Mapped[str | None] = mapped_column(String(16))  # lines: which crossings raise an event
    classes: Mapped[list[str]] = mapped_column(JSON)
    days: Mapped[list[int]] = mapped_column(JSON)  # weekdays 0 = Monday … 6 on which the window starts
    # Local minutes after midnight; from > to crosses midnight (22:00–06:00); both null: all day.
    active_from_min: Mapped[int | None] = mapped_column(Integer)
    active_to_min: Mapped[int | None] = mapped_column(Integer)
    threshold_s: Mapped[float | None] = mapped_column(Float)
    threshold_count: Mapped[int | None] = mapped_column(Integer)
    alert: Mapped[bool] = mapped_column(Boolean)  # false: a line that only counts traffic
    enabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DetectedObject(Base):
    """One tracked object of one camera, from first to last sight, with its best picture: what search finds."""

    __tablename__ = "video_analytics_objects"
    __table_args__ = (
        Index("ix_video_analytics_objects_camera", "device_id", "first_seen", "id"),
        Index("ix_video_analytics_objects_first_seen", "first_seen", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(16))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    best_at: Mapped[datetime] = mapped_column(UTCDateTime)
    score: Mapped[float] = mapped_column(Float)
    box: Mapped[list[float]] = mapped_column(JSON)  # x1, y1, x2, y2 (0..1) at the best frame
    # Ids of the zone rules the object was in, as ",3,7," so one portable LIKE finds a zone's objects.
    zones: Mapped[str] = mapped_column(String(400), default=",")
    thumbnail: Mapped[str | None] = mapped_column(String(200))  # path under the analytics directory


class AnalyticsEvent(Base):
    """What a rule raised: the snapshot (box drawn) and the moment, for the desk and the recording."""

    __tablename__ = "video_analytics_events"
    __table_args__ = (
        Index("ix_video_analytics_events_camera", "device_id", "at", "id"),
        Index("ix_video_analytics_events_at", "at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("video_analytics_rules.id", ondelete="SET NULL"),
                                                index=True)
    rule_name: Mapped[str] = mapped_column(String(120))  # a copy: the event outlives edits to its rule
    kind: Mapped[str] = mapped_column(String(24))
    label: Mapped[str | None] = mapped_column(String(16))
    track_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int | None] = mapped_column(Integer)  # persons in the zone (crowd)
    direction: Mapped[str | None] = mapped_column(String(16))  # line crossings
    box: Mapped[list[float] | None] = mapped_column(JSON)
    snapshot: Mapped[str | None] = mapped_column(String(200))  # path under the analytics directory


class LineCount(Base):
    """Crossings of one line per direction and class in one interval (e.g. 5 minutes), for traffic counting."""

    __tablename__ = "video_line_counts"

    rule_id: Mapped[int] = mapped_column(ForeignKey("video_analytics_rules.id", ondelete="CASCADE"),
                                         primary_key=True)
    bucket: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # start of the interval (UTC)
    direction: Mapped[str] = mapped_column(String(16), primary_key=True)  # forward or backward
    label: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

"""Tables of units and dispatch: units, their crew, trackers, positions and assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class Unit(Base):
    """A patrol car, foot patrol, district inspector or post, with its status and latest position."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    name: Mapped[str] = mapped_column(String(200))
    site_code: Mapped[str | None] = mapped_column(String(32))  # the МОП a post is stationed at
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The one open assignment: a compare-and-set on (status, current_assignment_id) makes dispatch atomic.
    current_assignment_id: Mapped[int | None] = mapped_column(Integer)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position_source: Mapped[str | None] = mapped_column(String(16))
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)
    # Driven by the simulator: its moves and status changes are flagged simulated.
    simulated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UnitMember(Base):
    """A user in a unit's crew; a user is in one unit at a time (the unit app finds it by the user)."""

    __tablename__ = "unit_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)


class UnitTracker(Base):
    """A GPS tracker bound to a unit; its fixes (`ingest.gps_fix`) move that unit."""

    __tablename__ = "unit_trackers"

    tracker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)


class UnitPosition(Base):
    """Position history (tracks for review); the latest is also on the unit."""

    __tablename__ = "unit_positions"
    __table_args__ = (Index("ix_unit_positions_unit_at", "unit_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))


class Assignment(Base):
    """A unit sent to an incident, with every stage's time; rows are never deleted (reassignment keeps history)."""

    __tablename__ = "unit_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="RESTRICT"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, index=True)
    dispatched_by: Mapped[str] = mapped_column(String(120))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(300))
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # resolved, cleared or reassigned
    replaced_by: Mapped[int | None] = mapped_column(Integer)  # the assignment that took over
    eta_s: Mapped[float | None] = mapped_column(Float)
    route: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON LineString at dispatch
    # The dispatch watch: why the assignment looks stalled (StallFlag) and since when; when the unit was first
    # seen standing at the scene without reporting it.
    flag: Mapped[str | None] = mapped_column(String(24))
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    near_scene_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

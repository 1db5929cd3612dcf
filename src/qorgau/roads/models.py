"""Tables of the roads: number plates read by the ANPR cameras, the watch lists and their entries, and the hits
(a read that matched an entry, each one an alarm)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class PlateRead(Base):
    """One plate read by one camera at one moment: personal data, kept `QORGAU_ROADS_READS_KEEP_DAYS` unless
    `kept` (part of a hit or an incident)."""

    __tablename__ = "roads_plate_reads"
    __table_args__ = (
        Index("ix_roads_plate_reads_plate", "plate", "seen_at"),
        Index("ix_roads_plate_reads_key", "plate_key", "seen_at"),
        Index("ix_roads_plate_reads_camera", "device_id", "seen_at"),
        Index("ix_roads_plate_reads_seen_at", "seen_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    plate: Mapped[str] = mapped_column(String(16))  # normalised: upper case, no spaces, `?` for unread characters
    # The plate with OCR confusables folded (0/O, 8/B, 1/I…): what exact watch-list entries are looked up by.
    plate_key: Mapped[str] = mapped_column(String(16))
    format: Mapped[str | None] = mapped_column(String(24))  # the plate grammar's format code (roads.plates)
    country: Mapped[str] = mapped_column(String(2))  # "KZ", or the ISO code of a foreign plate
    foreign: Mapped[bool] = mapped_column(Boolean)
    region: Mapped[str | None] = mapped_column(String(4))  # the KZ region code (01 Astana, 02 Almaty…)
    confidence: Mapped[float] = mapped_column(Float)  # 0..1
    crop: Mapped[bytes] = mapped_column(LargeBinary)  # JPEG of the plate
    snapshot: Mapped[bytes | None] = mapped_column(LargeBinary)  # JPEG of the whole frame
    vehicle_class: Mapped[str | None] = mapped_column(String(24))
    colour: Mapped[str | None] = mapped_column(String(24))
    direction: Mapped[str | None] = mapped_column(String(8))  # "in" | "out" at a city entry
    heading_deg: Mapped[float | None] = mapped_column(Float)  # elsewhere: the vehicle's heading, 0 = north
    lane: Mapped[int | None] = mapped_column(Integer)
    track_id: Mapped[int | None] = mapped_column(Integer)
    lon: Mapped[float | None] = mapped_column(Float)  # the camera's position at the moment of the read
    lat: Mapped[float | None] = mapped_column(Float)
    kept: Mapped[bool] = mapped_column(Boolean, default=False)


class Watchlist(Base):
    """A list of plates to look out for: wanted, stolen, without insurance, of interest."""

    __tablename__ = "roads_watchlists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # WatchlistKind
    description: Mapped[str | None] = mapped_column(String(400))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WatchlistEntry(Base):
    """One plate pattern on a list: full (`123ABC02`), partial (`123?BC02`) or wildcard (`123*`)."""

    __tablename__ = "roads_watchlist_entries"
    __table_args__ = (
        UniqueConstraint("watchlist_id", "pattern", name="uq_roads_watchlist_entries_pattern"),
        Index("ix_roads_watchlist_entries_key", "pattern_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("roads_watchlists.id", ondelete="CASCADE"), index=True)
    pattern: Mapped[str] = mapped_column(String(24))  # as written, normalised (upper case, no spaces)
    pattern_key: Mapped[str] = mapped_column(String(24))  # confusables folded, what matching compares
    exact: Mapped[bool] = mapped_column(Boolean)  # no `?` nor `*`: looked up by key, not scanned
    reason: Mapped[str] = mapped_column(String(400))
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlateHit(Base):
    """A read that matched a watch-list entry; the list's and entry's words are copied, since both may change."""

    __tablename__ = "roads_plate_hits"
    __table_args__ = (Index("ix_roads_plate_hits_at", "at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    read_id: Mapped[int] = mapped_column(ForeignKey("roads_plate_reads.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("roads_watchlist_entries.id", ondelete="SET NULL"))
    watchlist_id: Mapped[int | None] = mapped_column(ForeignKey("roads_watchlists.id", ondelete="SET NULL"))
    watchlist_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    pattern: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

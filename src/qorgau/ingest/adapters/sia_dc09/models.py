"""The DC-09 frames recorded, by their receiver-independent identity: one row per frame, whichever receiver took it.

Panels know a primary and a backup receiver; a frame that reached both (or reached one again after a failover
swallowed its ACK) is recorded once. The rows are written by a database trigger on `events` (migration 0030),
not by this code: the uniqueness holds for every writer and every node, and the hot insert path stays as it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class Dc09Frame(Base):
    """A recorded frame: panel (registry code, resolved from receiver, line and account), sequence, panel time.

    `recorded_at` is the recording moment its events share: the frame's other events in the same insert carry it
    and pass, any other insert of the same identity is skipped. Frames without a timestamp have no row.
    """

    __tablename__ = "dc09_frames"

    device_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    panel_time: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

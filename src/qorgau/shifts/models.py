"""Table of shift handovers: the snapshot the outgoing supervisor signed and the incoming one's signature."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class Handover(Base):
    """One handover between two shifts; its summary is frozen when the outgoing supervisor signs."""

    __tablename__ = "shift_handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    shift_start: Mapped[datetime] = mapped_column(UTCDateTime)
    shift_end: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # a ShiftSummary as signed
    notes: Mapped[str] = mapped_column(Text)
    outgoing_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    outgoing_name: Mapped[str] = mapped_column(String(64))
    outgoing_signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    incoming_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    incoming_name: Mapped[str | None] = mapped_column(String(64))
    incoming_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incoming_note: Mapped[str | None] = mapped_column(Text)

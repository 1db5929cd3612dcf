"""Tables of residents' appeals: the appeal, its history, attachments, the year counter and calendar overrides."""

# Applicants' names and contacts are personal data: encrypted at rest with the same column type as incidents'
# callers, and never logged. The deadline is stored (computed once on registration and on extension) so lists
# and figures filter on it in SQL instead of recounting working days per row.

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.crypto import EncryptedText
from qorgau.core.db import Base, UTCDateTime


class AppealCounter(Base):
    """The last number given to an appeal in a year: numbers like 2026-000123 without gaps or races."""

    __tablename__ = "appeal_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Appeal(Base):
    """One resident's appeal, routed to a district and its inspector, with its deadline and answer."""

    __tablename__ = "appeals"
    __table_args__ = (Index("ix_appeals_state_deadline", "state", "deadline"),
                      Index("ix_appeals_district_inspector", "district_id", "inspector_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    applicant_name: Mapped[str] = mapped_column(EncryptedText)
    applicant_contact: Mapped[str | None] = mapped_column(EncryptedText)
    address: Mapped[str] = mapped_column(String(300))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"), index=True)
    routed_manually: Mapped[bool] = mapped_column(Boolean, default=False)  # the point lay outside every district
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    deadline: Mapped[date] = mapped_column(Date)  # the last working day on which the answer is on time
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # the deadline's end (local midnight after)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(String(500))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    transferred_to: Mapped[str | None] = mapped_column(String(300))
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the deadline reminder went out
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # flagged overdue and escalated
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppealEntry(Base):
    """A line of the appeal's timeline: a state change, reassignment, extension or transfer, and who made it."""

    __tablename__ = "appeal_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(500))


class AppealAttachment(Base):
    """A small file attached to an appeal (a scan, a photo), stored in the database under size and type limits."""

    __tablename__ = "appeal_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarOverride(Base):
    """A decreed exception to the weekly calendar: a working Saturday, or a weekday made a day off."""

    __tablename__ = "appeal_calendar"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

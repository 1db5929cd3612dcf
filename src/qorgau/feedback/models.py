"""Tables of residents' feedback: one row per appeal or incident, from the link's issue to the answer."""

# The link's token is stored only as its SHA-256: whoever reads the database cannot answer in a resident's
# name. The district and inspector are copied when the row is made (the appeal's routing, or the district the
# incident's position fell into at the time), so figures stay with the district in force then even after a
# redistricting. appeal_id has no foreign key: appeals are another domain's table, read through its service.

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class Feedback(Base):
    """A resident's satisfaction with how an appeal or an incident was handled."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("(appeal_id IS NULL) <> (incident_id IS NULL)", name="one_subject"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    appeal_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), unique=True)
    subject_number: Mapped[str] = mapped_column(String(32))  # the appeal's or incident's number, for the page
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"), index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # none when entered by an officer
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    requested_by: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    entered_by: Mapped[str | None] = mapped_column(String(120))
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)

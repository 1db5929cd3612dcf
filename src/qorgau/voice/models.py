"""The table of voice calls: one row per SOS, 102 or callback call, its queue state, media and recording."""

# The caller's number is personal data: encrypted at rest like incidents' callers, never logged. Who handles the
# call now (answered_by) is the claim the race-safe `answer` sets; the first answer time stays for the figures.

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.crypto import EncryptedText
from qorgau.core.db import Base, UTCDateTime


class VoiceCall(Base):
    """One call: where it came from, who took it, how it ended, and its recording."""

    __tablename__ = "voice_calls"
    __table_args__ = (
        # The active list and the queue: calls by state, oldest first.
        Index("ix_voice_calls_state_offered", "state", "offered_at", "id"),
        # Retention: ended calls with a recording, oldest first.
        Index("ix_voice_calls_retention", "recording_deleted", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    sip_call_id: Mapped[str] = mapped_column(String(255), unique=True)
    device_id: Mapped[int | None] = mapped_column(Integer)  # the registry's device, when the terminal is known
    device_code: Mapped[str | None] = mapped_column(String(32), index=True)
    caller: Mapped[str | None] = mapped_column(EncryptedText)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    codec: Mapped[str | None] = mapped_column(String(16))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it last started waiting
    media_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first answer
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(24))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_by_name: Mapped[str | None] = mapped_column(String(64))
    transfer_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    transfer_to_name: Mapped[str | None] = mapped_column(String(64))
    leg_id: Mapped[str | None] = mapped_column(String(64))
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the waiting call escalates next (null while someone talks, or once ended); one indexed comparison.
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alarm_id: Mapped[int | None] = mapped_column(Integer, index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    callback_of_id: Mapped[int | None] = mapped_column(ForeignKey("voice_calls.id", ondelete="SET NULL"))
    recording_path: Mapped[str | None] = mapped_column(String(500))  # relative to the recordings root
    recording_sha256: Mapped[str | None] = mapped_column(String(64))
    recording_duration_s: Mapped[float | None] = mapped_column(Float)
    recording_size: Mapped[int | None] = mapped_column(BigInteger)
    recording_media_type: Mapped[str | None] = mapped_column(String(64))
    recording_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    kept: Mapped[bool] = mapped_column(Boolean, default=False)  # kept past retention (evidence)
    # Counts per media problem (no_rtp, wrong_port, flood, bad_codec, srtp_auth) and the last media figures reported.
    problems: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

"""Call records of the SIP listener: one row per SOS call, enough for a media bridge to attach to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class SipCall(Base):
    """An SOS call from a terminal: signalling times and outcome, and both ends of its (future) media stream."""

    __tablename__ = "sip_calls"
    __table_args__ = (UniqueConstraint("device_code", "call_id", name="uq_sip_calls_device_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(255), index=True)
    device_code: Mapped[str] = mapped_column(String(32), index=True)
    transport: Mapped[str] = mapped_column(String(8))
    signal_host: Mapped[str] = mapped_column(String(64))
    signal_port: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)  # ringing, answered, ended, cancelled, failed, …
    end_reason: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ring_s: Mapped[float | None] = mapped_column(Float)
    talk_s: Mapped[float | None] = mapped_column(Float)
    codec: Mapped[str | None] = mapped_column(String(16))
    payload_type: Mapped[int | None] = mapped_column(Integer)
    local_media_host: Mapped[str | None] = mapped_column(String(64))
    local_media_port: Mapped[int | None] = mapped_column(Integer)
    remote_media_host: Mapped[str | None] = mapped_column(String(64))
    remote_media_port: Mapped[int | None] = mapped_column(Integer)
    sdp_offer: Mapped[str | None] = mapped_column(Text)
    sdp_answer: Mapped[str | None] = mapped_column(Text)
    # Set by a media bridge: none (no RTP handled yet), bridged, recorded…; and where a recording lies.
    media_state: Mapped[str] = mapped_column(String(16), default="none")
    recording_ref: Mapped[str | None] = mapped_column(String(300))

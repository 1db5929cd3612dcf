"""Tables of the alarm desk: procedures (SOPs) and their steps, rules, alarms, and the steps operators ticked."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qorgau.core.db import Base, UTCDateTime


class Procedure(Base):
    """A standard operating procedure: the ordered checklist an operator follows for one type of alarm."""

    __tablename__ = "alarm_procedures"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    # Names and step texts are data an admin may edit, so they carry their own kk/ru/en, not translation keys.
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    steps: Mapped[list[ProcedureStep]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", lazy="selectin", order_by="ProcedureStep.position",
    )


class ProcedureStep(Base):
    __tablename__ = "alarm_procedure_steps"
    __table_args__ = (UniqueConstraint("procedure_code", "key", name="uq_alarm_procedure_steps_procedure_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    procedure_code: Mapped[str] = mapped_column(ForeignKey("alarm_procedures.code", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(48))
    text: Mapped[dict[str, str]] = mapped_column(JSON)

    procedure: Mapped[Procedure] = relationship(back_populates="steps")


class AlarmRule(Base):
    """Turns one kind of event into an alarm: conditions → priority, procedure, incident category."""

    __tablename__ = "alarm_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(100), index=True)
    # Payload field → accepted values (e.g. {"kind": ["panic", "silent_panic"]}); every field must match.
    match: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    device_kind: Mapped[str | None] = mapped_column(String(24))
    device_purpose: Mapped[str | None] = mapped_column(String(24))
    site_kind: Mapped[str | None] = mapped_column(String(24))
    site_subtype: Mapped[str | None] = mapped_column(String(24))
    # Local hours as minutes after midnight; from > to wraps past midnight; both null: all day.
    active_from_min: Mapped[int | None] = mapped_column(Integer)
    active_to_min: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer)
    alarm_kind: Mapped[str] = mapped_column(String(32))
    procedure_code: Mapped[str | None] = mapped_column(ForeignKey("alarm_procedures.code", ondelete="RESTRICT"))
    auto_incident: Mapped[bool] = mapped_column(Boolean)
    incident_category: Mapped[str | None] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Alarm(Base):
    """One alarm on the desk; repeats of the same device and event fold into it (count, last_at)."""

    __tablename__ = "alarms"
    __table_args__ = (
        # The queue: open alarms by priority, then age.
        Index("ix_alarms_queue", "state", "priority", "first_at", "id"),
        # Flood control: the latest alarm of a device and event, one index probe per signal.
        Index("ix_alarms_fold", "fold_key", "last_at"),
        # The history of closed alarms: the latest closed first.
        Index("ix_alarms_history", "state", "resolved_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fold_key: Mapped[str] = mapped_column(String(240))
    rule_code: Mapped[str] = mapped_column(String(48))  # a copy: the alarm outlives edits to its rule
    kind: Mapped[str] = mapped_column(String(32))
    signal: Mapped[str] = mapped_column(String(64))
    event_name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer)
    procedure_code: Mapped[str | None] = mapped_column(String(48))
    auto_incident: Mapped[bool] = mapped_column(Boolean)
    incident_category: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    escalation_level: Mapped[int] = mapped_column(Integer)
    # When the next escalation is due; null once acknowledged, resolved or restored (one indexed comparison).
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_code: Mapped[str | None] = mapped_column(String(32), index=True)
    site_code: Mapped[str | None] = mapped_column(String(32), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    count: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    last_event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    resolved_by_name: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    simulated: Mapped[bool] = mapped_column(Boolean)

    steps: Mapped[list[AlarmStep]] = relationship(
        back_populates="alarm", cascade="all, delete-orphan", lazy="selectin", order_by="AlarmStep.id",
    )


class AlarmStep(Base):
    """A procedure step an operator marked done or skipped on one alarm, and who did."""

    __tablename__ = "alarm_steps"
    __table_args__ = (UniqueConstraint("alarm_id", "step_key", name="uq_alarm_steps_alarm_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarms.id", ondelete="CASCADE"))
    step_key: Mapped[str] = mapped_column(String(48))
    state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    by_user: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    by_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    alarm: Mapped[Alarm] = relationship(back_populates="steps")

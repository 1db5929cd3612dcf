"""Tables of incidents: the incident, its transitions, notes and links, categories, and the copy of alarms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.crypto import EncryptedText
from qorgau.core.db import Base, UTCDateTime


class IncidentCategory(Base):
    """A category with its default priority; names are translation keys `incidents.category.<code>`."""

    __tablename__ = "incident_categories"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    default_priority: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class IncidentCounter(Base):
    """The last number given to an incident in a year: numbers like 2026-000123 without gaps or races."""

    __tablename__ = "incident_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Incident(Base):
    """One incident; caller name and phone are personal data, stored encrypted and never logged."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_state_priority", "state", "priority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    category: Mapped[str] = mapped_column(ForeignKey("incident_categories.code"), index=True)
    priority: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))
    alarm_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    caller_name: Mapped[str | None] = mapped_column(EncryptedText)
    caller_phone: Mapped[str | None] = mapped_column(EncryptedText)
    address: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    area: Mapped[str | None] = mapped_column(String(200), index=True)  # the settlement it lies in
    description: Mapped[str | None] = mapped_column(Text)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when this incident was a duplicate, closed as merged into that one.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    # Its units as dispatch last reported them (the units' flow keeps these): the states a person may choose
    # follow them, and the board shows stalled and uncovered incidents from them.
    units_active: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    units_en_route: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # en route or on scene
    units_on_scene: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    units_stalled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when its last unit declined or was released, cleared when another is sent.
    uncovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uncovered_reason: Mapped[str | None] = mapped_column(String(300))


class IncidentTransition(Base):
    """A state change: when, from what, to what, and who or what made it (user, unit or system)."""

    __tablename__ = "incident_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(300))
    event: Mapped[str | None] = mapped_column(String(24))  # what a unit did that this entry records (declined …)


class IncidentNote(Base):
    """A line of the notes timeline."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)


class IncidentLink(Base):
    """An alarm, camera or unit tied to the incident."""

    __tablename__ = "incident_links"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "ref", name="uq_incident_links_incident_kind_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    ref: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))


class AlarmRef(Base):
    """What incidents need of an alarm, copied from `alarms.*` events (the alarm desk's tables are its own)."""

    __tablename__ = "incident_alarm_refs"

    alarm_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(64))
    incident_category: Mapped[str | None] = mapped_column(String(32))
    device_code: Mapped[str | None] = mapped_column(String(32))
    site_code: Mapped[str | None] = mapped_column(String(32))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)  # ignore an older event delivered after a newer one
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

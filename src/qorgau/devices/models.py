"""Tables of the device registry: sites, devices, protocol identifiers, panel zones, registry revision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qorgau.core.crypto import EncryptedText
from qorgau.core.db import Base, UTCDateTime

URL_LENGTH = 500


class Site(Base):
    """A place that groups equipment: a school, a МОП, an intersection, a city entry…"""

    __tablename__ = "device_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    subtype: Mapped[str | None] = mapped_column(String(24))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))  # null: the API shows a transliteration
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    search_text: Mapped[str] = mapped_column(String(800))
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Device(Base):
    """One camera, SOS terminal, alarm panel or turnstile; secrets are encrypted and loaded only on demand."""

    __tablename__ = "devices"
    __table_args__ = (Index("ix_devices_lon_lat", "lon", "lat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    purpose: Mapped[str | None] = mapped_column(String(24), index=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))  # null: the API shows a transliteration
    # Lower-cased code and names: the same case-insensitive LIKE on SQLite (ASCII-only NOCASE) and PostgreSQL.
    search_text: Mapped[str] = mapped_column(String(800))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("device_sites.id", ondelete="RESTRICT"), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)
    fov_deg: Mapped[float | None] = mapped_column(Float)
    range_m: Mapped[float | None] = mapped_column(Float)
    stream_main: Mapped[str | None] = mapped_column(String(URL_LENGTH), unique=True)
    stream_sub: Mapped[str | None] = mapped_column(String(URL_LENGTH), unique=True)
    username: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    password: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    dc09_key: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    has_credentials: Mapped[bool] = mapped_column(Boolean, default=False)
    has_dc09_key: Mapped[bool] = mapped_column(Boolean, default=False)
    # Some panels stamp DC-09 frames with local time instead of UTC; the receiver converts with the zone setting.
    dc09_local_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lifecycle: Mapped[str] = mapped_column(String(16), index=True)
    health: Mapped[str] = mapped_column(String(16), index=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # last_seen_at + the supervision interval: one indexed comparison finds silent devices on both databases.
    offline_after: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    health_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervision_interval_s: Mapped[int | None] = mapped_column(Integer)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Driven by the simulator: its events (and the alarms they raise) are flagged simulated, out of statistics.
    simulated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decommissioned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site | None] = relationship(lazy="joined")
    identifiers: Mapped[list[DeviceIdentifier]] = relationship(
        back_populates="device", cascade="all, delete-orphan", lazy="selectin", order_by="DeviceIdentifier.protocol",
    )
    zones: Mapped[list[PanelZone]] = relationship(
        back_populates="device", cascade="all, delete-orphan", lazy="selectin", order_by="PanelZone.number",
    )


class DeviceIdentifier(Base):
    """How a protocol names a device (DC-09 receiver/line/account, MQTT client id, SIP user): unique per protocol."""

    __tablename__ = "device_identifiers"
    __table_args__ = (
        UniqueConstraint("protocol", "value", name="uq_device_identifiers_protocol_value"),
        UniqueConstraint("device_id", "protocol", name="uq_device_identifiers_device_protocol"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    protocol: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))

    device: Mapped[Device] = relationship(back_populates="identifiers")


class PanelZone(Base):
    """A zone of an alarm panel; panic buttons are zones of kind `panic`."""

    __tablename__ = "device_zones"
    __table_args__ = (UniqueConstraint("device_id", "number", name="uq_device_zones_device_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))

    device: Mapped[Device] = relationship(back_populates="zones")


class RegistryRevision(Base):
    """One row counting registry and health changes, so every process can tell when its caches are stale."""

    __tablename__ = "device_registry_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    health_revision: Mapped[int] = mapped_column(BigInteger)

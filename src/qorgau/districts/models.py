"""Tables of police districts: dated versions of a district set, their districts and inspectors."""

# A version is never edited after it is accepted: a change is a new version with its own valid-from time, so
# figures for any moment are computed against the set then in force. Geometry is GeoJSON in JSON columns with a
# bounding box beside it, as in the city model (no PostGIS).

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qorgau.core.db import Base, UTCDateTime


class DistrictSet(Base):
    """One dated version of the town's districts; the latest with ``valid_from`` <= t is in force at t."""

    __tablename__ = "district_sets"
    __table_args__ = (UniqueConstraint("model_id", "version", name="uq_district_sets_model_version"),
                      Index("ix_district_sets_model_valid_from", "model_id", "valid_from"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("city_models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20))
    generated: Mapped[bool] = mapped_column(Boolean)
    area: Mapped[dict[str, Any]] = mapped_column(JSON)  # the territory the districts cover without gaps
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))  # an actor id such as user:3
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    districts: Mapped[list[District]] = relationship(
        back_populates="district_set", order_by="District.number", cascade="all, delete-orphan")


class District(Base):
    """A police district (участок) of one version: its polygon, names, post, reception and inspectors."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("set_id", "number", name="uq_districts_set_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("district_sets.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    residents: Mapped[float] = mapped_column(Float)  # computed when the version is accepted (cells split by area)
    site_code: Mapped[str | None] = mapped_column(String(32))  # its МОП or reception point (a registry site)
    reception: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"days": [0..4], "from": "17:00", "to": "20:00"}
    contacts: Mapped[str | None] = mapped_column(String(300))
    district_set: Mapped[DistrictSet] = relationship(back_populates="districts")
    inspectors: Mapped[list[DistrictInspector]] = relationship(cascade="all, delete-orphan",
                                                               order_by="DistrictInspector.user_id")


class DistrictInspector(Base):
    """An inspector (a user) serving a district of one version."""

    __tablename__ = "district_inspectors"

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True)

"""Tables of the city model: models, street-network nodes and edges, named places, population cells."""

# Geometry is GeoJSON in JSON columns with plain lon/lat (and bounding-box) float columns beside it for
# filtering, so the schema is the same on SQLite and PostgreSQL without PostGIS. A stored model never changes:
# re-importing makes a new one, which lets each process cache a model's graphs by id.

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime

MODEL_FK = "city_models.id"


class CityModel(Base):
    """One city model; exactly one is active and used by default."""

    __tablename__ = "city_models"
    # At most one active model, enforced by the database too (a partial unique index on both databases).
    __table_args__ = (Index("uq_city_models_one_active", "active", unique=True, sqlite_where=text("active"),
                            postgresql_where=text("active")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str] = mapped_column(String(300))  # "generated" or "osm:<file name>"
    licence: Mapped[str] = mapped_column(String(300))
    generated: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    boundary: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    node_count: Mapped[int] = mapped_column(Integer)
    edge_count: Mapped[int] = mapped_column(Integer)
    place_count: Mapped[int] = mapped_column(Integer)
    cell_count: Mapped[int] = mapped_column(Integer)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CityNode(Base):
    """A vertex of the street network; ``idx`` is its row in the in-memory graph (0..n-1 per model)."""

    __tablename__ = "city_nodes"

    model_id: Mapped[int] = mapped_column(ForeignKey(MODEL_FK, ondelete="CASCADE"), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    osm_id: Mapped[int | None] = mapped_column(BigInteger)


class CityEdge(Base):
    """A street segment between two nodes; a one-way edge is drivable only from ``source`` to ``target``.

    ``source`` and ``target`` are node ``idx`` values of the same model. They carry no foreign key: a model is
    written once, whole, by one function, and per-row checks against the nodes would need two more indexes and
    make deleting a large model scan the edges once per node.
    """

    __tablename__ = "city_edges"
    __table_args__ = (Index("ix_city_edges_model_lon_lat", "model_id", "lon", "lat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey(MODEL_FK, ondelete="CASCADE"))
    source: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)
    length_m: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float] = mapped_column(Float)
    # The way's own OSM maxspeed (km/h), None where untagged: speed_kmh mixes it with highway defaults.
    maxspeed_kmh: Mapped[float | None] = mapped_column(Float, nullable=True)
    drive: Mapped[bool] = mapped_column(Boolean)
    walk: Mapped[bool] = mapped_column(Boolean)
    oneway: Mapped[bool] = mapped_column(Boolean)
    highway: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(200))
    generated: Mapped[bool] = mapped_column(Boolean)
    lon: Mapped[float] = mapped_column(Float)  # midpoint, for bounding-box filters
    lat: Mapped[float] = mapped_column(Float)
    osm_way_id: Mapped[int | None] = mapped_column(BigInteger)


class CityPlace(Base):
    """A named place: settlement, microdistrict, street or block, with its geometry and names in kk/ru/en."""

    __tablename__ = "city_places"
    __table_args__ = (
        Index("ix_city_places_model_kind_id", "model_id", "kind", "id"),
        Index("ix_city_places_model_bbox", "model_id", "min_lon", "max_lon"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey(MODEL_FK, ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str | None] = mapped_column(String(200))
    name_ru: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(String(1000))  # normalised names, "|"-separated (see names.py)
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("city_places.id", ondelete="SET NULL"), index=True)
    lon: Mapped[float] = mapped_column(Float)  # a representative point
    lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    population: Mapped[int | None] = mapped_column(Integer)
    generated: Mapped[bool] = mapped_column(Boolean)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)


class PopulationCell(Base):
    """Residents of one cell of a 100 m grid (grid indices in the model's local metres)."""

    __tablename__ = "city_population_cells"
    __table_args__ = (
        UniqueConstraint("model_id", "gx", "gy", name="uq_city_population_cells_model_cell"),
        Index("ix_city_population_cells_model_lon_lat", "model_id", "lon", "lat"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey(MODEL_FK, ondelete="CASCADE"))
    gx: Mapped[int] = mapped_column(Integer)
    gy: Mapped[int] = mapped_column(Integer)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    residents: Mapped[int] = mapped_column(Integer)
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("city_places.id", ondelete="SET NULL"), index=True)
    generated: Mapped[bool] = mapped_column(Boolean)

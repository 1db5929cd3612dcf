"""Shapes of the roads' API: a plate read coming in, reads found, watch lists and their entries, hits."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from qorgau.core.time import as_utc
from qorgau.roads.enums import Direction, WatchlistKind

MAX_CROP_BYTES = 64 * 1024  # a plate's crop: a few kB of JPEG
MAX_SNAPSHOT_BYTES = 1024 * 1024  # the frame: a compressed full-HD JPEG
PLATE_TEXT = re.compile(r"^[A-Z0-9?]{2,16}$")
PATTERN_TEXT = re.compile(r"^[A-Z0-9?*]{1,24}$")


def normalise(text: str) -> str:
    """Upper case without spaces or dashes: how plates and patterns are stored and compared."""
    return re.sub(r"[\s\-]", "", text).upper()


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone")
    return as_utc(value)


Aware = Annotated[datetime, AfterValidator(_aware)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=400)]


def _jpeg(value: bytes, limit: int) -> bytes:
    if not value.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    if len(value) > limit:
        raise ValueError(f"over {limit} bytes")
    return value


class PlateReadIn(BaseModel):
    """One plate read by a camera (the plate pipeline, an external ANPR camera, the simulator)."""

    model_config = ConfigDict(extra="forbid", val_json_bytes="base64", ser_json_bytes="base64")

    device_id: int = Field(ge=1, description="The camera's registry id.")
    seen_at: Aware = Field(description="When the plate was read (aware; stored in UTC).")
    plate: str = Field(description="The plate's text; `?` for a character not read. Spaces and dashes dropped.")
    format: str | None = Field(default=None, max_length=24, description="The plate grammar's format code.")
    country: str = Field(default="KZ", pattern=r"^[A-Z]{2}$", description="KZ, or the ISO code of a foreign plate.")
    region: str | None = Field(default=None, max_length=4, description="The KZ region code (02 Almaty…).")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the reader is of the whole plate (0–1).")
    crop: bytes = Field(description="JPEG of the plate (base64 in JSON), at most 64 kB.")
    snapshot: bytes | None = Field(default=None, description="JPEG of the whole frame (base64 in JSON), at most 1 MB.")
    vehicle_class: str | None = Field(default=None, max_length=24, description="car, truck, bus…")
    colour: str | None = Field(default=None, max_length=24, description="The vehicle's colour.")
    direction: Direction | None = Field(default=None, description="in or out at a city entry.")
    heading_deg: float | None = Field(default=None, ge=0.0, lt=360.0, description="Heading elsewhere, 0 = north.")
    lane: int | None = Field(default=None, ge=0, le=16, description="The lane, counted by the camera.")
    track_id: int | None = Field(default=None, ge=0, description="The camera tracker's id of the vehicle.")

    @field_validator("plate")
    @classmethod
    def _plate(cls, value: str) -> str:
        plate = normalise(value)
        if not PLATE_TEXT.match(plate):
            raise ValueError("2–16 letters, digits or ?")
        return plate

    @field_validator("crop")
    @classmethod
    def _crop(cls, value: bytes) -> bytes:
        return _jpeg(value, MAX_CROP_BYTES)

    @field_validator("snapshot")
    @classmethod
    def _snapshot(cls, value: bytes | None) -> bytes | None:
        return None if value is None else _jpeg(value, MAX_SNAPSHOT_BYTES)


class PlateReadCreated(BaseModel):
    id: int = Field(description="The read's id.")
    hits: int = Field(description="How many watch-list entries it matched (each raised an alarm).")


class PlateReadRead(BaseModel):
    """A read as search shows it (pictures by URL: they are fetched with the same permission)."""

    id: int
    device_id: int
    camera_code: str
    camera_name: str
    seen_at: datetime
    plate: str
    format: str | None
    country: str
    foreign: bool
    region: str | None
    confidence: float
    vehicle_class: str | None
    colour: str | None
    direction: str | None
    heading_deg: float | None
    lane: int | None
    lon: float | None
    lat: float | None
    kept: bool
    crop_url: str
    snapshot_url: str | None


class PlateSearch(BaseModel):
    """A search of the reads: every one is audited with its reason."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the search is made (case, request): required, audited.")
    plate: str | None = Field(default=None, max_length=24,
                              description="Full or partial: `?` one character, `*` any run; confusables tolerated.")
    since: Aware | None = Field(default=None, description="From (aware).")
    until: Aware | None = Field(default=None, description="Until (aware).")
    device_id: int | None = Field(default=None, ge=1, description="One camera.")
    direction: Direction | None = None
    limit: int = Field(default=100, ge=1, le=500)

    @field_validator("plate")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        pattern = normalise(value)
        if not PATTERN_TEXT.match(pattern):
            raise ValueError("letters, digits, ? and * only")
        return pattern


class PlateSearchResult(BaseModel):
    items: list[PlateReadRead]
    truncated: bool = Field(description="More reads matched than `limit`: narrow the search.")


class TrackIn(BaseModel):
    """Where was this car: one plate's reads across the cameras over a period (today by default)."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason
    plate: str = Field(min_length=2, max_length=16)
    since: Aware | None = Field(default=None, description="From (aware); local midnight today by default.")
    until: Aware | None = None

    @field_validator("plate")
    @classmethod
    def _plate(cls, value: str) -> str:
        plate = normalise(value)
        if not PLATE_TEXT.match(plate):
            raise ValueError("2–16 letters, digits or ?")
        return plate


class WatchlistIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    kind: WatchlistKind
    description: str | None = Field(default=None, max_length=400)
    enabled: bool = True
    reason: Reason = Field(description="Why the list is made or changed (audited).")


class WatchlistRead(BaseModel):
    id: int
    name: str
    kind: WatchlistKind
    description: str | None
    enabled: bool
    entries: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(min_length=1, max_length=24,
                         description="Full (`123ABC02`), partial (`123?BC02`) or wildcard (`123*`).")
    reason: Reason = Field(description="Why the plate is wanted: shown on the alarm, audited.")
    valid_until: Aware | None = Field(default=None, description="After this moment the entry no longer matches.")


class EntryRead(BaseModel):
    id: int
    watchlist_id: int
    pattern: str
    exact: bool
    reason: str
    added_by: str
    added_at: datetime
    updated_by: str
    updated_at: datetime
    valid_until: datetime | None


class EntryRemove(BaseModel):
    """A reason alone: why an entry or a list is removed, why a read is kept (audited)."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why (audited).")


class ImportResult(BaseModel):
    added: int
    lists: dict[str, int] = Field(description="Entries added per list name.")


class PlateHitRead(BaseModel):
    id: int
    read_id: int
    at: datetime
    plate: str
    pattern: str
    watchlist: str
    kind: str
    reason: str
    camera_code: str
    camera_name: str
    direction: str | None
    crop_url: str
    snapshot_url: str | None


class TrackPoint(BaseModel):
    read_id: int
    seen_at: datetime
    camera_code: str
    camera_name: str
    lon: float | None
    lat: float | None
    direction: str | None
    plate: str


class PlateTrack(BaseModel):
    plate: str
    points: list[TrackPoint] = Field(description="The plate's reads in time order, with the cameras' positions.")

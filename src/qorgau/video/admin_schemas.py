"""API models of the video administration: camera groups, per-camera video settings, video walls."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qorgau.auth.enums import Role
from qorgau.video.enums import RecordingMode

MAX_MASKS = 16
MAX_POINTS = 64
LAYOUT_TILES = {"1": 1, "2x2": 4, "3x3": 9, "4x4": 16}
Layout = Literal["1", "2x2", "3x3", "4x4"]
Point = list[float]


class GroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_kk: str
    name_ru: str
    name_en: str
    retention_days: int | None = Field(description="Days recordings are kept; null: the global setting.")
    roles: list[str] | None = Field(description="Roles that may see these cameras; null: every role with video:view.")
    updated_at: datetime


class GroupPatch(BaseModel):
    """Only the fields sent change; null sets the default (the setting, or every role)."""

    model_config = ConfigDict(extra="forbid")

    retention_days: int | None = Field(default=None, ge=1, le=3650)
    roles: list[Role] | None = Field(default=None, max_length=len(Role))


class CameraSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: str | None = Field(default=None, max_length=32, description="Camera group; null: by the camera's purpose.")
    recording_mode: RecordingMode | None = Field(default=None, description="null: the default setting.")
    volume: str | None = Field(default=None, max_length=32, description="Storage volume; null: the one with room.")
    privacy_masks: list[list[Point]] = Field(
        default_factory=list, max_length=MAX_MASKS,
        description="Polygons of at least 3 [x, y] points in frame coordinates 0..1, blacked out in live view, "
                    "playback and exports.")

    @model_validator(mode="after")
    def _polygons(self) -> CameraSettingsIn:
        for polygon in self.privacy_masks:
            if not 3 <= len(polygon) <= MAX_POINTS:
                raise ValueError(f"a privacy mask has 3 to {MAX_POINTS} points")
            for point in polygon:
                if len(point) != 2 or not all(0.0 <= value <= 1.0 for value in point):
                    raise ValueError("a privacy mask's points are [x, y] with 0 <= x, y <= 1")
        return self


class CameraSettingsRead(BaseModel):
    code: str
    group: str = Field(description="The effective group (own setting, else by purpose).")
    own_group: str | None
    recording_mode: RecordingMode | None
    volume: str | None
    privacy_masks: list[list[Point]]
    updated_at: datetime | None


class Tile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera: str | None = Field(default=None, max_length=64, description="Camera code; null: an empty tile.")
    follow_alarms: bool = Field(default=False, description="Show the camera nearest to the newest alarm.")


class WallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    layout: Layout
    tiles: list[Tile] = Field(max_length=16, description="One per tile, row by row: 1, 4, 9 or 16.")

    @model_validator(mode="after")
    def _tiles(self) -> WallIn:
        if len(self.tiles) != LAYOUT_TILES[self.layout]:
            raise ValueError(f"layout {self.layout} has {LAYOUT_TILES[self.layout]} tiles")
        return self


class WallRead(BaseModel):
    id: int
    name: str
    layout: Layout
    tiles: list[Tile]
    shared: bool = Field(description="The situation center's wall (one, shared by all).")
    updated_by: str
    updated_at: datetime

"""Events of the roads: a read plate matched a watch list (the alarm rules make it a priority alarm)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type


class PlateHitRaised(EventPayload):
    hit_id: int = Field(description="The hit's id.")
    read_id: int = Field(description="The read's id (its crop: `crop_url`, its frame: `snapshot_url`).")
    code: str = Field(description="The camera's registry code.")
    device_id: int = Field(description="The camera's registry id.")
    plate: str = Field(description="The plate as read (`?` for unread characters).")
    pattern: str = Field(description="The watch-list entry it matched (full, `?` partial or `*` wildcard).")
    watchlist: str = Field(description="The list's name.")
    kind: str = Field(description="wanted, stolen, no_insurance or of_interest: what the alarm rules match.")
    reason: str = Field(description="Why the plate is on the list, as its entry says.")
    direction: str | None = Field(default=None, description="in or out at a city entry.")
    heading_deg: float | None = Field(default=None, description="The vehicle's heading elsewhere (0 = north).")
    vehicle_class: str | None = Field(default=None, description="car, truck, bus… as the camera saw it.")
    colour: str | None = Field(default=None, description="The vehicle's colour as the camera saw it.")
    lon: float | None = Field(default=None, description="The camera's longitude (nearest units are sent here).")
    lat: float | None = Field(default=None, description="The camera's latitude.")
    crop_url: str = Field(description="The plate's picture (authenticated).")
    snapshot_url: str | None = Field(default=None, description="The whole frame (authenticated).")
    seen_at: datetime = Field(description="When the camera read the plate (UTC).")


PLATE_HIT = event_type(
    "roads.plate_hit", PlateHitRaised, subject_type="device",
    description="A plate read by a camera matched a watch list (wanted, stolen, no insurance, of interest), with "
                "the plate's picture and the frame; the alarm rules make it an alarm.",
)

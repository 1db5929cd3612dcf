"""Vocabulary of the city model: place kinds, travel modes, map layers, audit actions."""

from __future__ import annotations

from enum import StrEnum


class PlaceKind(StrEnum):
    SETTLEMENT = "settlement"
    MICRODISTRICT = "microdistrict"
    STREET = "street"
    BLOCK = "block"


class Mode(StrEnum):
    DRIVE = "drive"
    WALK = "walk"


class Layer(StrEnum):
    """Layers of the base map, drawn by the web app from the model itself (no tile server)."""

    BOUNDARY = "boundary"
    SETTLEMENTS = "settlements"
    MICRODISTRICTS = "microdistricts"
    STREETS = "streets"
    BLOCKS = "blocks"


LAYER_KINDS = {
    Layer.SETTLEMENTS: PlaceKind.SETTLEMENT,
    Layer.MICRODISTRICTS: PlaceKind.MICRODISTRICT,
    Layer.BLOCKS: PlaceKind.BLOCK,
}


class CityAction(StrEnum):
    """Audit actions of the city domain."""

    MODEL_IMPORT = "city.model_import"
    MODEL_SEED = "city.model_seed"
    MODEL_ACTIVATE = "city.model_activate"


WALK_SPEED_KMH = 5.0
# Off-network legs (from a point to its nearest node): on foot for walking, at yard speed for driving.
ACCESS_SPEED_KMH = {Mode.WALK: WALK_SPEED_KMH, Mode.DRIVE: 15.0}
GENERATED_SOURCE = "generated"

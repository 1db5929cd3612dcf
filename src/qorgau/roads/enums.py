"""Fixed vocabularies of the roads: watch-list kinds, directions at a city entry, audit actions."""

from __future__ import annotations

from enum import StrEnum


class WatchlistKind(StrEnum):
    """What a list is for; wanted and stolen raise the high-priority alarm (alarm rule `plate_hit`)."""

    WANTED = "wanted"
    STOLEN = "stolen"
    NO_INSURANCE = "no_insurance"
    OF_INTEREST = "of_interest"


class Direction(StrEnum):
    """Which way a vehicle passed a city-entry camera."""

    IN = "in"
    OUT = "out"


class RoadsAction(StrEnum):
    """Audit actions of the roads."""

    SEARCH = "roads.search"  # every search of plate reads, with its reason
    TRACK = "roads.track"  # "where was this car today"
    WATCHLIST_CREATE = "roads.watchlist_create"
    WATCHLIST_UPDATE = "roads.watchlist_update"
    WATCHLIST_DELETE = "roads.watchlist_delete"
    ENTRY_ADD = "roads.entry_add"
    ENTRY_UPDATE = "roads.entry_update"
    ENTRY_REMOVE = "roads.entry_remove"
    IMPORT = "roads.watchlist_import"
    KEEP = "roads.keep"  # a read kept as evidence past the keeping period
    PRUNE = "roads.prune"

"""What the roads' tests share: a city-entry camera, a read of it, a watch list with entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from qorgau.core.db import Database
from qorgau.roads import watchlists
from qorgau.roads.enums import WatchlistKind
from qorgau.roads.schemas import EntryIn, PlateReadIn, WatchlistIn
from tests.conftest import CLI_ACTOR

# The smallest byte strings a JPEG check accepts: start and end markers around a tag.
CROP = b"\xff\xd8\xff\xe0crop\xff\xd9"
FRAME = b"\xff\xd8\xff\xe0frame\xff\xd9"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def entry_camera(db: Database, code: str = "ANPR-01", *, east_m: float = 0.0, **extra: Any) -> int:
    from tests.video.rec_packets import add_camera

    return add_camera(db, code, east_m=east_m, purpose="city_entry_anpr", **extra)


def read_in(device_id: int, plate: str, *, at: datetime = T0, **extra: Any) -> PlateReadIn:
    return PlateReadIn.model_validate({"device_id": device_id, "seen_at": at, "plate": plate, "confidence": 0.93,
                                       "crop": CROP, "snapshot": FRAME, "direction": "in"} | extra)


def watchlist(db: Database, name: str, kind: WatchlistKind, *patterns: str) -> int:
    with db.unit_of_work() as session:
        created = watchlists.create_list(session, list_in=WatchlistIn(name=name, kind=kind, reason="test setup"),
                                         actor=CLI_ACTOR)
        for pattern in patterns:
            watchlists.add_entry(session, list_id=created.id, actor=CLI_ACTOR,
                                 entry_in=EntryIn(pattern=pattern, reason=f"case {pattern}"))
        return created.id

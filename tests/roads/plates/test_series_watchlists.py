"""The special series through the roads service: a police or motorcycle read is stored with its format, hits a
watch list and is found by search exactly as an ordinary plate (both databases)."""

from __future__ import annotations

from sqlalchemy import select

from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from qorgau.roads import service
from qorgau.roads.enums import WatchlistKind
from qorgau.roads.models import PlateHit, PlateRead
from qorgau.roads.plates.grammar import best
from qorgau.roads.schemas import PlateSearch
from tests.conftest import CLI_ACTOR
from tests.roads.helpers import entry_camera, read_in, watchlist


def test_police_and_motorcycle_reads_hit_watch_lists_and_are_found_by_search(db: Database) -> None:
    police = best("123KP02")
    motorcycle = best("512KZT07", rows=2)
    assert police is not None and motorcycle is not None
    camera = entry_camera(db)
    watchlist(db, "Розыск", WatchlistKind.WANTED, "123KP02", "512K*")
    with db.unit_of_work() as session:
        police_id = service.record_read(session, read_in(camera, police.text, format=police.format_code))
        moto_id = service.record_read(session, read_in(camera, motorcycle.text, format=motorcycle.format_code))
        service.record_read(session, read_in(camera, "555XYZ02", format="kz_2012_private"))
    with db.reading() as session:
        hits = [e for e in read_after(session, 0, limit=1000) if e.name == "roads.plate_hit"]
        assert len(hits) == 2
        assert sorted(session.scalars(select(PlateHit.pattern)).all()) == ["123KP02", "512K*"]
        stored = {row.id: row.format for row in session.scalars(select(PlateRead))}
        assert stored[police_id] == "kz_police" and stored[moto_id] == "kz_motorcycle"
    with db.unit_of_work() as session:
        found = service.search(session, query=PlateSearch(reason="case 1", plate="123KP02"), actor=CLI_ACTOR)
        partial = service.search(session, query=PlateSearch(reason="case 2", plate="512*"), actor=CLI_ACTOR)
    assert [item.plate for item in found.items] == ["123KP02"]
    assert [item.plate for item in partial.items] == ["512KZT07"]

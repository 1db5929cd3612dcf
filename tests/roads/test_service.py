"""Recording reads against watch lists (hit → alarm with the crop), retention and the CSV import."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from qorgau.alarms.flows import RuleFlow
from qorgau.alarms.models import Alarm
from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from qorgau.core.errors import ValidationFailed
from qorgau.roads import service, watchlists
from qorgau.roads.enums import WatchlistKind
from qorgau.roads.models import PlateHit, PlateRead, Watchlist, WatchlistEntry
from tests.conftest import CLI_ACTOR
from tests.roads.helpers import T0, entry_camera, read_in, watchlist


def _hit_events(db: Database) -> list[object]:
    with db.reading() as session:
        return [e for e in read_after(session, 0, limit=1000) if e.name == "roads.plate_hit"]


def test_a_wanted_plate_raises_a_priority_alarm_with_the_crop_the_frame_and_the_place(db: Database) -> None:
    from tests.alarms.conftest import CONFIG

    camera = entry_camera(db)
    watchlist(db, "Розыск", WatchlistKind.WANTED, "123OBC02")
    with db.unit_of_work() as session:
        read_id = service.record_read(session, read_in(camera, "1230BC02"))  # O misread as 0
        service.record_read(session, read_in(camera, "555XYZ02"))
    events = _hit_events(db)
    assert len(events) == 1
    with db.unit_of_work() as session:
        RuleFlow(lambda: CONFIG)(session, events[0])  # type: ignore[arg-type]
    with db.reading() as session:
        alarm = session.scalars(select(Alarm)).one()
        assert (alarm.rule_code, alarm.kind, alarm.procedure_code, alarm.priority) == (
            "plate_hit", "plate_hit", "plate_hit", 8)
        assert alarm.details["crop_url"] == f"/api/roads/reads/{read_id}/crop.jpg"
        assert alarm.details["snapshot_url"] == f"/api/roads/reads/{read_id}/snapshot.jpg"
        assert alarm.details["direction"] == "in" and alarm.details["reason"] == "case 123OBC02"
        assert alarm.lon is not None and alarm.lat is not None  # the nearest units are found from here
        read = session.get(PlateRead, read_id)
        assert read is not None and read.kept  # evidence outlives the keeping period
        assert session.scalars(select(PlateHit.pattern)).all() == ["123OBC02"]


def test_a_plate_of_interest_is_a_low_priority_alarm(db: Database) -> None:
    from tests.alarms.conftest import CONFIG

    camera = entry_camera(db)
    watchlist(db, "Без страховки", WatchlistKind.NO_INSURANCE, "77*")
    with db.unit_of_work() as session:
        service.record_read(session, read_in(camera, "777AAA01"))
    with db.unit_of_work() as session:
        RuleFlow(lambda: CONFIG)(session, _hit_events(db)[0])  # type: ignore[arg-type]
    with db.reading() as session:
        assert session.scalars(select(Alarm.priority)).one() == 60


def test_the_matcher_sees_edits_at_once(db: Database) -> None:
    camera = entry_camera(db)
    list_id = watchlist(db, "Угон", WatchlistKind.STOLEN, "111AAA01")
    with db.unit_of_work() as session:
        entry_id = session.scalars(select(WatchlistEntry.id)).one()
        watchlists.remove_entry(session, list_id=list_id, entry_id=entry_id, reason="found", actor=CLI_ACTOR)
    with db.unit_of_work() as session:
        assert service.record(session, read=read_in(camera, "111AAA01")).hits == 0


def test_retention_deletes_old_reads_but_keeps_those_of_hits(db: Database) -> None:
    camera = entry_camera(db)
    watchlist(db, "Розыск", WatchlistKind.WANTED, "123ABC02")
    old = T0 - timedelta(days=31)
    with db.unit_of_work() as session:
        service.record_read(session, read_in(camera, "123ABC02", at=old))
        service.record_read(session, read_in(camera, "999ZZZ02", at=old))
        service.record_read(session, read_in(camera, "888YYY02", at=T0))
    with db.unit_of_work() as session:
        assert service.prune(session, keep_days=30, now=T0) == 1
    with db.reading() as session:
        assert sorted(session.scalars(select(PlateRead.plate))) == ["123ABC02", "888YYY02"]


CSV_OK = ("list,kind,pattern,reason,valid_until\n"
          "Розыск,wanted,123 ABC 02,ориентировка 17,\n"
          "Розыск,wanted,777*,ориентировка 18,2027-01-01T00:00:00+05:00\n"
          "Угон,stolen,12?ABC01,заявление 4,\n")


def test_csv_import_adds_every_entry_and_the_lists(db: Database) -> None:
    with db.unit_of_work() as session:
        result = watchlists.import_csv(session, text=CSV_OK, reason="weekly bulletin", actor=CLI_ACTOR)
    assert (result.added, result.lists) == (3, {"Розыск": 2, "Угон": 1})
    with db.reading() as session:
        assert sorted(session.scalars(select(WatchlistEntry.pattern))) == ["123ABC02", "12?ABC01", "777*"]


def test_csv_import_is_all_or_none_with_each_problem_and_its_line(db: Database) -> None:
    text = ("list,kind,pattern,reason\n"
            "Розыск,wanted,123ABC02,ok\n"
            "Розыск,hunted,555AAA02,bad kind\n"
            "Розыск,wanted,*,bad pattern\n"
            "Розыск,wanted,123ABC02,again\n"
            "Розыск,wanted,444AAA02,\n")
    with db.unit_of_work() as session, pytest.raises(ValidationFailed) as caught:
        watchlists.import_csv(session, text=text, reason="bulletin", actor=CLI_ACTOR)
    found = [(p["line"], p["code"]) for p in caught.value.errors]
    assert found == [("3", "roads.problem.unknown_kind"), ("4", "roads.problem.bad_pattern"),
                     ("5", "roads.problem.duplicate"), ("6", "roads.problem.missing_field")]
    with db.reading() as session:
        assert session.scalars(select(Watchlist)).all() == []
        assert session.scalars(select(WatchlistEntry)).all() == []

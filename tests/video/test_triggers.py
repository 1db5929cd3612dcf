"""Alarms make event-mode cameras record, incidents protect recordings, storage trouble is an alarm on the desk."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qorgau.alarms.events import RAISED, AlarmChanged, AlarmState
from qorgau.alarms.flows import RuleFlow
from qorgau.alarms.models import Alarm
from qorgau.core.bus import Context, Event, publish
from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from qorgau.core.settings import current
from qorgau.incidents.enums import IncidentState, Source
from qorgau.incidents.events import OPENED, STATE_CHANGED, IncidentChanged
from qorgau.video import flows, volumes
from qorgau.video.config import VideoSettings, VolumeSpec
from qorgau.video.models import Protection, RecordTrigger, VideoCamera
from tests.devices.conftest import near
from tests.video.rec_packets import add_camera

CTX = Context.system("test")
AT = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


def _alarm(lon: float | None, lat: float | None) -> AlarmChanged:
    return AlarmChanged(alarm_id=7, state=AlarmState.NEW, priority=1, escalation_level=0, rule="school_panic",
                        kind="panic", count=1, first_at=AT, last_at=AT, lon=lon, lat=lat)


def _handle(db: Database, kind: Any, payload: Any, subject: str) -> Event[Any]:
    with db.unit_of_work() as session:
        event = publish(session, kind, subject_id=subject, payload=payload, ctx=CTX, occurred_at=AT)
        for subscriber in flows.subscribers():
            if subscriber.wants(event):
                subscriber.handler(session, event)
    return event


def test_an_alarm_makes_the_event_mode_cameras_that_see_it_record(db: Database) -> None:
    events_cam = add_camera(db, "CAM-0001")  # both look north at the alarm 30 m away
    continuous = add_camera(db, "CAM-0002", east_m=5)
    add_camera(db, "CAM-0003", north_m=2000)  # too far
    with db.unit_of_work() as session:
        session.add(VideoCamera(device_id=events_cam, recording_mode="events", privacy_masks=[], updated_at=AT))
        session.add(VideoCamera(device_id=continuous, recording_mode="continuous", privacy_masks=[], updated_at=AT))
    _handle(db, RAISED, _alarm(*near(0, 30)), "7")
    _handle(db, RAISED, _alarm(None, None), "8")  # no location: nothing to look at
    settings = current(VideoSettings)
    with db.reading() as session:
        rows = session.scalars(select(RecordTrigger)).all()
        assert [(r.device_id, r.cause) for r in rows] == [(events_cam, "alarm:7")]
        assert rows[0].start_at == AT - timedelta(seconds=settings.video_pre_roll_s)
        assert rows[0].end_at == AT + timedelta(seconds=settings.video_post_roll_s)


def _incident(state: IncidentState, lon: float, lat: float) -> IncidentChanged:
    return IncidentChanged(incident_id=1, number="2026-000001", category="theft", priority=5, state=state,
                           source=Source.MANUAL, lon=lon, lat=lat)


def test_an_incident_protects_its_cameras_until_closed(db: Database) -> None:
    cam = add_camera(db, "CAM-0001")
    lon, lat = near(0, 30)
    _handle(db, OPENED, _incident(IncidentState.NEW, lon, lat), "1")
    _handle(db, OPENED, _incident(IncidentState.NEW, lon, lat), "1")  # delivered twice: protected once
    with db.reading() as session:
        rows = session.scalars(select(Protection)).all()
        assert [(r.device_id, r.ref, r.released_at) for r in rows] == [(cam, "2026-000001", None)]
        assert rows[0].start_at < AT < rows[0].end_at
    _handle(db, STATE_CHANGED, _incident(IncidentState.ON_SCENE, lon, lat), "1")
    with db.reading() as session:
        assert session.scalars(select(Protection.released_at)).one() is None
    _handle(db, STATE_CHANGED, _incident(IncidentState.CLOSED, lon, lat), "1")
    with db.reading() as session:
        assert session.scalars(select(Protection.released_at)).one() == AT


def test_a_missing_volume_is_an_alarm_on_the_desk_restored_when_it_returns(db: Database, tmp_path: Path) -> None:
    from tests.alarms.conftest import CONFIG

    spec = VolumeSpec(name="disk1", path=tmp_path / "mnt" / "disk1", quota_gb=1)
    with db.unit_of_work() as session:
        volumes.check(session=session, specs=[spec], min_free=0)
    shutil.rmtree(tmp_path / "mnt")
    with db.unit_of_work() as session:
        volumes.check(session=session, specs=[spec], min_free=0)
    spec.path.mkdir(parents=True)
    (spec.path / volumes.MARKER).write_text("back\n")
    with db.unit_of_work() as session:
        volumes.check(session=session, specs=[spec], min_free=0)
    with db.reading() as session:
        pending = [e for e in read_after(session, 0, limit=1000) if e.name == "video.volume_changed"]
    assert [e.payload.current for e in pending] == ["missing", "ok"]
    flow = RuleFlow(lambda: CONFIG)
    with db.unit_of_work() as session:
        flow(session, pending[0])
    with db.reading() as session:
        alarm = session.scalars(select(Alarm)).one()
        assert (alarm.rule_code, alarm.kind, alarm.procedure_code, alarm.priority) == (
            "video_storage", "video_storage", "video_storage", 35)
        assert alarm.restored_at is None
    with db.unit_of_work() as session:
        flow(session, pending[1])
    with db.reading() as session:
        assert session.scalars(select(Alarm)).one().restored_at is not None


def test_a_database_made_before_the_storage_rule_gets_it_on_upgrade(db: Database) -> None:
    from qorgau.alarms.models import AlarmRule, Procedure
    from qorgau.core.migrate import downgrade, upgrade

    db.dispose()
    downgrade(db.url, "0012")
    with db.reading() as session:
        assert session.get(Procedure, "video_storage") is None
        assert session.scalars(select(AlarmRule).where(AlarmRule.code == "video_storage")).first() is None
    upgrade(db.url)
    with db.reading() as session:
        rule = session.scalars(select(AlarmRule).where(AlarmRule.code == "video_storage")).one()
        assert (rule.event, rule.match, rule.priority) == (
            "video.volume_changed", {"current": ["full", "missing", "failing"]}, 35)
        procedure = session.get(Procedure, "video_storage")
        assert procedure is not None and [s.key for s in procedure.steps] == ["check_storage", "notify_maintenance"]

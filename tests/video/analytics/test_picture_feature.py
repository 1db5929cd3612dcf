"""The picture-health consumer on a real database: a covered camera goes degraded with the picture's reason (an
alarm by the default rule) and back online (the alarm restored), its reference is stored and an admin's reset
makes the worker learn a new one; the worker's stream sightings keep a camera with a bad picture degraded."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.core.errors import NotFound
from qorgau.devices.models import Device
from qorgau.video import status
from qorgau.video.admin import reset_picture_reference
from qorgau.video.analytics.contracts import AnalysedFrame
from qorgau.video.analytics.picture_feature import PictureHealthConsumer, limits_from
from qorgau.video.analytics.picture_health import Limits
from qorgau.video.contracts import WorkerContext
from qorgau.video.models import PictureReference
from tests.alarms.conftest import alarms, handle_outbox
from tests.conftest import CLI_ACTOR
from tests.video.analytics.test_picture_health import covered, frames
from tests.video.conftest import add_camera, quick_settings

AT_ONCE = Limits(raise_after_s=0.0, clear_after_s=0.0, learn_after_s=0.0)


def health_changes(db: Database) -> list[tuple[str, str, str | None]]:
    with db.sessions() as session:
        return [(e.payload["current"], e.payload["reason"], e.payload["detail"]) for e in session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "devices.health_changed").order_by(OutboxEvent.seq))]


def test_covered_camera_degraded_then_online_and_reference_reset(db: Database) -> None:
    device_id = add_camera(db, "CAM-0001")
    with db.unit_of_work() as session:  # a camera in service that streams: online
        status.apply_verdicts(session, seen=[device_id], failures=[], judge=status.HealthJudge(),
                              now=datetime.now(UTC))
    pictures = status.PictureVerdicts()  # the worker's: what its stream sightings say of the picture
    consumer = PictureHealthConsumer(cast(WorkerContext, SimpleNamespace(db=db, pictures=pictures)), limits=AT_ONCE,
                                     check_every_s=1e-6, start=False)
    clip = frames("road")

    def show(frame: Any) -> None:
        consumer.frame(AnalysedFrame(device_id=device_id, code="CAM-0001", wall=datetime.now(UTC), width=640,
                                     height=360, motion=0.0, tracks=(), detected=False), frame)

    show(clip[0])  # first sight: the reference is looked up at the next flush
    consumer.flush()
    show(clip[1])  # good picture: learned at once with these limits
    consumer.flush()
    with db.sessions() as session:
        stored = session.get(PictureReference, device_id)
        assert stored is not None and set(stored.sharpness) == {"day"}
    show(covered(5)(clip[2]))
    working, consumer.db = consumer.db, Database("sqlite:////nonexistent/qorgau.db")
    with pytest.raises(OperationalError):  # the database is away: nothing is lost, it is written next time
        consumer.flush()
    consumer.db = working
    consumer.flush()
    assert pictures.degraded() == {device_id: "picture covered"}
    with db.unit_of_work() as session:  # the next stream sighting does not bring it back online
        status.apply_verdicts(session, seen=[device_id], failures=[], judge=status.HealthJudge(),
                              now=datetime.now(UTC), pictures=pictures)
    show(clip[3])
    consumer.flush()
    assert pictures.degraded() == {}
    assert health_changes(db) == [("online", "heartbeat", None), ("degraded", "picture_covered", "picture covered"),
                                  ("online", "heartbeat", "picture good again")]
    handle_outbox(db)  # the default rule turns the picture's verdict into an alarm, restored when it is good again
    (alarm,) = alarms(db)
    assert (alarm.rule_code, alarm.kind, alarm.priority, alarm.device_code) == ("camera_picture", "camera_picture",
                                                                                42, "CAM-0001")
    assert alarm.restored_at is not None
    with db.unit_of_work() as session:
        camera = session.get_one(Device, device_id)
        reset_picture_reference(session=session, device=camera, actor=CLI_ACTOR)
        with pytest.raises(NotFound):
            reset_picture_reference(session=session, device=camera, actor=CLI_ACTOR)
    consumer.flush()  # the reset is noticed: learned again from the next good picture
    assert consumer._watches[device_id].reference is None
    show(clip[4])
    consumer.close()  # the last flush stores it
    with db.sessions() as session:
        again = session.get(PictureReference, device_id)
        assert again is not None and again.learned_at > stored.learned_at


def test_settings_give_the_limits_and_zero_turns_the_checks_off() -> None:
    settings = quick_settings(video_picture_raise_s=7.0, video_picture_clear_s=8.0, video_picture_learn_s=9.0,
                              video_picture_dark_brightness=20.0, video_picture_min_matches=30)
    consumer = PictureHealthConsumer(cast(WorkerContext, SimpleNamespace(db=None, settings=settings, pictures=None)),
                                     start=False)
    assert (consumer.limits.raise_after_s, consumer.limits.clear_after_s, consumer.limits.learn_after_s,
            consumer.check_every_s, consumer.enabled) == (7.0, 8.0, 9.0, 5.0, True)
    assert (consumer.limits.dark_brightness, consumer.limits.min_matches) == (20.0, 30)
    # Every threshold is a setting, and the settings' defaults are the ones the checks were tuned with.
    assert limits_from(quick_settings()) == Limits()
    off = PictureHealthConsumer(cast(WorkerContext, SimpleNamespace(
        db=None, settings=quick_settings(video_picture_check_s=0), pictures=None)), start=False)
    off.frame(AnalysedFrame(device_id=1, code="CAM-0001", wall=datetime.now(UTC), width=640, height=360, motion=0.0,
                            tracks=(), detected=False), frames("road")[0])
    off.close()
    assert not off.enabled and off._wanted == {} and not off._thread.is_alive()

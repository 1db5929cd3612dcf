"""Escalation with explicit time: by priority, repeated every interval, stopped by acknowledgement or restore."""

from __future__ import annotations

from datetime import datetime, timedelta

from qorgau.alarms import escalation, service, workers
from qorgau.alarms.config import AlarmsConfig
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from tests.alarms.conftest import CONFIG, alarm_events, alarms, panel_signal, registry, signal
from tests.conftest import make_user


def _escalate(db: Database, at: timedelta, t0: datetime, config: AlarmsConfig = CONFIG) -> list[int]:
    with db.unit_of_work() as session:
        return escalation.escalate_due(session, t0 + at, config=config)


def test_unacknowledged_alarms_escalate_by_priority_and_again(db: Database) -> None:
    registry(db)
    t0 = utcnow()
    signal(db, panel_signal("panic"), received_at=t0)  # priority 1: 60 s
    signal(db, panel_signal("tamper"), received_at=t0)  # priority 40: 300 s
    panic, tamper = (a.id for a in alarms(db))
    assert _escalate(db, timedelta(seconds=59), t0) == []
    assert _escalate(db, timedelta(seconds=61), t0) == [panic]
    assert _escalate(db, timedelta(seconds=62), t0) == []
    assert _escalate(db, timedelta(seconds=121), t0) == [panic]
    assert _escalate(db, timedelta(seconds=301), t0) == [panic, tamper]
    levels = {a.id: a.escalation_level for a in alarms(db)}
    assert levels == {panic: 3, tamper: 1}
    escalated = alarm_events(db, "alarms.escalated")
    assert [e.payload["escalation_level"] for e in escalated] == [1, 2, 3, 1]
    assert {e.payload["escalated_to"] for e in escalated} == {"supervisor"}
    assert all(e.payload["state"] == "new" for e in escalated)


def test_after_downtime_an_alarm_escalates_once_then_every_interval(db: Database) -> None:
    registry(db)
    t0 = utcnow()
    signal(db, panel_signal("panic"), received_at=t0)
    assert len(_escalate(db, timedelta(hours=1), t0)) == 1
    assert _escalate(db, timedelta(hours=1, seconds=59), t0) == []
    assert len(_escalate(db, timedelta(hours=1, seconds=60), t0)) == 1


def test_acknowledged_alarms_do_not_escalate(db: Database) -> None:
    registry(db)
    t0 = utcnow()
    signal(db, panel_signal("panic"), received_at=t0)
    (alarm,) = alarms(db)
    user = make_user(db, "aigerim", "operator")
    with db.unit_of_work() as session:
        service.acknowledge(session, alarm_id=alarm.id, user_id=user, user_name="aigerim",
                            ctx=Context.for_user(user), config=CONFIG)
    assert _escalate(db, timedelta(hours=1), t0) == []


def test_configured_brackets_decide_the_interval(db: Database) -> None:
    registry(db)
    t0 = utcnow()
    config = AlarmsConfig(escalation_s={5: 10, 255: 1000})
    signal(db, panel_signal("panic"), received_at=t0, config=config)
    signal(db, panel_signal("tamper"), received_at=t0, config=config)
    panic, _ = (a.id for a in alarms(db))
    assert _escalate(db, timedelta(seconds=11), t0, config) == [panic]
    assert config.escalation_after(6) == timedelta(seconds=1000)


def test_escalate_database_runs_in_batches(db: Database) -> None:
    registry(db)
    signal(db, panel_signal("panic"), received_at=utcnow() - timedelta(minutes=5))
    assert workers.escalate_database(db, CONFIG) == 1
    assert workers.escalate_database(db, CONFIG) == 0

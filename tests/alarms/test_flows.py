"""Signals to alarms on SQLite and PostgreSQL: rules, flood control, restores, device offline, causal context."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from qorgau.alarms.config import AlarmsConfig
from qorgau.alarms.flows import subscriber
from qorgau.alarms.models import Alarm
from qorgau.core.bus import Context
from qorgau.core.bus.dispatch import Dispatcher
from qorgau.core.bus.transport import make_transport
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices import health
from qorgau.ingest.events import ACCESS_EVENT, SOS_EVENT, AccessEvent, Position, SosEvent
from qorgau.protocols.actions import AccessAction, SosAction
from qorgau.settings import Settings
from tests.alarms.conftest import (
    CONFIG,
    alarm_events,
    alarms,
    handle_outbox,
    panel_signal,
    publish_signal,
    registry,
    signal,
)
from tests.conftest import run_async

NOON_LOCAL = datetime(2025, 3, 1, 7, 0, tzinfo=UTC)  # 12:00 in Aksai


def test_school_panic_raises_priority_one_with_its_procedure(db: Database) -> None:
    registry(db)
    cause = signal(db, panel_signal("panic"), occurred_at=NOON_LOCAL)
    (alarm,) = alarms(db)
    assert (alarm.rule_code, alarm.priority, alarm.kind, alarm.procedure_code) == (
        "school_panic", 1, "panic", "school_panic")
    assert alarm.auto_incident and alarm.incident_category == "school_alarm"
    assert (alarm.state, alarm.count, alarm.site_code, alarm.device_code) == ("new", 1, "OBJ-01", "PNL-01")
    assert alarm.lon is not None and alarm.details["zone"] == "1" and not alarm.simulated
    assert alarm.escalate_at == alarm.first_at + timedelta(seconds=60)
    (raised,) = alarm_events(db)
    assert raised.name == "alarms.raised" and raised.subject_id == str(alarm.id)
    assert raised.context["parent_id"] == str(cause.id)
    assert raised.context["correlation_id"] == str(cause.context.correlation_id)
    assert raised.payload["rule"] == "school_panic" and raised.payload["priority"] == 1


def test_the_same_panic_at_a_kindergarten_is_priority_five(db: Database) -> None:
    registry(db)
    signal(db, panel_signal("panic", "PNL-02", "OBJ-02"))
    (alarm,) = alarms(db)
    assert (alarm.rule_code, alarm.priority, alarm.procedure_code) == ("object_panic", 5, "object_panic")


def test_repeats_fold_within_the_window_and_raise_anew_after_it(db: Database) -> None:
    registry(db)
    t0 = utcnow()
    signal(db, panel_signal("panic"), received_at=t0)
    signal(db, panel_signal("panic", zone="2"), received_at=t0 + timedelta(seconds=30))
    signal(db, panel_signal("panic"), received_at=t0 + timedelta(seconds=140))  # 110 s after the last: folds
    (alarm,) = alarms(db)
    assert alarm.count == 3 and alarm.last_at == t0 + timedelta(seconds=140) and alarm.first_at == t0
    assert alarm.details["zone"] == "1"
    assert [e.name for e in alarm_events(db)] == ["alarms.raised", "alarms.repeated", "alarms.repeated"]
    assert alarm_events(db)[-1].payload["count"] == 3
    signal(db, panel_signal("panic"), received_at=t0 + timedelta(seconds=261))  # 121 s of quiet: a new alarm
    signal(db, panel_signal("fire"), received_at=t0 + timedelta(seconds=262))  # another event: its own alarm
    assert [(a.rule_code, a.count) for a in alarms(db)] == [("school_panic", 3), ("school_panic", 1), ("fire", 1)]


def test_no_folding_with_a_zero_window(db: Database) -> None:
    registry(db)
    never = AlarmsConfig(fold_window_s=0)
    signal(db, panel_signal("tamper"), config=never)
    signal(db, panel_signal("tamper"), config=never)
    assert [a.count for a in alarms(db)] == [1, 1]


def test_signals_without_a_rule_raise_nothing(db: Database) -> None:
    registry(db)
    signal(db, panel_signal("close"))
    signal(db, panel_signal("panic", restore=True))
    assert alarms(db) == [] and alarm_events(db) == []


def test_sos_press_and_forced_door(db: Database) -> None:
    registry(db)
    press = SosEvent(device_code="SOS-01", action=SosAction.BUTTON_PRESSED, channel="sip",
                     position=Position(lon=53.0, lat=51.17), call_id="abc")
    signal(db, press, SOS_EVENT)
    signal(db, SosEvent(device_code="SOS-01", action=SosAction.CALL_ENDED, channel="sip",
                        position=Position(lon=53.0, lat=51.17)), SOS_EVENT)
    signal(db, AccessEvent(device_code="TRN-01", site_code="OBJ-01", action=AccessAction.FORCED), ACCESS_EVENT)
    sos, door = alarms(db)
    assert (sos.rule_code, sos.priority, sos.kind, sos.lon, sos.lat) == ("sos_press", 10, "sos", 53.0, 51.17)
    assert sos.details["call_id"] == "abc" and not sos.auto_incident and sos.incident_category == "sos_call"
    assert (door.rule_code, door.priority, door.site_code, door.lon) == ("door_forced", 20, "OBJ-01", None)


def test_simulated_signals_raise_simulated_alarms(db: Database) -> None:
    registry(db)
    signal(db, panel_signal("panic"), ctx=Context(actor="device:PNL-01", simulated=True))
    (alarm,) = alarms(db)
    (raised,) = alarm_events(db)
    assert alarm.simulated and raised.payload["simulated"] and raised.context["simulated"]


def test_device_offline_raises_and_back_online_restores(db: Database) -> None:
    registry(db)
    t0 = utcnow()
    ctx = Context.system("test")
    with db.unit_of_work() as session:
        for code in ("CAM-0001", "PNL-01"):
            health.heartbeat(session, code=code, ctx=ctx, now=t0)
    seq = handle_outbox(db)
    with db.unit_of_work() as session:
        assert sorted(health.supervise(session, now=t0 + timedelta(hours=1))) == ["CAM-0001", "PNL-01"]
    seq = handle_outbox(db, seq)
    camera, panel = sorted(alarms(db), key=lambda a: a.device_code or "")
    assert (camera.rule_code, camera.priority, camera.kind) == ("device_offline", 100, "device_offline")
    assert (panel.rule_code, panel.priority) == ("panel_offline", 30)
    assert camera.escalate_at is not None
    with db.unit_of_work() as session:
        health.heartbeat(session, code="CAM-0001", ctx=ctx, now=t0 + timedelta(hours=2))
    handle_outbox(db, seq)
    camera = next(a for a in alarms(db) if a.device_code == "CAM-0001")
    # Back online: the alarm stays on the desk for the operator, marked restored, and stops escalating.
    assert camera.state == "new" and camera.restored_at is not None and camera.escalate_at is None
    restored = alarm_events(db, "alarms.restored")
    assert [e.subject_id for e in restored] == [str(camera.id)] and restored[0].payload["restored_at"]


def test_a_panel_restore_marks_its_alarm_restored_and_a_repeat_clears_it(db: Database) -> None:
    registry(db)
    t0 = utcnow()
    signal(db, panel_signal("tamper"), received_at=t0)
    signal(db, panel_signal("tamper", restore=True), received_at=t0 + timedelta(seconds=5))
    (alarm,) = alarms(db)
    assert alarm.restored_at is not None and alarm.escalate_at is None
    signal(db, panel_signal("tamper"), received_at=t0 + timedelta(seconds=10))
    (alarm,) = alarms(db)
    assert alarm.restored_at is None and alarm.count == 2
    assert alarm.escalate_at == t0 + timedelta(seconds=10) + CONFIG.escalation_after(40)


def test_the_durable_subscriber_raises_alarms_end_to_end(settings: Settings, db: Database) -> None:
    registry(db)

    def raised() -> list[Alarm]:
        with db.reading() as session:
            return list(session.scalars(select(Alarm)))

    async def scenario() -> None:
        transport = make_transport(settings, db)
        await transport.start()
        dispatcher = Dispatcher(db, transport, [subscriber(lambda: CONFIG)])
        await dispatcher.start()  # the subscriber's cursor is fixed when it returns
        await asyncio.to_thread(publish_signal, db, panel_signal("duress"))
        for _ in range(200):
            if raised():
                break
            await asyncio.sleep(0.05)
        await dispatcher.stop()
        await transport.stop()

    run_async(scenario())
    (alarm,) = raised()
    assert (alarm.rule_code, alarm.priority, alarm.kind, alarm.procedure_code) == (
        "school_duress", 1, "duress", "school_panic")


def test_the_domain_exposes_one_durable_subscriber_for_device_signals() -> None:
    from qorgau.alarms.flows import subscribers

    (only,) = subscribers()
    assert only.name == "alarms.rules"
    assert only.events == {"ingest.panel_event", "ingest.access_event", "ingest.sos_event", "ingest.vendor_event",
                           "devices.health_changed", "video.volume_changed", "video.analytics_event",
                           "roads.plate_hit"}

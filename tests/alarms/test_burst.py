"""A power cut on SQLite and PostgreSQL: a burst of `devices.health_changed` handled as one group by the durable
subscriber raises, restores and folds exactly as the same signals would one by one, events in signal order."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms.flows import subscriber
from qorgau.core.bus import Context, Event
from qorgau.core.bus.dispatch import Dispatcher
from qorgau.core.bus.outbox import read_after
from qorgau.core.bus.transport import make_transport
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices import health
from qorgau.devices import service as device_service
from qorgau.devices.enums import Health, HealthReason
from qorgau.devices.models import Device
from qorgau.devices.schemas import DeviceCreate
from qorgau.settings import Settings
from tests.alarms.conftest import CONFIG, alarm_events, alarms
from tests.conftest import CLI_ACTOR, run_async
from tests.devices.conftest import camera

CTX = Context.system("test")
CAMERAS, FLAPPING = 30, 8


def _cameras(db: Database) -> list[str]:
    codes = [f"CAM-{n:04d}" for n in range(1, CAMERAS + 1)]
    with db.unit_of_work() as session:
        for n, code in enumerate(codes):
            body = camera(code, east_m=10.0 * n)
            device_service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR, ctx=CTX)
    return codes


def _power_cut(db: Database, codes: list[str]) -> list[tuple[str, str]]:
    """Every camera offline, the first few back and out again, in one transaction (a supervision pass); returns
    the alarm events the rules owe, in order."""
    now = utcnow()
    with db.unit_of_work() as session:
        devices = {d.code: d for d in session.scalars(select(Device).where(Device.code.in_(codes)))}
        for code in codes:
            health.change(session, devices[code], Health.OFFLINE, HealthReason.SILENT, ctx=CTX, now=now)
        for state in (Health.ONLINE, Health.OFFLINE):
            for code in codes[:FLAPPING]:
                health.change(session, devices[code], state, HealthReason.HEARTBEAT, ctx=CTX, now=now)
    return ([("alarms.raised", code) for code in codes] + [("alarms.restored", c) for c in codes[:FLAPPING]]
            + [("alarms.repeated", c) for c in codes[:FLAPPING]])


def _check(db: Database, codes: list[str], owed: list[tuple[str, str]]) -> None:
    found = {str(alarm.device_code): alarm for alarm in alarms(db)}
    assert sorted(found) == sorted(codes)  # one alarm per camera: the flapping ones folded, not raised again
    for code, alarm in found.items():
        flapping = code in codes[:FLAPPING]
        assert (alarm.rule_code, alarm.count) == ("device_offline", 2 if flapping else 1)
        assert alarm.restored_at is None and alarm.escalate_at is not None  # out again: escalation resumed
    published = alarm_events(db)
    assert [(e.name, e.payload["device_code"]) for e in published] == owed
    by_id = {alarm.id: alarm.device_code for alarm in found.values()}
    assert all(by_id[int(e.subject_id)] == e.payload["device_code"] for e in published)
    # Each event carries the alarm as it was then: raised with count 1, restored, then repeated with count 2.
    for code in codes[:FLAPPING]:
        mine = [e.payload for e in published if e.payload["device_code"] == code]
        assert [(p["count"], p["restored_at"] is not None) for p in mine] == [(1, False), (1, True), (2, False)]


def test_a_power_cut_burst_handled_as_one_group_folds_as_the_rules_say(db: Database) -> None:
    codes = _cameras(db)
    owed = _power_cut(db, codes)
    with db.reading() as session:
        burst = read_after(session, 0, limit=10_000)
    flow = subscriber(lambda: CONFIG)
    assert flow.batch is not None
    with db.unit_of_work() as session:
        flow.batch(session, burst)  # what the dispatcher does with a group
    _check(db, codes, owed)


def test_the_dispatcher_gives_the_rules_a_burst_and_the_desk_gets_it_in_order(settings: Settings,
                                                                               db: Database) -> None:
    codes = _cameras(db)
    groups: list[int] = []
    plain = subscriber(lambda: CONFIG)
    assert plain.batch is not None
    batch = plain.batch

    def counting(session: Session, events: Sequence[Event[Any]]) -> None:
        groups.append(len(events))
        batch(session, events)

    async def scenario() -> list[tuple[str, str]]:
        transport = make_transport(settings, db)
        await transport.start()
        dispatcher = Dispatcher(db, transport, [dataclasses.replace(plain, batch=counting)])
        await dispatcher.start()
        owed = await asyncio.to_thread(_power_cut, db, codes)
        for _ in range(400):
            if len(alarm_events(db)) >= len(owed):
                break
            await asyncio.sleep(0.05)
        await dispatcher.stop()
        await transport.stop()
        return owed

    owed = run_async(scenario())
    _check(db, codes, owed)
    assert max(groups) > 1  # the burst came as groups, not one event per transaction

"""Health: heartbeats, supervision of silent devices, and exactly one `devices.health_changed` per change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from qorgau.core.db import Database
from qorgau.core.errors import QorgauError
from qorgau.core.time import utcnow
from qorgau.devices import health, revision, service, workers
from qorgau.devices.enums import Health
from qorgau.devices.schemas import DeviceCreate, DevicePatch
from tests.conftest import CLI_ACTOR
from tests.devices.conftest import CTX, camera, events, panel


def _create(db: Database, body: dict[str, Any]) -> None:
    with db.unit_of_work() as session:
        service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR, ctx=CTX)


def _changes(db: Database) -> list[tuple[str, str, str, str]]:
    return [(e.subject_id, e.payload["previous"], e.payload["current"], e.payload["reason"])
            for e in events(db, "devices.health_changed")]


def test_silent_past_its_interval_goes_offline_and_a_heartbeat_brings_it_back(db: Database) -> None:
    _create(db, camera("CAM-0001", supervision_interval_s=60))
    t0 = utcnow()
    with db.unit_of_work() as session:
        health.heartbeat(session, code="cam-0001", ctx=CTX, now=t0)
    with db.unit_of_work() as session:
        health.heartbeat(session, code="CAM-0001", ctx=CTX, now=t0 + timedelta(seconds=30))  # no change
        assert health.supervise(session, now=t0 + timedelta(seconds=89)) == []  # 59 s after the last one
    with db.unit_of_work() as session:
        assert health.supervise(session, now=t0 + timedelta(seconds=91)) == ["CAM-0001"]
    with db.unit_of_work() as session:
        assert health.supervise(session, now=t0 + timedelta(seconds=500)) == []  # offline is reported once
    with db.unit_of_work() as session:
        health.heartbeat(session, code="CAM-0001", ctx=CTX, now=t0 + timedelta(seconds=600))
    assert _changes(db) == [("CAM-0001", "unknown", "online", "heartbeat"),
                            ("CAM-0001", "online", "offline", "silent"),
                            ("CAM-0001", "offline", "online", "heartbeat")]
    offline = events(db, "devices.health_changed")[1]
    assert offline.payload["detail"] == "silent for 61 s" and offline.context["actor"] == "system:devices.supervision"
    assert offline.payload["last_seen_at"].startswith(str((t0 + timedelta(seconds=30)).date()))


def test_each_kind_has_its_default_interval_and_degraded_is_reported(db: Database) -> None:
    _create(db, panel("PNL-01"))  # alarm panels: 300 s by default
    t0 = utcnow()
    with db.unit_of_work() as session:
        device = health.heartbeat(session, code="PNL-01", status=Health.DEGRADED, detail="battery low", ctx=CTX, now=t0)
        assert device.offline_after == t0 + timedelta(seconds=300)
    with db.unit_of_work() as session:
        assert health.supervise(session, now=t0 + timedelta(seconds=299)) == []
        assert health.supervise(session, now=t0 + timedelta(seconds=301)) == ["PNL-01"]
    [degraded, offline] = events(db, "devices.health_changed")
    assert (degraded.payload["current"], degraded.payload["reason"], degraded.payload["detail"]) == (
        "degraded", "reported_degraded", "battery low")
    assert (offline.payload["previous"], offline.payload["current"]) == ("degraded", "offline")


def test_devices_never_heard_from_or_not_installed_are_not_supervised(db: Database) -> None:
    _create(db, camera("CAM-0001"))  # never sent a heartbeat: stays unknown
    _create(db, camera("CAM-0002", lifecycle="planned"))
    t0 = utcnow()
    with db.unit_of_work() as session:
        health.heartbeat(session, code="CAM-0002", ctx=CTX, now=t0)  # a planned device may report; it is online
    with db.unit_of_work() as session:
        assert health.supervise(session, now=t0 + timedelta(days=1)) == []
    assert _changes(db) == [("CAM-0002", "unknown", "online", "heartbeat")]


def test_decommissioning_a_reporting_device_makes_it_unknown_and_refuses_its_heartbeats(db: Database) -> None:
    _create(db, camera("CAM-0001"))
    with db.unit_of_work() as session:
        health.heartbeat(session, code="CAM-0001", ctx=CTX)
    with db.unit_of_work() as session:
        service.decommission(session, code="CAM-0001", actor=CLI_ACTOR, ctx=CTX)
    with db.unit_of_work() as session, pytest.raises(QorgauError) as caught:
        health.heartbeat(session, code="CAM-0001", ctx=CTX)
    assert caught.value.status == 409
    assert _changes(db)[-1] == ("CAM-0001", "online", "unknown", "decommissioned")
    with db.unit_of_work() as session:
        assert health.supervise(session, now=utcnow() + timedelta(days=1)) == []


def test_changing_the_interval_moves_the_deadline(db: Database) -> None:
    _create(db, camera("CAM-0001"))
    t0 = utcnow()
    with db.unit_of_work() as session:
        health.heartbeat(session, code="CAM-0001", ctx=CTX, now=t0)
    with db.unit_of_work() as session:
        service.update(session, code="CAM-0001", patch=DevicePatch(supervision_interval_s=30), actor=CLI_ACTOR,
                       ctx=CTX)
    with db.unit_of_work() as session:
        assert health.supervise(session, now=t0 + timedelta(seconds=31)) == ["CAM-0001"]


def test_supervision_of_a_database_works_through_batches(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(1, 6):
        _create(db, camera(f"CAM-{n:04d}", east_m=n * 10, supervision_interval_s=10))
    with db.unit_of_work() as session:
        for n in range(1, 6):
            health.heartbeat(session, code=f"CAM-{n:04d}", ctx=CTX, now=utcnow() - timedelta(minutes=5))
    monkeypatch.setattr(health, "SUPERVISION_BATCH", 2)
    assert workers.supervise_database(db) == 5
    assert [c[2] for c in _changes(db)].count("offline") == 5


def test_the_health_revision_moves_once_per_transaction_savepoints_included(db: Database) -> None:
    for number in range(3):
        _create(db, camera(f"CAM-000{number + 1}", east_m=10.0 * number))
    with db.reading() as session:
        before = revision.current(session)
    t0 = utcnow()
    with db.unit_of_work() as session:  # the ingest's way: each device in a savepoint of one transaction
        for number in range(3):
            with session.begin_nested():
                health.heartbeat(session, code=f"CAM-000{number + 1}", ctx=CTX, now=t0)
    with db.reading() as session:
        assert revision.current(session) == (before[0], before[1] + 1)
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        health.heartbeat(session, code="CAM-0001", status=Health.DEGRADED, ctx=CTX, now=t0)
        raise RuntimeError("rolled back")
    with db.reading() as session:
        assert revision.current(session) == (before[0], before[1] + 1)
    assert len(_changes(db)) == 3

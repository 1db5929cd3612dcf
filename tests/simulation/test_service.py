"""Simulation runs on SQLite and PostgreSQL: start, heartbeat, end, lost runs, one event per change."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.errors import Conflict, NotFound
from qorgau.core.time import utcnow
from qorgau.simulation import service, workers
from qorgau.simulation.schemas import RunCreate
from tests.conftest import CLI_ACTOR
from tests.simulation.conftest import audits, events

CTX = Context.for_user(1)


def _start(db: Database, name: str = "aksai-evening", now: datetime | None = None) -> int:
    run_in = RunCreate(name=name, seed=42, scale=1.0, details={"scenarios": ["school_panic"]})
    with db.unit_of_work() as session:
        return service.start(session, run_in=run_in, actor=CLI_ACTOR, ctx=CTX, now=now).id


def test_a_run_starts_active_and_is_announced_as_simulated(db: Database) -> None:
    run_id = _start(db)
    with db.reading() as session:
        (run,) = service.active(session)
        assert (run.id, run.name, run.seed, run.scale, run.started_by) == (run_id, "aksai-evening", 42, 1.0,
                                                                          "system:test")
        assert run.ended_at is None and run.details == {"scenarios": ["school_panic"]}
    (started,) = events(db)
    assert started.name == "simulation.started" and started.subject_id == str(run_id)
    assert started.context["simulated"] and started.context["actor"] == "user:1"
    assert started.payload["run_id"] == run_id and started.payload["end_reason"] is None
    assert [a.action for a in audits(db)] == ["simulation.start"]


def test_heartbeat_keeps_it_alive_and_end_keeps_the_summary(db: Database) -> None:
    run_id = _start(db)
    later = utcnow() + timedelta(seconds=10)
    with db.unit_of_work() as session:
        assert service.heartbeat(session, run_id=run_id, now=later).last_seen_at == later
    with db.unit_of_work() as session:
        run = service.end(session, run_id=run_id, summary={"alarms": 12}, actor=CLI_ACTOR, ctx=CTX)
        assert run.end_reason == "ended" and run.ended_at is not None
    with db.reading() as session:
        assert service.active(session) == []
        run = service.get(session, run_id)
        assert run.details == {"scenarios": ["school_panic"], "summary": {"alarms": 12}}
    assert [(e.name, e.payload["end_reason"], e.context["simulated"]) for e in events(db)] == [
        ("simulation.started", None, True), ("simulation.ended", "ended", True)]
    assert [a.action for a in audits(db)] == ["simulation.start", "simulation.end"]


def test_an_ended_run_refuses_heartbeats_and_a_second_end(db: Database) -> None:
    run_id = _start(db)
    with db.unit_of_work() as session:
        service.end(session, run_id=run_id, summary={}, actor=CLI_ACTOR, ctx=CTX)
    with pytest.raises(Conflict) as refused, db.unit_of_work() as session:
        service.heartbeat(session, run_id=run_id)
    assert refused.value.code == "simulation.run_ended" and refused.value.params["reason"] == "ended"
    with pytest.raises(Conflict), db.unit_of_work() as session:
        service.end(session, run_id=run_id, summary={}, actor=CLI_ACTOR, ctx=CTX)
    with pytest.raises(NotFound), db.unit_of_work() as session:
        service.heartbeat(session, run_id=run_id + 100)
    assert len(events(db, "simulation.ended")) == 1


def test_runs_silent_past_the_limit_end_as_lost_once(db: Database) -> None:
    t0 = utcnow()
    silent = _start(db, "silent", now=t0)
    alive = _start(db, "alive", now=t0)
    with db.unit_of_work() as session:
        service.heartbeat(session, run_id=alive, now=t0 + timedelta(seconds=25))
    with db.unit_of_work() as session:
        assert service.end_lost(session, lost_after_s=30, now=t0 + timedelta(seconds=29)) == []
    with db.unit_of_work() as session:
        assert service.end_lost(session, lost_after_s=30, now=t0 + timedelta(seconds=31)) == [silent]
    with db.unit_of_work() as session:
        assert service.end_lost(session, lost_after_s=30, now=t0 + timedelta(seconds=40)) == []
        assert [r.id for r in service.active(session)] == [alive]
        assert service.get(session, silent).end_reason == "lost"
    (ended,) = events(db, "simulation.ended")
    assert ended.subject_id == str(silent) and ended.payload["end_reason"] == "lost"
    assert ended.context["simulated"] and ended.context["actor"] == "system:simulation.supervision"
    with pytest.raises(Conflict), db.unit_of_work() as session:
        service.heartbeat(session, run_id=silent)  # the simulator learns it was given up


def test_the_server_job_ends_lost_runs_in_its_own_transaction(db: Database) -> None:
    _start(db, now=utcnow() - timedelta(minutes=5))
    assert workers.end_lost_database(db, lost_after_s=30) == 1
    assert workers.end_lost_database(db, lost_after_s=30) == 0

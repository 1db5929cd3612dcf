"""Acknowledge, resolve and procedure steps on SQLite and PostgreSQL: one winner, clear refusals, who did what."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from qorgau.alarms import service
from qorgau.alarms.enums import Resolution, StepState
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.errors import QorgauError
from qorgau.core.time import utcnow
from tests.alarms.conftest import CONFIG, alarm_events, alarms, panel_signal, registry, signal
from tests.conftest import make_user


def _alarm(db: Database, kind: str = "panic") -> int:
    signal(db, panel_signal(kind))
    return alarms(db)[-1].id


def _ack(db: Database, alarm_id: int, user_id: int, name: str) -> None:
    with db.unit_of_work() as session:
        service.acknowledge(session, alarm_id=alarm_id, user_id=user_id, user_name=name,
                            ctx=Context.for_user(user_id), config=CONFIG)


def _resolve(db: Database, alarm_id: int, user_id: int, resolution: Resolution = Resolution.CONFIRMED) -> None:
    with db.unit_of_work() as session:
        service.resolve(session, alarm_id=alarm_id, resolution=resolution, note="called the school", user_id=user_id,
                        user_name="op", ctx=Context.for_user(user_id), config=CONFIG)


def _refused(call: object, code: str) -> QorgauError:
    with pytest.raises(QorgauError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code, caught.value.code
    return caught.value


def test_two_operators_acknowledging_at_once_one_wins(db: Database) -> None:
    registry(db)
    alarm_id = _alarm(db)
    users = [(make_user(db, "aigerim", "operator"), "aigerim"), (make_user(db, "bolat", "operator"), "bolat")]
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(user_id: int, name: str) -> None:
        start.wait()
        try:
            with db.unit_of_work() as session:
                service.acknowledge(session, alarm_id=alarm_id, user_id=user_id, user_name=name,
                                    ctx=Context.for_user(user_id), config=CONFIG)
                time.sleep(0.3)  # hold the transaction: the other must wait for it, then lose
            outcomes[name] = "won"
        except QorgauError as exc:
            outcomes[name] = f"{exc.status} {exc.code} {exc.params['by']}"

    threads = [threading.Thread(target=attempt, args=user) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    (winner,) = [name for name, outcome in outcomes.items() if outcome == "won"]
    (loser,) = [name for name in outcomes if name != winner]
    assert outcomes[loser] == f"409 alarms.already_acknowledged {winner}"
    (alarm,) = alarms(db)
    assert alarm.state == "acknowledged" and alarm.acknowledged_by_name == winner and alarm.escalate_at is None
    assert len(alarm_events(db, "alarms.acknowledged")) == 1


def test_transitions_follow_new_acknowledged_resolved(db: Database) -> None:
    registry(db)
    alarm_id = _alarm(db)
    user = make_user(db, "aigerim", "operator")
    refused = _refused(lambda: _resolve(db, alarm_id, user), "alarms.invalid_transition")
    assert refused.status == 409 and refused.extra["allowed"] == ["acknowledge"]
    assert refused.params["allowed"] == "acknowledge"
    _ack(db, alarm_id, user, "aigerim")
    again = _refused(lambda: _ack(db, alarm_id, user, "aigerim"), "alarms.already_acknowledged")
    assert again.params["by"] == "aigerim" and again.extra["acknowledged_by"] == user
    _resolve(db, alarm_id, user, Resolution.FALSE)
    (alarm,) = alarms(db)
    assert (alarm.state, alarm.resolution, alarm.resolution_note, alarm.resolved_by) == (
        "resolved", "false", "called the school", user)
    assert _refused(lambda: _resolve(db, alarm_id, user), "alarms.already_resolved").extra["allowed"] == []
    closed = _refused(lambda: _ack(db, alarm_id, user, "aigerim"), "alarms.invalid_transition")
    assert closed.extra == {"state": "resolved", "allowed": []}
    assert [e.name for e in alarm_events(db)] == ["alarms.raised", "alarms.acknowledged", "alarms.resolved"]
    assert alarm_events(db)[-1].payload["resolution"] == "false"
    assert alarm_events(db)[-1].context["actor"] == f"user:{user}"
    _refused(lambda: _ack(db, 999, user, "aigerim"), "alarms.not_found")


def test_a_repeat_after_resolution_raises_a_new_alarm(db: Database) -> None:
    registry(db)
    alarm_id = _alarm(db)
    user = make_user(db, "aigerim", "operator")
    _ack(db, alarm_id, user, "aigerim")
    _resolve(db, alarm_id, user)
    signal(db, panel_signal("panic"))
    assert [(a.state, a.count) for a in alarms(db)] == [("resolved", 1), ("new", 1)]


def test_steps_are_recorded_done_or_skipped_with_who(db: Database) -> None:
    registry(db)
    alarm_id = _alarm(db)
    user = make_user(db, "aigerim", "operator")
    other = make_user(db, "bolat", "operator")

    def mark(key: str, state: StepState, by: int = user, name: str = "aigerim") -> None:
        with db.unit_of_work() as session:
            service.mark_step(session, alarm_id=alarm_id, step_key=key, state=state, note="no answer", user_id=by,
                              user_name=name)

    assert _refused(lambda: mark("call_school", StepState.DONE), "alarms.steps_need_acknowledged").status == 409
    _ack(db, alarm_id, user, "aigerim")
    mark("call_school", StepState.SKIPPED)
    mark("view_cameras", StepState.DONE, other, "bolat")
    taken = _refused(lambda: mark("call_school", StepState.DONE, other, "bolat"), "alarms.step_already_recorded")
    assert taken.params == {"step": "call_school", "state": "skipped", "by": "aigerim"}
    assert _refused(lambda: mark("make_tea", StepState.DONE), "alarms.step_not_found").status == 404
    (alarm,) = alarms(db)
    with db.reading() as session:
        steps = {s.step_key: (s.state, s.by_user, s.by_name, s.note) for s in service.get(session, alarm.id).steps}
    assert steps == {"call_school": ("skipped", user, "aigerim", "no answer"),
                     "view_cameras": ("done", other, "bolat", "no answer")}


def test_acknowledge_records_when(db: Database) -> None:
    registry(db)
    alarm_id = _alarm(db)
    user = make_user(db, "aigerim", "operator")
    before = utcnow()
    _ack(db, alarm_id, user, "aigerim")
    (alarm,) = alarms(db)
    assert alarm.acknowledged_at is not None and before <= alarm.acknowledged_at <= before + timedelta(seconds=5)

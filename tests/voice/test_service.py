"""The voice domain's records and actions on SQLite and PostgreSQL: offered/ended as the voice process reports them,
the race-safe claim, hold, leave and transfer back to the queue, escalation of waiting calls."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from qorgau.core.db import Database
from qorgau.core.errors import Conflict, QorgauError, ValidationFailed
from qorgau.voice import actions, escalation, service
from qorgau.voice.enums import CallKind, CallState, EndReason
from tests.conftest import make_user
from tests.voice.domain_support import T0, audits, call_of, events, later, offer, operator

EVERY = timedelta(seconds=20)


def test_offered_rings_once_and_keeps_the_caller_encrypted(db: Database) -> None:
    first = offer(db, sip_call_id="abc@trunk", caller="+7 701 123 45 67")
    assert offer(db, sip_call_id="abc@trunk") == first  # the voice process may report an INVITE twice
    call = call_of(db, first)
    assert (call.state, call.kind, call.caller, call.lon, call.escalate_at) == (
        "ringing", "line102", "+7 701 123 45 67", 71.43, T0 + EVERY)
    (ringing,) = events(db)
    assert ringing.name == "voice.call_ringing" and ringing.payload["state"] == "ringing"
    with db.reading() as session:
        stored = session.execute(text("SELECT caller FROM voice_calls WHERE id = :id"), {"id": first}).scalar_one()
    assert "701" not in str(stored)  # personal data at rest is ciphertext


def test_bad_reports_are_refused_and_change_nothing(db: Database) -> None:
    with db.unit_of_work() as session, pytest.raises(ValidationFailed) as bad:
        service.offered(session, sip_call_id="x", kind=CallKind.SOS, device_code=None, caller=None,
                        location=(200.0, 10.0), codec=None, at=T0)
    assert bad.value.code == "voice.bad_location"
    call_id = offer(db)
    for path, sha, code in (("/etc/passwd", "a" * 64, "voice.bad_recording_path"),
                            ("../x.ogg", "a" * 64, "voice.bad_recording_path"),
                            ("2026/12/07/1.ogg", "xyz", "voice.bad_recording_hash")):
        with db.unit_of_work() as session, pytest.raises(ValidationFailed) as refused:
            service.recording_stored(session, call_id=call_id, path=path, sha256=sha, duration_s=1.0,
                                     media_type="audio/ogg", size=10)
        assert refused.value.code == code
    assert call_of(db, call_id).recording_path is None


def test_a_caller_who_gives_up_before_an_answer_is_unanswered_and_ending_twice_changes_nothing(db: Database) -> None:
    call_id = offer(db)
    for _ in range(2):
        with db.unit_of_work() as session:
            service.ended(session, call_id=call_id, reason=EndReason.CALLER_HUNG_UP, at=later(30))
    call = call_of(db, call_id)
    assert (call.state, call.end_reason, call.escalate_at) == ("ended", "unanswered", None)
    assert [e.name for e in events(db)] == ["voice.call_ringing", "voice.call_ended"]


def test_media_problems_are_published_when_they_grow(db: Database) -> None:
    call_id = offer(db)
    for count in (1, 1, 3):
        with db.unit_of_work() as session:
            service.media_problem(session, call_id=call_id, problem="no_rtp", count=count)
    with db.unit_of_work() as session, pytest.raises(ValidationFailed) as unknown:
        service.media_problem(session, call_id=call_id, problem="gremlins", count=1)
    assert unknown.value.code == "voice.unknown_problem" and "no_rtp" in unknown.value.params["allowed"]
    assert call_of(db, call_id).problems == {"no_rtp": 3}
    assert [e.payload["count"] for e in events(db, "voice.call_problem")] == [1, 3]


def test_two_operators_answering_at_once_one_wins_the_other_is_told_who(db: Database) -> None:
    ids = [make_user(db, "aigerim", "operator"), make_user(db, "bolat", "operator")]
    call_id = offer(db)
    start = threading.Barrier(2)
    won: list[int] = []
    lost: list[QorgauError] = []

    def answer(user_id: int, name: str) -> None:
        start.wait(timeout=10)
        try:
            with db.unit_of_work() as session:
                actions.claim(session, call_id=call_id, op=operator(user_id, name), at=later(5))
            won.append(user_id)
        except Conflict as exc:
            lost.append(exc)

    threads = [threading.Thread(target=answer, args=(uid, name)) for uid, name in zip(ids, ("Aigerim", "Bolat"),
                                                                                        strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert len(won) == 1 and len(lost) == 1
    (refusal,) = lost
    assert refusal.code == "voice.call_taken" and refusal.extra["by"]["id"] == won[0]
    call = call_of(db, call_id)
    assert (call.state, call.answered_by_id, call.answered_at, call.escalate_at) == (
        "answered", won[0], later(5), None)


def test_a_refused_bridge_undoes_the_claim(db: Database) -> None:
    user = make_user(db, "aigerim", "operator")
    call_id = offer(db)
    with db.unit_of_work() as session:
        won = actions.claim(session, call_id=call_id, op=operator(user, "Aigerim"), at=later(3))
    with db.unit_of_work() as session:
        assert actions.undo_claim(session, claim_=won, at=later(4))
    call = call_of(db, call_id)
    assert (call.state, call.answered_by_id, call.answered_at, call.escalate_at) == ("ringing", None, None,
                                                                                      T0 + EVERY)


def test_hold_keeps_the_call_leave_puts_it_back_for_anyone(db: Database) -> None:
    first, second = make_user(db, "aigerim", "operator"), make_user(db, "bolat", "operator")
    a, b = operator(first, "Aigerim"), operator(second, "Bolat")
    call_id = offer(db)
    with db.unit_of_work() as session:
        actions.claim(session, call_id=call_id, op=a, at=later(2))
        actions.attached(session, call_id=call_id, op=a, leg_id="leg-1", at=later(2))
    with db.unit_of_work() as session:
        actions.hold(session, call_id=call_id, op=a, on=True, at=later(10))
    with db.unit_of_work() as session, pytest.raises(Conflict) as taken:
        actions.claim(session, call_id=call_id, op=b, at=later(11))
    assert taken.value.code == "voice.call_taken" and taken.value.extra["by"] == {"id": first, "name": "Aigerim"}
    with db.unit_of_work() as session, pytest.raises(Conflict) as not_yours:
        actions.hold(session, call_id=call_id, op=b, on=False, at=later(11))
    assert not_yours.value.code == "voice.call_taken"
    with db.unit_of_work() as session:
        actions.leave(session, call_id=call_id, op=a, at=later(12), escalate_after=EVERY)
    call = call_of(db, call_id)
    assert (call.state, call.held, call.answered_by_id, call.leg_id, call.escalate_at) == (
        "queued", True, None, None, later(12) + EVERY)
    with db.unit_of_work() as session:
        actions.claim(session, call_id=call_id, op=b, at=later(15))
    call = call_of(db, call_id)
    assert (call.state, call.answered_by_id, call.answered_at, call.held) == ("answered", second, later(2), False)
    names = [e.name for e in events(db)]
    assert names == ["voice.call_ringing", "voice.call_answered", "voice.call_held", "voice.call_ringing"]
    assert [r.actor for r in audits(db, "voice.leave")] == ["system:test"]


def test_transfer_goes_to_its_target_only_and_escalates_if_not_taken(db: Database) -> None:
    ids = [make_user(db, name, "operator") for name in ("aigerim", "bolat", "chingis")]
    a, b, c = (operator(uid, name) for uid, name in zip(ids, ("Aigerim", "Bolat", "Chingis"), strict=True))
    call_id = offer(db)
    with db.unit_of_work() as session:
        actions.claim(session, call_id=call_id, op=a, at=later(1))
    with db.unit_of_work() as session, pytest.raises(QorgauError) as self_transfer:
        actions.transfer(session, call_id=call_id, op=a, to_user_id=a.user_id, to_name="A", at=later(2),
                         escalate_after=EVERY)
    assert self_transfer.value.code == "voice.transfer_to_self"
    with db.unit_of_work() as session:
        actions.transfer(session, call_id=call_id, op=a, to_user_id=b.user_id, to_name="Bolat", at=later(2),
                         escalate_after=EVERY)
    with db.unit_of_work() as session, pytest.raises(Conflict) as other:
        actions.claim(session, call_id=call_id, op=c, at=later(3))
    assert other.value.extra["by"] == {"id": b.user_id, "name": "Bolat"}
    with db.unit_of_work() as session:  # nobody took it in time: the supervisor hears of it
        assert escalation.escalate_due(session, later(2) + EVERY, every=EVERY) == [call_id]
    with db.unit_of_work() as session:
        actions.claim(session, call_id=call_id, op=b, at=later(30))
    call = call_of(db, call_id)
    assert (call.state, call.answered_by_id, call.transfer_to_id, call.escalation_level) == (
        "answered", b.user_id, None, 1)
    assert [e.name for e in events(db, "voice.call_transferred")] == ["voice.call_transferred"]


def test_waiting_calls_escalate_every_interval_and_once_after_downtime(db: Database) -> None:
    waiting, talking = offer(db), offer(db)
    user = make_user(db, "aigerim", "operator")
    with db.unit_of_work() as session:
        actions.claim(session, call_id=talking, op=operator(user, "Aigerim"), at=later(1))
    with db.unit_of_work() as session:
        assert escalation.escalate_due(session, later(19), every=EVERY) == []
        assert escalation.escalate_due(session, later(20), every=EVERY) == [waiting]
    with db.unit_of_work() as session:  # the server was down for ten intervals: one escalation, not ten
        assert escalation.escalate_due(session, later(240), every=EVERY) == [waiting]
    call = call_of(db, waiting)
    assert (call.escalation_level, call.escalate_at) == (2, later(260))
    levels = [e.payload["escalation_level"] for e in events(db, "voice.call_ringing")
              if e.payload["call_id"] == waiting]
    assert levels == [0, 1, 2]


def test_a_lost_browser_leg_requeues_only_the_current_leg(db: Database) -> None:
    user = make_user(db, "aigerim", "operator")
    call_id = offer(db)
    op = operator(user, "Aigerim")
    with db.unit_of_work() as session:
        actions.claim(session, call_id=call_id, op=op, at=later(1))
        actions.attached(session, call_id=call_id, op=op, leg_id="leg-2", at=later(1))
    with db.unit_of_work() as session:
        service.leg_closed(session, call_id=call_id, leg_id="leg-1", at=later(5))  # an older leg: nothing
    assert call_of(db, call_id).state == CallState.ANSWERED
    with db.unit_of_work() as session:
        service.leg_closed(session, call_id=call_id, leg_id="leg-2", at=later(6))
    assert (call_of(db, call_id).state, call_of(db, call_id).answered_by_id) == ("queued", None)


def test_hang_up_needs_the_call_and_ends_it(db: Database) -> None:
    first, second = make_user(db, "aigerim", "operator"), make_user(db, "bolat", "operator")
    call_id = offer(db)
    with db.unit_of_work() as session, pytest.raises(Conflict) as not_yours:
        actions.hung_up(session, call_id=call_id, op=operator(second, "Bolat"), at=later(1))
    assert not_yours.value.code == "voice.not_yours"
    with db.unit_of_work() as session:
        actions.claim(session, call_id=call_id, op=operator(first, "Aigerim"), at=later(1))
    with db.unit_of_work() as session:
        actions.hung_up(session, call_id=call_id, op=operator(first, "Aigerim"), at=later(40))
    call = call_of(db, call_id)
    assert (call.state, call.end_reason) == ("ended", "operator_hung_up")
    with db.unit_of_work() as session, pytest.raises(Conflict) as ended:
        actions.claim(session, call_id=call_id, op=operator(second, "Bolat"), at=later(41))
    assert ended.value.code == "voice.call_ended"
    assert len(audits(db, "voice.hangup")) == 1


def test_a_callback_ringing_out_is_never_free_for_another_desk(db: Database) -> None:
    first, second = make_user(db, "aigerim", "operator"), make_user(db, "bolat", "operator")
    call_id = offer(db, kind=CallKind.CALLBACK, caller="+77011234567")
    assert call_of(db, call_id).escalate_at is None  # an outgoing call does not wait in the queue
    with db.unit_of_work() as session, pytest.raises(Conflict):
        actions.claim(session, call_id=call_id, op=operator(second, "Bolat"), at=later(1))
    returned = offer(db)
    with db.unit_of_work() as session:
        original = service.get(session, returned)
        actions.callback_started(session, original=original, new_call_id=call_id, op=operator(first, "Aigerim"),
                                 at=later(1))
    with db.unit_of_work() as session:  # its operator joins it; before the far end answers it is still ringing
        actions.claim(session, call_id=call_id, op=operator(first, "Aigerim"), at=later(2))
    assert (call_of(db, call_id).state, call_of(db, call_id).answered_by_id) == ("ringing", first)


def test_a_joined_callback_is_answered_when_the_far_end_picks_up(db: Database) -> None:
    user = make_user(db, "aigerim", "operator")
    returned, call_id = offer(db), offer(db, kind=CallKind.CALLBACK)
    op = operator(user, "Aigerim")
    with db.unit_of_work() as session:
        actions.callback_started(session, original=service.get(session, returned), new_call_id=call_id, op=op,
                                 at=later(1))
        actions.claim(session, call_id=call_id, op=op, at=later(2))
    assert call_of(db, call_id).answered_at is None
    with db.unit_of_work() as session:
        service.media_started(session, call_id=call_id, at=later(9))
    call = call_of(db, call_id)
    assert (call.state, call.answered_at, call.media_started_at) == ("answered", later(9), later(9))
    assert events(db, "voice.call_answered")[-1].payload["call_id"] == call_id


def test_four_operators_racing_for_five_calls_leave_exactly_one_holder_each(db: Database) -> None:
    people = [(make_user(db, name, "operator"), name.title()) for name in ("ainur", "berik", "saule", "timur")]
    calls = [offer(db) for _ in range(5)]
    start = threading.Barrier(len(people))
    outcomes: dict[tuple[int, int], object] = {}

    def desk(user_id: int, name: str) -> None:
        start.wait(timeout=10)
        for call_id in calls:
            try:
                with db.unit_of_work() as session:
                    actions.claim(session, call_id=call_id, op=operator(user_id, name), at=later(1))
                outcomes[(call_id, user_id)] = "won"
            except Conflict as exc:
                outcomes[(call_id, user_id)] = exc.extra["by"]["id"]

    threads = [threading.Thread(target=desk, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == len(calls) * len(people)
    for call_id in calls:
        winners = [uid for (cid, uid), result in outcomes.items() if cid == call_id and result == "won"]
        assert len(winners) == 1, outcomes
        assert call_of(db, call_id).answered_by_id == winners[0]
        assert {result for (cid, _), result in outcomes.items() if cid == call_id and result != "won"} == {
            winners[0]}

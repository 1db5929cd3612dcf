"""The voice API on SQLite and PostgreSQL: the queue, answering (the claim race over HTTP, a refused bridge),
hold/leave/transfer/hang-up through the real BridgeClient to a stand-in of the control API, the incident link,
operators on duty, and recording playback with Range, audited."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.incidents import service as incident_service
from qorgau.incidents.schemas import IncidentCreate
from qorgau.settings import Settings
from qorgau.voice import service
from qorgau.voice.control import CallMedia, MediaState, Problems
from qorgau.voice.views import bridge_client
from tests.conftest import login, make_user
from tests.voice.domain_support import ControlStandIn, audits, call_of, offer

SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """The shared settings with voice enabled: the queue asks the voice process for its media figures."""
    return Settings(data_dir=tmp_path / "var", database_url=db_url, log_json=False, event_poll_interval_s=1.0,
                    web_dist=tmp_path / "no-web", ingest_in_serve=False, voice_enabled=True)


@pytest.fixture
def bridge(app: Any, app_db: Database) -> Iterator[ControlStandIn]:
    stand_in = ControlStandIn(db=app_db)
    app.dependency_overrides[bridge_client] = stand_in.client
    yield stand_in
    app.dependency_overrides.pop(bridge_client, None)


@pytest.fixture
def desks(app: Any, client: TestClient, app_db: Database) -> dict[str, TestClient]:
    """Signed-in browsers: two operators, a supervisor, and an admin (who may not answer calls)."""
    found: dict[str, TestClient] = {}
    for name, role in (("aigerim", "operator"), ("bolat", "operator"), ("dana", "supervisor"), ("erlan", "admin")):
        make_user(app_db, name, role)
        browser = client if not found else TestClient(app, base_url="http://testserver")
        login(browser, name)
        found[name] = browser
    return found


def user_id(db: Database, name: str) -> int:
    from qorgau.auth import service as auth_service

    with db.reading() as session:
        user = auth_service.get_by_username(session, name)
        assert user is not None
        return user.id


def test_the_queue_shows_the_caller_to_those_who_answer_only(desks: dict[str, TestClient], bridge: ControlStandIn,
                                                             app_db: Database) -> None:
    call_id = offer(app_db, caller="+77011234567")
    (row,) = desks["aigerim"].get("/api/voice/calls?active=true").json()
    assert (row["id"], row["state"], row["caller"], row["answered_by"], row["media"]) == (
        call_id, "ringing", "+77011234567", None, None)
    (masked,) = desks["erlan"].get("/api/voice/calls").json()
    assert masked["caller"] == "***4567" and masked["recording"] is None
    assert desks["erlan"].post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP}).status_code == 403
    bridge.media[call_id] = CallMedia(call_id=call_id, sip_call_id="x", state=MediaState.ACTIVE, rx_packets=250,
                                      lost=3, jitter_ms=4.5, problems=Problems(flood=2))
    (live,) = desks["dana"].get("/api/voice/calls").json()
    assert live["media"]["rx_packets"] == 250 and live["media"]["problems"]["flood"] == 2
    bridge.refuse["calls"] = (503, "down")  # the voice process is down: the queue still lists the call
    (listed,) = desks["dana"].get("/api/voice/calls").json()
    assert (listed["id"], listed["media"]) == (call_id, None)


def test_answer_race_over_http_one_wins_the_other_gets_409_with_who(desks: dict[str, TestClient],
                                                                   bridge: ControlStandIn, app_db: Database) -> None:
    call_id = offer(app_db)
    start = threading.Barrier(2)
    replies: dict[str, Any] = {}

    def answer(name: str) -> None:
        start.wait(timeout=10)
        replies[name] = desks[name].post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP})

    threads = [threading.Thread(target=answer, args=(name,)) for name in ("aigerim", "bolat")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    statuses = sorted(r.status_code for r in replies.values())
    assert statuses == [200, 409], {k: v.text for k, v in replies.items()}
    winner = next(name for name, r in replies.items() if r.status_code == 200)
    loser = next(r for r in replies.values() if r.status_code == 409).json()
    body = replies[winner].json()
    assert body["sdp"].startswith("v=0 answer") and body["call"]["state"] == "answered"
    assert loser["code"] == "voice.call_taken" and loser["by"]["id"] == user_id(app_db, winner)
    assert bridge.names() == ["attach"]  # the loser never reached the voice process
    assert [a.actor for a in audits(app_db, "voice.answer")] == [f"user:{user_id(app_db, winner)}"]


def test_a_refused_bridge_leaves_the_call_ringing_for_the_next(desks: dict[str, TestClient], bridge: ControlStandIn,
                                                               app_db: Database) -> None:
    call_id = offer(app_db)
    bridge.refuse["attach"] = (409, "voice.not_bridgeable")
    refused = desks["aigerim"].post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP})
    assert refused.status_code == 409 and refused.json()["code"] == "voice.not_bridgeable"
    assert call_of(app_db, call_id).state == "ringing" and call_of(app_db, call_id).answered_by_id is None
    del bridge.refuse["attach"]
    assert desks["bolat"].post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP}).status_code == 200


def test_hold_mute_leave_transfer_and_hang_up(desks: dict[str, TestClient], bridge: ControlStandIn,
                                              app_db: Database) -> None:
    a, b, d = desks["aigerim"], desks["bolat"], desks["dana"]
    call_id = offer(app_db)
    assert a.post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP}).status_code == 200
    held = a.post(f"/api/voice/calls/{call_id}/hold", json={"on": True})
    assert held.status_code == 200 and (held.json()["state"], held.json()["held"]) == ("held", True)
    assert a.post(f"/api/voice/calls/{call_id}/mute", json={"on": True}).json()["muted"] is True
    not_mine = b.post(f"/api/voice/calls/{call_id}/hold", json={"on": False})
    assert not_mine.status_code == 409 and not_mine.json()["by"]["name"] == "Aigerim"
    # The browser leaves: back in the queue, on hold, for anyone.
    left = a.post(f"/api/voice/calls/{call_id}/leave")
    assert left.status_code == 200 and (left.json()["state"], left.json()["answered_by"]) == ("queued", None)
    assert b.post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP}).status_code == 200
    # Transfer to the supervisor on duty; someone else cannot take it meanwhile.
    on_duty = {o["name"] for o in b.get("/api/voice/operators").json()}
    assert on_duty == {"Aigerim", "Dana"}  # the admin may not answer; the asker is left out
    moved = b.post(f"/api/voice/calls/{call_id}/transfer", json={"to_user_id": user_id(app_db, "dana")})
    assert moved.status_code == 200 and moved.json()["transfer_to"]["name"] == "Dana"
    assert a.post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP}).status_code == 409
    off_duty = b.post(f"/api/voice/calls/{call_id}/transfer", json={"to_user_id": user_id(app_db, "erlan")})
    assert off_duty.status_code in (409, 422)
    taken = d.post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP})
    assert taken.status_code == 200 and taken.json()["call"]["answered_by"]["name"] == "Dana"
    ended = d.post(f"/api/voice/calls/{call_id}/hangup")
    assert ended.status_code == 200 and (ended.json()["state"], ended.json()["end_reason"]) == (
        "ended", "operator_hung_up")
    assert bridge.names() == ["attach", "hold", "mute", "detach", "attach", "attach", "hangup"]
    assert d.get("/api/voice/calls?active=true").json() == []
    for action in ("voice.hold", "voice.mute", "voice.leave", "voice.transfer", "voice.hangup"):
        assert len(audits(app_db, action)) == 1, action


def test_bridge_down_is_a_clear_error_and_the_call_stays_as_it_was(desks: dict[str, TestClient],
                                                                   bridge: ControlStandIn, app_db: Database) -> None:
    call_id = offer(app_db)
    assert desks["aigerim"].post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP}).status_code == 200
    bridge.refuse["hold"] = (503, "down")
    down = desks["aigerim"].post(f"/api/voice/calls/{call_id}/hold", json={"on": True}, headers={
        "Accept-Language": "en"})
    assert down.status_code == 503 and down.json()["code"] == "voice.bridge_unreachable"
    assert "voice process" in down.json()["detail"]
    assert call_of(app_db, call_id).state == "answered"


def test_callback_and_incident_link(desks: dict[str, TestClient], bridge: ControlStandIn, app_db: Database) -> None:
    a = desks["aigerim"]
    call_id = offer(app_db, caller="+77017654321")
    with app_db.unit_of_work() as session:
        incident = incident_service.create(session, incident_in=IncidentCreate(
            category="theft", source="call", caller_phone="+77017654321", lon=71.43, lat=51.13),
            actor="user:1", ctx=Context.system("test"))
        incident_id = incident.id
    linked = a.post(f"/api/voice/calls/{call_id}/incident", json={"incident_id": incident_id})
    assert linked.status_code == 200 and linked.json()["incident_id"] == incident_id
    missing = a.post(f"/api/voice/calls/{call_id}/incident", json={"incident_id": 999_999})
    assert missing.status_code == 404 and call_of(app_db, call_id).incident_id == incident_id
    assert [c["id"] for c in a.get(f"/api/voice/calls?incident_id={incident_id}").json()] == [call_id]
    back = a.post(f"/api/voice/calls/{call_id}/callback")
    assert back.status_code == 200, back.text
    new = back.json()
    assert (new["kind"], new["state"], new["callback_of"], new["incident_id"], new["answered_by"]["name"]) == (
        "callback", "ringing", call_id, incident_id, "Aigerim")
    assert bridge.requests[-1][2]["number"] == "+77017654321"
    # Ringing out, it is its operator's: another cannot take it, the operator joins it with `answer`.
    assert desks["bolat"].post(f"/api/voice/calls/{new['id']}/answer", json={"sdp": SDP}).status_code == 409
    assert a.post(f"/api/voice/calls/{new['id']}/answer", json={"sdp": SDP}).status_code == 200
    bridge.refuse["callback"] = (501, "voice.callback_unavailable")
    unavailable = a.post(f"/api/voice/calls/{call_id}/callback")
    assert unavailable.status_code == 501 and unavailable.json()["code"] == "voice.callback_unavailable"


def test_recording_plays_with_range_and_every_playback_is_audited(desks: dict[str, TestClient],
                                                                  bridge: ControlStandIn, app: Any,
                                                                  app_db: Database) -> None:
    call_id = offer(app_db)
    audio = bytes(range(256)) * 40
    root = app.state.runtime.settings.voice_recordings_dir
    (root / "2026" / "12").mkdir(parents=True)
    (root / "2026" / "12" / f"{call_id}.ogg").write_bytes(audio)
    with app_db.unit_of_work() as session:
        service.recording_stored(session, call_id=call_id, path=f"2026/12/{call_id}.ogg",
                                 sha256=hashlib.sha256(audio).hexdigest(), duration_s=12.5, media_type="audio/ogg",
                                 size=len(audio))
    a = desks["aigerim"]
    (row,) = a.get("/api/voice/calls").json()
    assert row["recording"]["url"] == f"/api/voice/calls/{call_id}/recording"
    whole = a.get(row["recording"]["url"])
    assert whole.status_code == 200 and whole.content == audio and whole.headers["content-type"] == "audio/ogg"
    part = a.get(row["recording"]["url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == audio[100:200]
    # The part after the start was audited with the start, within the hour; another user's seek is audited.
    desks["bolat"].get(row["recording"]["url"], headers={"Range": "bytes=5000-"})
    plays = audits(app_db, "voice.recording_play")
    assert [p.actor for p in plays] == [f"user:{user_id(app_db, 'aigerim')}", f"user:{user_id(app_db, 'bolat')}"]
    assert desks["erlan"].get(row["recording"]["url"]).status_code == 403
    (root / "2026" / "12" / f"{call_id}.ogg").unlink()
    gone = a.get(row["recording"]["url"])
    assert gone.status_code == 404 and gone.json()["code"] == "voice.recording_missing"


def test_a_supervisor_may_take_over_a_call_an_operator_may_not(desks: dict[str, TestClient],
                                                               bridge: ControlStandIn, app_db: Database) -> None:
    call_id = offer(app_db)
    assert desks["aigerim"].post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP}).status_code == 200
    refused = desks["bolat"].post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP, "take_over": True})
    assert refused.status_code == 403
    taken = desks["dana"].post(f"/api/voice/calls/{call_id}/answer", json={"sdp": SDP, "take_over": True})
    assert taken.status_code == 200 and taken.json()["call"]["answered_by"]["name"] == "Dana"
    (record,) = audits(app_db, "voice.take_over")
    assert record.details["from_user_id"] == user_id(app_db, "aigerim")
    gone = desks["aigerim"].post(f"/api/voice/calls/{call_id}/hold", json={"on": True})
    assert gone.status_code == 409 and gone.json()["by"]["name"] == "Dana"

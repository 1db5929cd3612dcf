"""The listener against sipp as the real peer, over UDP and TCP, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.ingest.adapters.sip.conftest import (
    AUTH_USER,
    LAT,
    LON,
    OPEN_USER,
    call_records,
    listening,
    sipp,
    sos_events,
    wait_for_events,
)


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_full_call_records_started_answered_ended(terminals: Database, settings: Settings, tmp_path: Path,
                                                  run: Any, tcp: bool) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings) as listener:
            code, log = await sipp(listener.port, "call.xml", OPEN_USER, tmp_path, tcp=tcp)
            assert code == 0, log
            events = await wait_for_events(terminals, 3)
            await listener.settle()
        assert [e["action"] for e in events] == ["call_started", "call_answered", "call_ended"]
        started, answered, ended = events
        assert {e["call_id"] for e in events} == {started["call_id"]}
        assert started["device_code"] == "SOS-0001" and started["channel"] == "sip"
        assert started["position"] == {"lon": LON, "lat": LAT}
        assert "reason=bye" in ended["detail"] and "talk_s=" in ended["detail"]
        # One causal chain: answered and ended are children of started.
        assert answered["_context"]["correlation_id"] == started["_context"]["correlation_id"]
        assert ended["_context"]["parent_id"] is not None
        [record] = call_records(terminals)
        assert record.state == "ended" and record.end_reason == "bye"
        assert record.transport == ("tcp" if tcp else "udp")
        assert record.codec == "PCMA" and record.payload_type == 8  # the terminal's first choice
        assert record.local_media_port is not None and record.remote_media_port is not None
        assert record.talk_s is not None and record.talk_s > 0.2
        assert record.answered_at is not None and record.ended_at is not None

    run(scenario())


def test_unknown_caller_is_forbidden_and_raises_nothing(terminals: Database, settings: Settings, tmp_path: Path,
                                                        run: Any) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings) as listener:
            code, log = await sipp(listener.port, "forbidden.xml", "9999", tmp_path)
            assert code == 0, log
            await listener.settle()
            assert listener.rejected("unknown_caller") == 1
        assert sos_events(terminals) == []
        assert call_records(terminals) == []

    run(scenario())


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_cancel_while_ringing_gets_487(terminals: Database, settings: Settings, tmp_path: Path, run: Any,
                                       tcp: bool) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings, answer_after_s=10) as listener:
            code, log = await sipp(listener.port, "cancel.xml", OPEN_USER, tmp_path, tcp=tcp)
            assert code == 0, log
            events = await wait_for_events(terminals, 2)
            await listener.settle()
        assert [e["action"] for e in events] == ["call_started", "call_ended"]
        assert "reason=cancel" in events[1]["detail"]
        [record] = call_records(terminals)
        assert record.state == "cancelled" and record.answered_at is None

    run(scenario())


def test_options_is_answered_and_counts_as_heartbeat(terminals: Database, settings: Settings, tmp_path: Path,
                                                     run: Any) -> None:
    from qorgau.devices.models import Device

    async def scenario() -> None:
        async with listening(terminals, settings) as listener:
            code, log = await sipp(listener.port, "options.xml", OPEN_USER, tmp_path)
            assert code == 0, log
            await listener.settle()
            await listener.hub.sink.commit([])  # the heartbeat was queued before this
        with terminals.reading() as session:
            device = session.query(Device).filter_by(code="SOS-0001").one()
            assert device.last_seen_at is not None and device.health == "online"
        assert sos_events(terminals) == []

    run(scenario())


def test_digest_challenge_then_authenticated_call(terminals: Database, settings: Settings, tmp_path: Path,
                                                  run: Any) -> None:
    from tests.ingest.adapters.sip.conftest import PASSWORD

    async def scenario() -> None:
        async with listening(terminals, settings) as listener:
            # The digest's uri is the request's (sipp's default is remote_ip:port, another URI).
            request_uri = ("-auth_uri", f"sos@127.0.0.1:{listener.port}")
            code, log = await sipp(listener.port, "auth.xml", AUTH_USER, tmp_path,
                                   extra=("-au", AUTH_USER, "-ap", PASSWORD, *request_uri))
            assert code == 0, log
            events = await wait_for_events(terminals, 3)
            assert listener.rejected("auth_missing") == 1
            # A wrong password is challenged again and never reaches an event.
            code, _ = await sipp(listener.port, "auth.xml", AUTH_USER, tmp_path,
                                 extra=("-au", AUTH_USER, "-ap", "wrong", "-recv_timeout", "1500", *request_uri))
            assert code != 0
            assert listener.rejected("auth_failed") >= 1
            # The right password over another URI: an answer made for another request, challenged again.
            code, _ = await sipp(listener.port, "auth.xml", AUTH_USER, tmp_path,
                                 extra=("-au", AUTH_USER, "-ap", PASSWORD, "-recv_timeout", "1500"))
            assert code != 0
            assert listener.rejected("auth_uri") >= 1
        assert [e["action"] for e in events] == ["call_started", "call_answered", "call_ended"]
        assert events[0]["device_code"] == "SOS-0002"
        assert len(sos_events(terminals)) == 3

    run(scenario())

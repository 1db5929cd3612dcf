"""The user agent server through raw sockets: retransmissions, timer H, garbage, limits and refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.ingest.adapters.sip.diagnostics import snapshot
from qorgau.settings import Settings
from tests.ingest.adapters.sip.conftest import call_records, listening, sos_events, wait_for_events
from tests.ingest.adapters.sip.raw import SDP, UdpClient, request, to_tag

T1 = 0.05


def test_200_is_retransmitted_until_ack_and_invite_retransmissions_are_absorbed(
        terminals: Database, settings: Settings, run: Any) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings, t1_s=T1, t2_s=0.2) as listener:
            client = await UdpClient(listener.port).open()
            client.send("INVITE", branch="z9hG4bK-a1", body=SDP)
            trying = await client.recv()
            assert trying.status == 100 and trying.get("to") == f"<sip:sos@127.0.0.1:{listener.port}>"
            client.send("INVITE", branch="z9hG4bK-a1", body=SDP)  # the terminal's own retransmission
            ok = await client.until(200)
            assert b"m=audio" in ok.body and b"RTP/AVP 0" in ok.body  # PCMU: the terminal's first choice
            assert ok.get("contact") is not None and "rport=" in (ok.get("via") or "")
            # At T1, 2·T1, 4·T1, then every T2: some 7 in a second; a loaded machine delays timers, so the window
            # is generous and only the doubling-then-capped shape is checked, not the exact count.
            resent = [m for m in await client.quiet(1.0) if m.status == 200]
            assert 2 <= len(resent) <= 1.0 / 0.2 + 4
            client.send("ACK", branch="z9hG4bK-a2", to_tag=to_tag(ok))
            await asyncio.sleep(0.05)
            assert [m for m in await client.quiet(0.4) if m.status == 200] == []
            # The dialog is Call-ID, To tag and From tag: a BYE from another From tag ends nothing.
            client.send("BYE", branch="z9hG4bK-a4", cseq=2, to_tag=to_tag(ok), from_tag="someone-else")
            assert (await client.until(481)).get("cseq") == "2 BYE"
            assert listener.adapter.uas is not None and len(listener.adapter.uas.calls) == 1
            client.send("BYE", branch="z9hG4bK-a3", cseq=3, to_tag=to_tag(ok))
            got = await client.quiet(0.3)
            assert [m.get("cseq") for m in got if m.status == 200] == ["3 BYE"]
            events = await wait_for_events(terminals, 3)
            client.close()
            assert listener.adapter.uas is not None and not listener.adapter.uas.calls
        assert [e["action"] for e in events] == ["call_started", "call_answered", "call_ended"]

    run(scenario())


def test_no_ack_ends_the_call_as_failed_after_timer_h(terminals: Database, settings: Settings, run: Any) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings, t1_s=0.02, t2_s=0.1) as listener:
            client = await UdpClient(listener.port).open()
            client.send("INVITE", branch="z9hG4bK-h1", body=SDP)
            await client.until(200)
            state = snapshot(listener.adapter)
            assert state["calls"] == {"answering": 1} and state["calls_devices"] == ["SOS-0001"]
            assert state["media_ports_in_use"] == 1 and state["port"] == listener.port
            events = await wait_for_events(terminals, 2, timeout=4)
            await listener.settle()
            client.close()
            assert listener.rejected("no_ack") == 1
        assert [e["action"] for e in events] == ["call_started", "call_ended"]
        assert "reason=no_ack" in events[1]["detail"]
        [record] = call_records(terminals)
        assert record.state == "failed" and record.end_reason == "no_ack"

    run(scenario())


def test_garbage_and_malformed_requests_do_not_stop_the_next_call(terminals: Database, settings: Settings,
                                                                   run: Any) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings) as listener:
            client = await UdpClient(listener.port).open()
            for junk in (b"\x00\xff" * 50, b"INVITE\r\n\r\n", b"SIP/2.0 200 OK\r\n\r\n", b"\r\n\r\n",
                         b"HELLO sip:x SIP/3.0\r\n\r\n", b"x" * 70000):
                client.send_raw(junk)
            # Readable enough to answer (Via, From, To, Call-ID, CSeq present) but the CSeq is not a number: 400.
            bad = request("INVITE", user="7001", port=listener.port, local_port=client.local_port, call_id="c-bad",
                          branch="z9hG4bK-bad").replace(b"CSeq: 1 INVITE", b"CSeq: one INVITE")
            client.send_raw(bad)
            assert (await client.until(400)).get("call-id") == "c-bad"
            client.send("INVITE", branch="z9hG4bK-ok", body=SDP)
            ok = await client.until(200)
            client.send("ACK", branch="z9hG4bK-ok2", to_tag=to_tag(ok))
            await wait_for_events(terminals, 2)
            client.close()
            assert listener.rejected("bad_cseq") == 1 and listener.rejected("bad_start_line") >= 2
        assert [e["action"] for e in sos_events(terminals)] == ["call_started", "call_answered"]

    run(scenario())


@pytest.mark.parametrize(("method", "status"), [("SUBSCRIBE", 405), ("FROBNICATE", 501)])
def test_other_methods_are_refused(terminals: Database, settings: Settings, run: Any, method: str,
                                   status: int) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings) as listener:
            client = await UdpClient(listener.port).open()
            client.send(method, branch="z9hG4bK-m1")
            answer = await client.recv()
            assert answer.status == status and "INVITE" in (answer.get("allow") or "")
            client.send("BYE", branch="z9hG4bK-m2", to_tag="nope")
            assert (await client.recv()).status == 481
            client.close()

    run(scenario())


def test_tcp_slow_and_oversized_messages_close_the_connection(terminals: Database, settings: Settings,
                                                              run: Any) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings, tcp_message_timeout_s=0.3, max_message_bytes=4096) as listener:
            reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
            writer.write(b"OPTIONS sip:sos@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1")  # and then nothing
            await writer.drain()
            assert await within(reader.read(), 2) == b""  # closed by the listener
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
            writer.write(b"\r\n\r\n")  # keep-alive ping gets its pong
            assert await within(reader.readexactly(2), 2) == b"\r\n"
            writer.write(b"OPTIONS sip:sos@127.0.0.1 SIP/2.0\r\nX-Pad: " + b"a" * 5000)
            await writer.drain()
            assert await within(reader.read(), 2) == b""
            writer.close()
            assert listener.rejected("tcp_timeout") == 1 and listener.rejected("too_large") == 1
            # Two messages in one segment, over TCP: both answered.
            reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
            local = writer.get_extra_info("sockname")[1]
            options = [request("OPTIONS", user="7001", port=listener.port, local_port=local, call_id=f"o{i}",
                               branch=f"z9hG4bK-o{i}", transport="TCP") for i in range(2)]
            writer.write(b"".join(options))
            data = b""
            while data.count(b"SIP/2.0 200 OK") < 2:
                data += await within(reader.read(4096), 2)
            writer.close()

    run(scenario())


def test_udp_flood_from_one_source_is_dropped_while_another_calls(terminals: Database, settings: Settings,
                                                                  run: Any) -> None:
    async def scenario() -> None:
        async with listening(terminals, settings, max_messages_per_s=20) as listener:
            flood = await UdpClient(listener.port, user="7002").open()
            for i in range(300):
                flood.send("OPTIONS", branch=f"z9hG4bK-f{i}")
            client = await UdpClient(listener.port).open()
            for _ in range(6):  # retransmitted as a terminal would, should the kernel drop it among the flood
                client.send("INVITE", branch="z9hG4bK-c1", body=SDP)
                answers = [m for m in await client.quiet(0.5) if m.status == 200]
                if answers:
                    break
            ok = answers[0]
            client.send("ACK", branch="z9hG4bK-c2", to_tag=to_tag(ok))
            await wait_for_events(terminals, 2)
            assert listener.rejected("rate_limited") >= 100
            flood.close()
            client.close()

    run(scenario())

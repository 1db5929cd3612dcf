"""The SOS terminal's SIP caller against the real listener (UDP, TCP, 403, CANCEL, digest, OPTIONS) and raw peers."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

import pytest

from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.protocols.sip.parser import SipMessage, parse, parse_cseq, parse_name_addr, parse_via
from qorgau.protocols.sip.render import response
from qorgau.settings import Settings
from qorgau.simulator.sip_caller import CallResult, options_ping, place_call
from qorgau.simulator.sip_channel import Transport
from tests.ingest.adapters.sip.conftest import (
    AUTH_USER,
    OPEN_USER,
    PASSWORD,
    call_records,
    free_port,
    listening,
    sos_events,
    wait_for_events,
)

TRANSPORTS: list[Transport] = ["udp", "tcp"]


def timeline(result: CallResult) -> list[float]:
    """The timings that were reached, in the order a call passes them; they must not go backwards."""
    names = ("invite_sent", "provisional", "ringing", "answered", "acked", "bye_sent", "ended")
    values = [getattr(result, name) for name in names]
    reached = [value for value in values if value is not None]
    assert reached == sorted(reached), dict(zip(names, values, strict=True))
    return reached


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_call_is_answered_recorded_and_hung_up(terminals: Database, settings: Settings, transport: Transport) -> None:
    async def scenario() -> CallResult:
        async with listening(terminals, settings) as listener:
            result = await place_call("127.0.0.1", listener.port, user=OPEN_USER, transport=transport, hold_s=0.3)
            await wait_for_events(terminals, 3)
            await listener.settle()
        return result

    result = asyncio.run(scenario())
    assert result.ok, result
    assert (result.status, result.bye_status, result.error) == (200, 200, None)
    assert not result.authenticated and not result.cancelled and not result.remote_bye
    assert result.sdp_answer is not None and "m=audio" in result.sdp_answer and "RTP/AVP 0" in result.sdp_answer
    assert len(timeline(result)) == 7
    events = sos_events(terminals)
    assert [e["action"] for e in events] == ["call_started", "call_answered", "call_ended"]
    assert {e["call_id"] for e in events} == {result.call_id}
    assert events[0]["device_code"] == "SOS-0001" and "reason=bye" in events[2]["detail"]
    [record] = call_records(terminals)
    assert record.call_id == result.call_id and record.transport == transport
    assert record.state == "ended" and record.end_reason == "bye" and record.codec == "PCMU"
    assert record.answered_at is not None and record.ended_at is not None and record.answered_at <= record.ended_at


def test_unknown_terminal_is_forbidden(terminals: Database, settings: Settings) -> None:
    async def scenario() -> tuple[CallResult, float]:
        async with listening(terminals, settings) as listener:
            result = await place_call("127.0.0.1", listener.port, user="9999", hold_s=0)
            await listener.settle()
            return result, listener.rejected("unknown_caller")

    result, rejected = asyncio.run(scenario())
    assert (result.status, result.error, result.answered, result.bye_sent) == (403, None, None, None)
    assert not result.ok and rejected == 1
    timeline(result)
    assert sos_events(terminals) == [] and call_records(terminals) == []


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_cancel_before_the_answer_gets_487(terminals: Database, settings: Settings, transport: Transport) -> None:
    async def scenario() -> CallResult:
        async with listening(terminals, settings, answer_after_s=10) as listener:
            result = await place_call("127.0.0.1", listener.port, user=OPEN_USER, transport=transport,
                                      cancel_after_s=0.3)
            await wait_for_events(terminals, 2)
            await listener.settle()
        return result

    result = asyncio.run(scenario())
    assert (result.status, result.cancel_status, result.error) == (487, 200, None)
    assert result.cancelled and result.answered is None and result.bye_sent is None
    assert result.provisional is not None
    timeline(result)
    events = sos_events(terminals)
    assert [e["action"] for e in events] == ["call_started", "call_ended"]
    assert "reason=cancel" in events[1]["detail"]
    [record] = call_records(terminals)
    assert record.state == "cancelled" and record.answered_at is None


def test_digest_terminal_needs_its_password(terminals: Database, settings: Settings) -> None:
    async def scenario() -> tuple[list[CallResult], float, float]:
        async with listening(terminals, settings) as listener:
            results = [await place_call("127.0.0.1", listener.port, user=AUTH_USER, password=password, hold_s=0.2)
                       for password in (PASSWORD, "wrong", None)]
            await wait_for_events(terminals, 3)
            await listener.settle()
            return results, listener.rejected("auth_missing"), listener.rejected("auth_failed")

    (right, wrong, none), missing, failed = asyncio.run(scenario())
    assert right.ok and right.authenticated and right.bye_status == 200, right
    assert (wrong.status, wrong.error, wrong.authenticated) == (401, "authentication rejected", False)
    assert (none.status, none.error, none.authenticated) == (401, "authentication required", False)
    assert missing == 3 and failed == 1  # every call is challenged first; one answer was wrong
    events = sos_events(terminals)
    assert [e["action"] for e in events] == ["call_started", "call_answered", "call_ended"]
    assert {e["call_id"] for e in events} == {right.call_id} and events[0]["device_code"] == "SOS-0002"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_options_ping(terminals: Database, settings: Settings, transport: Transport) -> None:
    async def scenario() -> tuple[int | None, int | None]:
        async with listening(terminals, settings) as listener:
            known = await options_ping("127.0.0.1", listener.port, user=OPEN_USER, transport=transport)
            unknown = await options_ping("127.0.0.1", listener.port, user="9999", transport=transport)
            return known, unknown

    assert asyncio.run(scenario()) == (200, 403)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_dead_port_gives_an_error_not_an_exception(transport: Transport) -> None:
    async def scenario() -> tuple[CallResult, float, int | None]:
        port = free_port()  # nothing listens there
        started = time.monotonic()
        result = await place_call("127.0.0.1", port, user=OPEN_USER, transport=transport, timeout_s=2)
        elapsed = time.monotonic() - started
        return result, elapsed, await options_ping("127.0.0.1", port, user=OPEN_USER, transport=transport,
                                                   timeout_s=1)

    result, elapsed, ping = asyncio.run(scenario())
    assert result.error and result.status is None and not result.ok
    assert elapsed < 2 + 3  # the timeout, with room for a loaded machine
    assert ping is None


# ---- a raw peer, for what the listener never does on purpose (drop an INVITE, repeat a final response) ---------


class _Inbox(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[SipMessage, tuple[str, int]]] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # what a datagram endpoint gets

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.queue.put_nowait((parse(data), (str(addr[0]), int(addr[1]))))

    async def recv(self) -> tuple[SipMessage, tuple[str, int]]:
        return await within(self.queue.get(), 5)

    def answer(self, request: SipMessage, status: int, source: tuple[str, int], **kwargs: object) -> bytes:
        data = response(request, status, source=source, to_tag="peer1", **kwargs)  # type: ignore[arg-type]
        assert self.transport is not None
        self.transport.sendto(data, source)
        return data


@asynccontextmanager
async def raw_peer() -> AsyncIterator[tuple[_Inbox, int]]:
    transport, inbox = await asyncio.get_running_loop().create_datagram_endpoint(
        _Inbox, local_addr=("127.0.0.1", 0))
    try:
        yield inbox, int(transport.get_extra_info("sockname")[1])
    finally:
        transport.close()


def branch(message: SipMessage) -> str | None:
    return parse_via(message.get("via") or "").branch


def test_invite_is_retransmitted_and_a_repeated_200_is_acked_again() -> None:
    async def scenario() -> CallResult:
        async with raw_peer() as (peer, port):
            call = asyncio.create_task(place_call("127.0.0.1", port, user=OPEN_USER, hold_s=0.3, timeout_s=5))
            invite, source = await peer.recv()
            again, _ = await peer.recv()  # Timer A: we stay silent, so the INVITE comes again after T1
            assert again.method == "INVITE" and branch(again) == branch(invite) and again.body == invite.body
            assert (branch(invite) or "").startswith("z9hG4bK") and invite.get("cseq") == "1 INVITE"
            assert invite.get("content-type") == "application/sdp" and b"PCMA/8000" in invite.body
            contact = ("Contact", f"<sip:peer@127.0.0.1:{port};transport=udp>")
            peer.answer(invite, 200, source, headers=[contact], body=b"v=0\r\n", content_type="application/sdp")
            ack, _ = await peer.recv()
            # The ACK of a 2xx is a new transaction sent to the Contact of the 200.
            assert ack.method == "ACK" and ack.uri == f"sip:peer@127.0.0.1:{port};transport=udp"
            assert branch(ack) != branch(invite) and ack.get("cseq") == "1 ACK"
            assert parse_name_addr(ack.get("to") or "").tag == "peer1"
            peer.answer(invite, 200, source, headers=[contact], body=b"v=0\r\n", content_type="application/sdp")
            ack_again, _ = await peer.recv()
            assert ack_again.method == "ACK" and branch(ack_again) == branch(ack)
            bye, _ = await peer.recv()
            assert bye.method == "BYE" and bye.uri == ack.uri and parse_cseq(bye.get("cseq") or "") == (2, "BYE")
            assert parse_name_addr(bye.get("to") or "").tag == "peer1"
            peer.answer(bye, 200, source)
            return await call

    result = asyncio.run(scenario())
    assert result.ok and result.sdp_answer == "v=0\r\n" and result.provisional is None
    timeline(result)


def test_a_refusal_is_acked_in_the_invite_transaction() -> None:
    async def scenario() -> CallResult:
        async with raw_peer() as (peer, port):
            call = asyncio.create_task(place_call("127.0.0.1", port, user=OPEN_USER, timeout_s=5))
            invite, source = await peer.recv()
            peer.answer(invite, 100, source)
            peer.answer(invite, 486, source)
            ack, _ = await peer.recv()
            # RFC 3261 §17.1.1.3: same branch and request-URI as the INVITE, To with the response's tag.
            assert ack.method == "ACK" and branch(ack) == branch(invite) and ack.uri == invite.uri
            assert ack.get("cseq") == "1 ACK" and parse_name_addr(ack.get("to") or "").tag == "peer1"
            return await call

    result = asyncio.run(scenario())
    assert (result.status, result.reason, result.error) == (486, "Busy Here", None)
    assert result.provisional is not None and result.answered is None
    timeline(result)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through /proc")
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_cancelling_the_task_closes_its_socket(transport: Transport) -> None:
    async def scenario() -> None:
        closed = asyncio.Event()

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while await reader.read(4096):
                pass
            closed.set()  # the caller's side of the connection is gone
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        async with raw_peer() as (_, udp_port):
            port = udp_port if transport == "udp" else int(server.sockets[0].getsockname()[1])
            before = _open_fds()
            call = asyncio.create_task(place_call("127.0.0.1", port, user=OPEN_USER, transport=transport))
            await asyncio.sleep(0.3)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            if transport == "tcp":
                await within(closed.wait(), 5)
            await asyncio.sleep(0.05)
            assert _open_fds() == before
        server.close()
        await server.wait_closed()

    asyncio.run(scenario())


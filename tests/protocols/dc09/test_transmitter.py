"""The DC-09 transmitter against a scripted receiver: vectors, sequences, ACK checks, retries, NAK clock, AES."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.core.aio import within
from qorgau.protocols.dc09 import crypto, render
from qorgau.protocols.dc09.parser import (
    ExtendedData,
    Frame,
    FrameError,
    FrameSplitter,
    RawFrame,
    parse_frame,
)
from qorgau.protocols.dc09.render import wrap
from qorgau.protocols.dc09.transmitter import (
    Message,
    Outcome,
    PanelConfig,
    Transmitter,
    alarm_text,
    contact_id,
    dc05_digits,
    link_test,
    location,
    next_sequence,
    read_response,
    sia,
    verification_url,
)
from tests.conftest import run_async

NOON = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
KEYS = {16: bytes(range(16)), 24: bytes(range(24)), 32: bytes(range(32))}

# What a receiver decides for one parsed frame: the bytes to answer, or None for silence.
Policy = Callable[[Frame], bytes | None]


class ScriptedReceiver:
    """A TCP and UDP DC-09 receiver whose answers a test scripts; it keeps every frame it got."""

    def __init__(self, policy: Policy | None = None, *, key: bytes | None = None, split_answers: bool = False):
        self.policy = policy or (lambda frame: render.ack(frame, key=key, now=datetime.now(UTC)
                                                          if frame.encrypted else None))
        self.key = key
        self.split_answers = split_answers
        self.raw: list[bytes] = []
        self.frames: list[Frame] = []
        self.tcp_port = self.udp_port = 0
        self._server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def _handle(self, raw: bytes) -> bytes | None:
        self.raw.append(raw)
        frame = parse_frame(raw, key=self.key)
        self.frames.append(frame)
        return self.policy(frame)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        splitter = FrameSplitter()
        self._writers.add(writer)
        try:
            while chunk := await reader.read(4096):
                for item in splitter.feed(chunk):
                    if isinstance(item, RawFrame) and (answer := self._handle(item.data)) is not None:
                        if self.split_answers:
                            writer.write(answer[:7])
                            await writer.drain()
                            await asyncio.sleep(0.01)
                            answer = answer[7:]
                        writer.write(answer)
        finally:
            # Also when cancelled: a connection left open would surface as an unclosed-socket warning.
            self._writers.discard(writer)
            writer.close()

    async def __aenter__(self) -> ScriptedReceiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.tcp_port = self._server.sockets[0].getsockname()[1]
        outer = self

        class Udp(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
                answer = outer._handle(data)
                if answer is not None:
                    self.transport.sendto(answer, addr)  # type: ignore[attr-defined]

        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(Udp, local_addr=("127.0.0.1", 0))
        self._udp = transport
        self.udp_port = transport.get_extra_info("sockname")[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None and self._udp is not None
        self._udp.close()
        for writer in list(self._writers):
            writer.close()  # Python 3.11's Server.close() leaves accepted connections open
        self._server.close()
        await self._server.wait_closed()


def scenario(body: Callable[[ScriptedReceiver], Awaitable[Any]], **receiver: Any) -> Any:
    async def main() -> Any:
        async with ScriptedReceiver(**receiver) as rcv:
            return await within(body(rcv), 20)

    return run_async(main())


def panel(**extra: Any) -> PanelConfig:
    return PanelConfig(**{"account": "1234", "receiver": "1", "prefix": "1", "ack_timeout_s": 0.3, **extra})


# --- rendering ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("sequence", "message", "vector"), [
    (2, sia("1234", "PA", 15, area=1),
     b'\nE5EB003A"SIA-DCS"0002L0#1234[#1234|Nri1/PA015]_12:00:00,01-15-2026\r'),
    (3, contact_id("1234", 120, 15), b'\nDD27003B"ADM-CID"0003L0#1234[#1234|1120 01 015]_12:00:00,01-15-2026\r'),
    (4, contact_id("1234", 122, 15), b'\n5BA1003B"ADM-CID"0004L0#1234[#1234|1122 01 015]_12:00:00,01-15-2026\r'),
    (5, link_test(), b'\n69F00027"NULL"0005L0#1234[]_12:00:00,01-15-2026\r'),
])
def test_frames_match_the_reference_vectors(sequence: int, message: Message, vector: bytes) -> None:
    transmitter = Transmitter("127.0.0.1", 1, PanelConfig(account="1234"), clock=lambda: NOON)
    assert transmitter.render(message, sequence) == vector


def test_payload_builders() -> None:
    assert sia("1234", "BA", 3).data == "#1234|NBA003"
    assert sia("1234", "OP", "7", user=12).data == "#1234|Nid12/OP7"
    assert contact_id("1234", 130, 5, qualifier=3, group=2).data == "#1234|3130 02 005"
    assert dc05_digits("1234", 120, 15) == "123418112001015F"
    assert dc05_digits("1234", 121, 15) == "1234181121010159"
    assert location(51.173893, -53.0)[1] == ExtendedData("Y", "S53.000000")
    for bad in (lambda: sia("1234", "pa"), lambda: contact_id("1234", 120, qualifier=2),
                lambda: contact_id("1234", 1200), lambda: alarm_text("a]b")):
        with pytest.raises(ValueError):
            bad()


def test_extended_data_and_local_time_are_written() -> None:
    almaty = timezone(timedelta(hours=5))
    transmitter = Transmitter("127.0.0.1", 1, panel(local_time=almaty), clock=lambda: NOON)
    message = sia("1234", "PA", 1).extend(location(51.173893, 53.011478), alarm_text("Школа №1"),
                                          verification_url("https://cctv.example/clip/1"))
    frame = parse_frame(transmitter.render(message, 7))
    assert frame.timestamp == datetime(2026, 1, 15, 17, 0, 0)
    assert [(b.kind, b.value) for b in frame.extended] == [
        ("X", "E51.173893"), ("Y", "N53.011478"), ("I", "Школа №1"), ("V", "https://cctv.example/clip/1")]


def test_unencrypted_frames_may_go_without_timestamp() -> None:
    transmitter = Transmitter("127.0.0.1", 1, panel(timestamps=False))
    assert parse_frame(transmitter.render(link_test(), 1)).timestamp is None


@settings(max_examples=60, deadline=None)
@given(code=st.sampled_from(["PA", "BA", "FA", "TA"]), zone=st.integers(0, 999), sequence=st.integers(1, 9999),
       size=st.sampled_from(sorted(KEYS)), text=st.text(st.characters(codec="utf-8", exclude_characters="[]\r\n"),
                                                      max_size=40))
def test_encrypted_frames_round_trip(code: str, zone: int, sequence: int, size: int, text: str) -> None:
    key = KEYS[size]
    transmitter = Transmitter("127.0.0.1", 1, panel(key=key, account="ABCDEF"), clock=lambda: NOON)
    message = sia("ABCDEF", code, zone).extend(alarm_text(text))
    frame = parse_frame(transmitter.render(message, sequence), key=key)
    assert (frame.encrypted, frame.sequence, frame.data, frame.extended, frame.timestamp) == (
        True, sequence, message.data, message.extended, NOON.replace(tzinfo=None))


def test_sequence_runs_0001_to_9999_and_wraps() -> None:
    assert [next_sequence(s) for s in (1, 9998, 9999)] == [2, 9999, 1]

    async def body(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel(), first_sequence=9998) as tx:
            results = [await tx.send(sia("1234", "BA", n)) for n in range(3)]
        assert [r.sequence for r in results] == [9998, 9999, 1]
        assert [f.sequence for f in rcv.frames] == [9998, 9999, 1]

    scenario(body)
    with pytest.raises(ValueError):
        Transmitter("127.0.0.1", 1, panel(), first_sequence=0)


# --- exchanges ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_acknowledged_over_tcp_and_udp(transport: str) -> None:
    async def body(rcv: ScriptedReceiver) -> None:
        port = rcv.tcp_port if transport == "tcp" else rcv.udp_port
        async with Transmitter("127.0.0.1", port, panel(transport=transport)) as tx:
            result = await tx.send(contact_id("1234", 120, 15))
            beat = await tx.link_test()
        assert (result.outcome, result.attempts, result.sequence) == (Outcome.ACKNOWLEDGED, 1, 1)
        assert result.acknowledged and 0 < result.latency_s < 1
        assert result.response is not None and result.response.message_type == "ACK"
        assert beat.acknowledged and beat.sequence == 2
        assert [f.message_type for f in rcv.frames] == ["ADM-CID", "NULL"]

    scenario(body)


def test_answer_split_over_segments_is_read() -> None:
    async def body(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel()) as tx:
            assert (await tx.send(sia("1234", "PA", 1))).acknowledged

    scenario(body, split_answers=True)


def test_silence_means_the_same_frame_again_then_timeout() -> None:
    async def body(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel(retries=2, ack_timeout_s=0.15)) as tx:
            result = await tx.send(sia("1234", "PA", 15))
        assert (result.outcome, result.attempts, result.response) == (Outcome.TIMEOUT, 3, None)
        assert len(rcv.raw) == 3 and len(set(rcv.raw)) == 1  # byte for byte the same: a retransmission
        assert result.sent == rcv.raw[0] and result.latency_s >= 0.45

    scenario(body, policy=lambda frame: None)


def test_retransmission_after_a_lost_ack_is_acknowledged() -> None:
    answered: list[int] = []

    def lose_first(frame: Frame) -> bytes | None:
        answered.append(frame.sequence)
        return render.ack(frame) if len(answered) > 1 else None

    async def body(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel(retries=1, ack_timeout_s=0.15)) as tx:
            result = await tx.send(sia("1234", "PA", 15))
        assert (result.outcome, result.attempts) == (Outcome.ACKNOWLEDGED, 2)
        assert rcv.raw[0] == rcv.raw[1]

    scenario(body, policy=lose_first)


@pytest.mark.parametrize("wrong", [
    {"sequence": 42}, {"account": "9999"}, {"prefix": "7"}, {"message_type": "RSP"},
])
def test_answers_for_someone_else_are_ignored(wrong: dict[str, Any]) -> None:
    async def body(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel(retries=0, ack_timeout_s=0.2)) as tx:
            result = await tx.send(sia("1234", "PA", 15))
            assert result.outcome is Outcome.TIMEOUT and tx.ignored == 1

    scenario(body, policy=lambda frame: render.render_frame(replace(frame, data="", extended=(), timestamp=None,
                                                                    **{"message_type": "ACK", **wrong})))


def test_duh_ends_the_message_without_retry() -> None:
    async def body(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel()) as tx:
            result = await tx.send(sia("1234", "PA", 15))
        assert (result.outcome, result.attempts, len(rcv.raw)) == (Outcome.DUH, 1, 1)

    scenario(body, policy=lambda frame: render.duh(frame))


def test_nak_corrects_the_clock_and_the_message_goes_again() -> None:
    receiver_now = datetime(2026, 1, 15, 12, 2, 0)

    def window(frame: Frame) -> bytes:
        assert frame.timestamp is not None
        if abs((frame.timestamp - receiver_now).total_seconds()) > 20:
            return render.nak(receiver_now)
        return render.ack(frame, key=KEYS[16], now=receiver_now)

    async def body(rcv: ScriptedReceiver) -> None:
        panel_clock = lambda: NOON  # noqa: E731 - two minutes behind the receiver
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel(key=KEYS[16]), clock=panel_clock) as tx:
            result = await tx.send(sia("1234", "PA", 15))
            assert tx.clock_offset == timedelta(minutes=2)
        assert (result.outcome, result.attempts) == (Outcome.ACKNOWLEDGED, 2)
        first, second = rcv.frames
        assert (first.sequence, first.data) == (second.sequence, second.data)
        assert second.timestamp == receiver_now

    scenario(body, policy=window, key=KEYS[16])


def test_nak_every_time_ends_as_nak() -> None:
    async def body(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel(retries=1)) as tx:
            result = await tx.send(sia("1234", "PA", 15))
        assert (result.outcome, result.attempts, len(rcv.raw)) == (Outcome.NAK, 2, 2)

    scenario(body, policy=lambda frame: render.nak(datetime.now(UTC).replace(tzinfo=None)))


@pytest.mark.parametrize("size", sorted(KEYS))
def test_encrypted_panel_needs_an_encrypted_ack(size: int) -> None:
    key = KEYS[size]

    async def body(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel(key=key)) as tx:
            result = await tx.send(sia("1234", "FA", 2).extend(location(51.17, 53.01)))
        assert result.acknowledged and result.response is not None and result.response.encrypted
        assert rcv.frames[0].encrypted and rcv.frames[0].extended[0] == ExtendedData("X", "E51.170000")

    scenario(body, key=key)

    async def plain_ack(rcv: ScriptedReceiver) -> None:
        async with Transmitter("127.0.0.1", rcv.tcp_port, panel(key=key, retries=0, ack_timeout_s=0.2)) as tx:
            assert (await tx.send(sia("1234", "FA", 2))).outcome is Outcome.TIMEOUT

    scenario(plain_ack, key=key, policy=lambda frame: render.ack(replace_plain(frame)))


def replace_plain(frame: Frame) -> Frame:
    return replace(frame, encrypted=False, timestamp=None)


def test_zero_filled_encrypted_ack_without_pad_separator_is_read() -> None:
    key = KEYS[16]
    plaintext = "]_12:00:05,01-15-2026"
    padded = plaintext.rjust(len(plaintext) + 16 - len(plaintext) % 16, "0")
    cipher = crypto.encrypt(padded.encode(), key).hex().upper()
    answer = read_response(wrap(f'"*ACK"0001R1L1#1234[{cipher}'), key=key)
    assert (answer.message_type, answer.encrypted, answer.data, answer.timestamp) == (
        "ACK", True, "", datetime(2026, 1, 15, 12, 0, 5))
    with pytest.raises(FrameError):
        read_response(wrap(f'"*ACK"0001R1L1#1234[{cipher}'), key=KEYS[32])


def test_reconnects_when_the_receiver_closed_the_connection() -> None:
    async def body(rcv: ScriptedReceiver) -> None:
        tx = Transmitter("127.0.0.1", rcv.tcp_port, panel())
        async with tx:
            assert (await tx.send(sia("1234", "PA", 1))).acknowledged
            link = tx._link
            assert link is not None and link.transport is not None
            link.transport.close()
            await asyncio.sleep(0.05)
            assert (await tx.send(sia("1234", "PA", 2))).acknowledged

    scenario(body)


def test_bad_config_is_refused() -> None:
    with pytest.raises(crypto.CryptoError):
        PanelConfig(account="1", key=b"short")
    with pytest.raises(ValueError):
        PanelConfig(account="1", retries=-1)

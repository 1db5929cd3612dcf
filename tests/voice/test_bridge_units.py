"""The bridge's parts on their own: RTP parsing, the jitter buffer, the control API's guard and refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qorgau.core.db import Database
from qorgau.voice.bridge import rtp
from qorgau.voice.bridge.api import create_control_app
from qorgau.voice.bridge.host import Bridge
from qorgau.voice.bridge.jitter import JitterBuffer
from qorgau.voice.control import BridgeClient, BridgeError


@given(pt=st.integers(0, 127), seq=st.integers(0, 65535), ts=st.integers(0, 2**32 - 1),
       ssrc=st.integers(0, 2**32 - 1), payload=st.binary(max_size=200), marker=st.booleans())
def test_rtp_round_trip(pt: int, seq: int, ts: int, ssrc: int, payload: bytes, marker: bool) -> None:
    packet = rtp.parse(rtp.build(pt, seq, ts, ssrc, payload, marker=marker))
    if 72 <= pt <= 76:  # with or without the marker bit these collide with RTCP packet types: never taken for RTP
        assert packet is None
        return
    assert packet == rtp.RtpPacket(pt, seq, ts, ssrc, marker, payload)


@pytest.mark.parametrize("packet_type", [200, 201, 202, 203, 204])
def test_rtcp_is_never_taken_for_rtp(packet_type: int) -> None:
    assert rtp.parse(bytes([0x81, packet_type, 0, 7]) + bytes(28)) is None  # SR, RR, SDES, BYE, APP


@given(st.binary(max_size=64))
def test_rtp_parse_never_raises_on_garbage(data: bytes) -> None:
    rtp.parse(data)
    rtp.dtmf(data)


def test_rtp_padding_extension_and_csrc_are_skipped() -> None:
    header = bytes([0x80 | 0x20 | 0x10 | 0x01, 0]) + (5).to_bytes(2, "big") + (800).to_bytes(4, "big") + bytes(4)
    data = header + bytes(4) + b"\xbe\xde\x00\x01" + bytes(4) + b"abc" + b"\x00\x00\x03"
    packet = rtp.parse(data)
    assert packet is not None and packet.payload == b"abc" and packet.seq == 5


def feed(buffer: JitterBuffer, seqs: list[int], at: float = 0.0) -> None:
    for seq in seqs:
        buffer.push(seq & 0xFFFF, seq * 160, bytes([seq % 256]), at + seq * 0.02)


def test_jitter_buffer_reorders_counts_loss_and_late() -> None:
    buffer = JitterBuffer()
    feed(buffer, [1, 3, 2, 5])  # 4 lost, 2 out of order
    played = [buffer.pop() for _ in range(5)]
    assert played[:3] == [b"\x01", b"\x02", b"\x03"] and played[3] is None and played[4] == b"\x05"
    assert buffer.stats.lost == 1
    feed(buffer, [4])  # its turn has passed
    assert buffer.stats.late == 1 and buffer.stats.received == 5


def test_jitter_buffer_crosses_the_sequence_wrap() -> None:
    buffer = JitterBuffer()
    feed(buffer, [65534, 65535, 65536, 65537])
    assert [buffer.pop() for _ in range(4)] == [bytes([s % 256]) for s in (65534, 65535, 65536, 65537)]
    assert buffer.stats.lost == 0


def test_jitter_buffer_deepens_with_jitter_and_stays_bounded() -> None:
    steady, shaky = JitterBuffer(), JitterBuffer()
    feed(steady, list(range(50)))
    for seq in range(50):  # arrivals jumping ±40 ms around the clock
        shaky.push(seq, seq * 160, b"x", seq * 0.02 + (0.04 if seq % 2 else 0.0))
    assert steady.depth == 1 and steady.stats.jitter_ms < 1
    assert 2 < shaky.depth <= 12 and shaky.stats.jitter_ms > 10


@pytest.fixture
def control(tmp_path: Path) -> BridgeClient:
    bridge = Bridge(Database("sqlite://"), rtp.PortPool(45000, 45010), tmp_path)
    app = create_control_app(bridge, "right")
    return BridgeClient("http://voice", "right", transport=httpx.ASGITransport(app=app))


def test_control_api_needs_the_token_and_refuses_unknown_calls(control: BridgeClient) -> None:
    async def scenario() -> list[tuple[int, str]]:
        wrong = BridgeClient(control.base_url, "wrong", transport=control._transport)
        found = []
        for attempt in (wrong.calls(), control.hold(7, True), control.mute(7, True), control.hangup(7),
                        control.detach("nope"), control.attach(call_id=7, operator_id=1, sdp="v=0"),
                        control.callback(device_code="SOS-0001", number=None, operator_id=1)):
            with pytest.raises(BridgeError) as caught:
                await attempt
            found.append((caught.value.status, caught.value.code))
        assert await control.calls() == []
        return found

    assert asyncio.run(scenario()) == [
        (401, "voice.control_unauthorised"), (404, "voice.not_found"), (404, "voice.not_found"),
        (404, "voice.not_found"), (404, "voice.leg_not_found"), (404, "voice.not_found"),
        (409, "voice.no_contact")]


def test_client_reports_an_absent_voice_process() -> None:
    async def scenario() -> Any:
        with pytest.raises(BridgeError) as caught:
            await BridgeClient("http://127.0.0.1:9", "t", timeout_s=1).health()
        return caught.value

    error = asyncio.run(scenario())
    assert (error.status, error.code) == (503, "voice.bridge_unreachable")

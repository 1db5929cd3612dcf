"""Building frames and responses: the README's ACK, DUH and NAK vectors, and render∘parse identity."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given, settings

from qorgau.protocols.dc09.parser import Frame, parse_frame
from qorgau.protocols.dc09.render import ack, duh, nak, render_frame, wrap
from tests.protocols.dc09.strategies import frames

INCOMING = parse_frame(wrap('"SIA-DCS"0001RF3L77#1234[#1234|NPA1]'))
KEY = bytes(range(32))


def test_ack_vector() -> None:
    assert ack(INCOMING) == b'\n61DB0016"ACK"0001RF3L77#1234[]\r'


def test_duh_vector() -> None:
    assert duh(INCOMING) == b'\n85800016"DUH"0001RF3L77#1234[]\r'


def test_nak_vector_carries_the_receivers_clock() -> None:
    assert nak(datetime(2026, 1, 15, 12, 0, 5)) == b'\n6B650025"NAK"0000R0L0A0[]_12:00:05,01-15-2026\r'


def test_ack_with_timestamp() -> None:
    raw = ack(INCOMING, now=datetime(2026, 1, 15, 12, 0, 0))
    assert raw.endswith(b'"ACK"0001RF3L77#1234[]_12:00:00,01-15-2026\r')
    assert parse_frame(raw).timestamp == datetime(2026, 1, 15, 12, 0, 0)


def test_encrypted_ack_answers_an_encrypted_frame() -> None:
    now = datetime(2026, 1, 15, 12, 0, 1)
    incoming = replace(INCOMING, encrypted=True, timestamp=now)
    raw = ack(incoming, key=KEY, now=now)
    assert b'"*ACK"0001RF3L77#1234[' in raw
    assert parse_frame(raw, key=KEY) == Frame(
        message_type="ACK", sequence=1, receiver="F3", prefix="77", account="1234", timestamp=now, encrypted=True
    )


def test_duh_is_never_encrypted() -> None:
    incoming = replace(INCOMING, encrypted=True, timestamp=datetime(2026, 1, 15, 12, 0, 1))
    assert parse_frame(duh(incoming)).encrypted is False


def test_encrypted_frames_need_key_and_time() -> None:
    with pytest.raises(ValueError, match="key"):
        render_frame(replace(INCOMING, encrypted=True))
    with pytest.raises(ValueError, match="never encrypted"):
        render_frame(replace(INCOMING, message_type="NAK", encrypted=True), key=KEY)


def test_oversized_body_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        render_frame(replace(INCOMING, data="x" * 0x1000))


def test_binary_crc_rendering() -> None:
    raw = render_frame(replace(INCOMING, binary_crc=True))
    assert raw[3:7] == b"0024" and raw[7:8] == b'"'
    assert parse_frame(raw) == replace(INCOMING, binary_crc=True)


@settings(max_examples=200)
@given(frames())
def test_render_then_parse_is_identity_plain(frame: Frame) -> None:
    assert parse_frame(render_frame(frame)) == frame

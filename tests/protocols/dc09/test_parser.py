"""DC-09 framing: the README's vectors, errors by reason, the stream splitter, fuzzing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.protocols.dc09 import crypto
from qorgau.protocols.dc09.parser import (
    MAX_FRAME,
    REASONS,
    ExtendedData,
    Frame,
    FrameError,
    FrameSplitter,
    RawFrame,
    Rejected,
    crc16_arc,
    crc16_arc_python,
    measure,
    measure_by_layout,
    parse_envelope,
    parse_frame,
    timestamp_in_window,
)
from qorgau.protocols.dc09.render import render_frame, wrap
from tests.protocols.dc09.strategies import frames, reason_of

NOON = datetime(2026, 1, 15, 12, 0, 0)
# The README's verified vectors: (raw frame, type, sequence, receiver, prefix, account, data, timestamp).
VECTORS = [
    (b'\n61DB0016"ACK"0001RF3L77#1234[]\r', "ACK", 1, "F3", "77", "1234", "", None),
    (b'\n85800016"DUH"0001RF3L77#1234[]\r', "DUH", 1, "F3", "77", "1234", "", None),
    (
        b'\nE5EB003A"SIA-DCS"0002L0#1234[#1234|Nri1/PA015]_12:00:00,01-15-2026\r',
        "SIA-DCS",
        2,
        None,
        "0",
        "1234",
        "#1234|Nri1/PA015",
        NOON,
    ),
    (
        b'\nDD27003B"ADM-CID"0003L0#1234[#1234|1120 01 015]_12:00:00,01-15-2026\r',
        "ADM-CID",
        3,
        None,
        "0",
        "1234",
        "#1234|1120 01 015",
        NOON,
    ),
    (
        b'\n5BA1003B"ADM-CID"0004L0#1234[#1234|1122 01 015]_12:00:00,01-15-2026\r',
        "ADM-CID",
        4,
        None,
        "0",
        "1234",
        "#1234|1122 01 015",
        NOON,
    ),
    (b'\n69F00027"NULL"0005L0#1234[]_12:00:00,01-15-2026\r', "NULL", 5, None, "0", "1234", "", NOON),
    (
        b'\n6B650025"NAK"0000R0L0A0[]_12:00:05,01-15-2026\r',
        "NAK",
        0,
        "0",
        "0",
        None,
        "",
        datetime(2026, 1, 15, 12, 0, 5),
    ),
]
ALL_VECTORS = b"".join(v[0] for v in VECTORS)


@pytest.mark.parametrize(("raw", "mtype", "seq", "rcvr", "pref", "acct", "data", "stamp"), VECTORS)
def test_readme_vectors_parse(
    raw: bytes, mtype: str, seq: int, rcvr: str | None, pref: str, acct: str | None, data: str, stamp: datetime | None
) -> None:
    frame = parse_frame(raw)
    assert (frame.message_type, frame.sequence, frame.receiver, frame.prefix, frame.account) == (
        mtype,
        seq,
        rcvr,
        pref,
        acct,
    )
    assert (frame.data, frame.timestamp, frame.encrypted, frame.extended) == (data, stamp, False, ())
    assert render_frame(frame) == raw


@pytest.mark.parametrize("raw", [v[0] for v in VECTORS])
def test_readme_vectors_crc_and_length(raw: bytes) -> None:
    body = raw[9:-1]
    assert int(raw[1:5], 16) == crc16_arc(body)
    assert int(raw[5:9], 16) == len(body)


def test_crc16_arc_check_value() -> None:
    # The catalogued check value of CRC-16/ARC over "123456789"; CRC-16/CCITT would give 0x29B1 or 0x31C3.
    assert crc16_arc(b"123456789") == crc16_arc_python(b"123456789") == 0xBB3D


@given(st.binary(max_size=300))
def test_compiled_crc_equals_the_reference_table(data: bytes) -> None:
    assert crc16_arc(data) == crc16_arc_python(data) == crc16_arc(bytearray(data))


def test_binary_crc_is_accepted() -> None:
    raw = VECTORS[2][0]
    binary = b"\n" + int(raw[1:5], 16).to_bytes(2, "big") + raw[5:]
    frame = parse_frame(binary)
    assert frame.binary_crc
    assert frame.data == "#1234|Nri1/PA015"


def test_standard_annex_address_values() -> None:
    for rcvr in (None, "0", "1234", "FFFFFF"):
        for pref in ("0", "1234", "FFFFFF"):
            for acct in ("0", "123456", "0123456789ABCDEF", "FEDCBA9876543210"):
                r = f"R{rcvr}" if rcvr else ""
                frame = parse_frame(wrap(f'"NULL"0001{r}L{pref}#{acct}[]'))
                assert (frame.receiver, frame.prefix, frame.account) == (rcvr, pref, acct)


def test_extended_data_blocks() -> None:
    raw = wrap('"SIA-DCS"0007R1L1#42[#42|NPA1][X076.9286][Y43.2567][Ialarm text][Vhttps://v.example/1]')
    frame = parse_frame(raw)
    assert frame.extended == (
        ExtendedData("X", "076.9286"),
        ExtendedData("Y", "43.2567"),
        ExtendedData("I", "alarm text"),
        ExtendedData("V", "https://v.example/1"),
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (VECTORS[0][0].replace(b"61DB", b"61DC"), "bad_crc"),
        (VECTORS[0][0].replace(b"0016", b"0017"), "bad_length"),
        (VECTORS[0][0][:-1] + b"\n", "bad_length"),
        (VECTORS[0][0] + b"x", "bad_length"),
        (VECTORS[0][0][1:], "bad_format"),
        (b"", "bad_format"),
        (wrap('"ACK"01RF3L77#1234[]'), "bad_format"),
        (wrap('"ACK"0001RF3#1234[]'), "bad_format"),
        (wrap('"ACK"0001L1#1234[]x'), "bad_format"),
        (wrap('"ACK"0001L1#1234[]_25:00:00,01-15-2026'), "bad_timestamp"),
        (wrap('"ACK"0001L1#1234[]_12:00:00,13-15-2026'), "bad_timestamp"),
        (wrap('"ACK"0001L1#1234[]_12:00'), "bad_timestamp"),
        (wrap('"NAK"0000R0L0A0[]'), "bad_timestamp"),
        (wrap('"*SIA-DCS"0001L1#1234[00112233445566778899AABBCCDDEEFF'), "no_key"),
    ],
)
def test_errors_carry_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(raw)
    assert caught.value.reason == reason
    assert caught.value.reason in REASONS


def test_envelope_gives_the_address_before_decryption() -> None:
    envelope = parse_envelope(wrap('"*SIA-DCS"0009R12L3#ABC[00112233445566778899AABBCCDDEEFF'))
    assert (envelope.encrypted, envelope.receiver, envelope.prefix, envelope.account) == (True, "12", "3", "ABC")


def test_timestamp_window() -> None:
    now = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
    assert timestamp_in_window(datetime(2026, 1, 15, 11, 59, 20), now)
    assert timestamp_in_window(datetime(2026, 1, 15, 12, 0, 20), now)
    assert not timestamp_in_window(datetime(2026, 1, 15, 11, 59, 19), now)
    assert not timestamp_in_window(datetime(2026, 1, 15, 12, 0, 21), now)


def _frames(items: list[RawFrame | Rejected]) -> list[bytes]:
    return [item.data for item in items if isinstance(item, RawFrame)]


def test_splitter_several_frames_in_one_chunk() -> None:
    out = FrameSplitter().feed(ALL_VECTORS)
    assert _frames(out) == [v[0] for v in VECTORS]
    assert len(out) == len(VECTORS)


def test_splitter_one_byte_at_a_time() -> None:
    splitter = FrameSplitter()
    out: list[RawFrame | Rejected] = []
    for byte in ALL_VECTORS:
        out += splitter.feed(bytes([byte]))
    assert out == [RawFrame(v[0]) for v in VECTORS]
    assert splitter.pending == 0


def test_splitter_resynchronises_on_garbage_and_reports_reasons() -> None:
    bad_crc = VECTORS[0][0].replace(b"61DB", b"0000")
    stream = b"junk" + VECTORS[1][0] + b"\nZZZZ\n" + bad_crc + b'\n00000003"abc' + VECTORS[2][0]
    out = FrameSplitter().feed(stream)
    assert _frames(out) == [VECTORS[1][0], VECTORS[2][0]]
    reasons = [item.reason for item in out if isinstance(item, Rejected)]
    assert reasons == ["garbage", "bad_format", "bad_format", "bad_crc", "bad_length"]


def test_splitter_waits_for_a_split_header() -> None:
    splitter = FrameSplitter()
    assert splitter.feed(b"\n61D") == []
    assert splitter.feed(VECTORS[0][0][4:]) == [RawFrame(VECTORS[0][0])]


@settings(max_examples=200)
@given(st.lists(frames(), min_size=1, max_size=5), st.data())
def test_splitter_recovers_frames_from_any_chunking(items: list[Frame], data: st.DataObject) -> None:
    raws = [render_frame(frame) for frame in items]
    garbage = st.binary(max_size=8).map(lambda b: b.replace(b"\n", b""))
    stream = b"".join(data.draw(garbage) + raw for raw in raws)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    splitter = FrameSplitter()
    out: list[RawFrame | Rejected] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        out += splitter.feed(stream[start:end])
    assert _frames(out) == raws
    assert [parse_frame(raw) for raw in _frames(out)] == items


@settings(max_examples=200)
@given(st.lists(st.binary(max_size=300), max_size=10))
def test_splitter_never_raises_and_stays_bounded(chunks: list[bytes]) -> None:
    splitter = FrameSplitter()
    for chunk in chunks:
        for item in splitter.feed(chunk):
            assert isinstance(item, RawFrame) or item.reason in REASONS
        assert splitter.pending <= MAX_FRAME


@settings(max_examples=200)
@given(st.binary(max_size=200), st.sampled_from([None, bytes(16)]))
def test_parser_raises_only_frame_error_on_arbitrary_bytes(raw: bytes, key: bytes | None) -> None:
    for candidate in (raw, b"\n" + raw, wrap('"' + raw.decode("latin-1"))):
        assert reason_of(partial(parse_frame, candidate, key=key)) in (None, *REASONS)


@settings(max_examples=200)
@given(st.text(max_size=120), st.sampled_from(["SIA-DCS", "*SIA-DCS", "ACK", "*NULL", "NAK"]))
def test_parser_raises_only_frame_error_on_arbitrary_bodies(tail: str, mtype: str) -> None:
    assert reason_of(lambda: parse_frame(wrap(f'"{mtype}"0001L0#1{tail}'), key=bytes(32))) in (None, *REASONS)


def _encrypted_without_data(message_type: str, key: bytes, stamp: str = "_12:00:00,01-15-2026") -> bytes:
    """An encrypted frame as panels send their link tests: the pad straight followed by `]` and the timestamp."""
    rest = "]" + stamp
    plaintext = ("Qz7#k2Lm9$Xw4&Rt"[: 16 - len(rest) % 16] + rest).encode()
    return wrap(f'"*{message_type}"0007R1L1#1234[{crypto.encrypt(plaintext, key).hex().upper()}')


@pytest.mark.parametrize("message_type", ["NULL", "SIA-DCS"])
def test_encrypted_frame_without_data_is_read(message_type: str) -> None:
    key = bytes(range(16))
    frame = parse_frame(_encrypted_without_data(message_type, key), key=key)
    assert (frame.message_type, frame.encrypted, frame.data, frame.extended, frame.timestamp, frame.account) == (
        message_type, True, "", (), NOON, "1234")


def test_encrypted_plaintext_with_a_bracket_in_the_pad_is_refused() -> None:
    key = bytes(range(16))
    plaintext = b"Qz7#k2Lm9$[]_12:00:00,01-15-2026"  # `[` cannot be pad, and no `|` or `]` ends a pad before it
    cipher = crypto.encrypt(plaintext[: len(plaintext) // 16 * 16], key).hex().upper()
    with pytest.raises(FrameError) as caught:
        parse_frame(wrap(f'"*NULL"0007R1L1#1234[{cipher}'), key=key)
    assert caught.value.reason == "decrypt_failed"



@given(st.one_of(st.text(alphabet='0123456789ABCDEFabcdefG"\x00', max_size=14),
                 st.from_regex(r'[0-9A-Fa-fG]{0,5}0?[0-9A-Fa-fG]{0,4}"?.{0,3}', fullmatch=True)))
def test_measure_fast_path_agrees_with_the_layouts(tail: str) -> None:
    """The compiled header match sizes every header as the byte-by-byte layout check does, or both refuse it."""
    raw = b"\n" + tail.encode()

    def outcome(size: Callable[[bytes], tuple[int, bool] | None]) -> object:
        try:
            return size(raw)
        except FrameError as exc:
            return exc.reason

    assert outcome(measure) == outcome(measure_by_layout)

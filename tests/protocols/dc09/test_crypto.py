"""DC-09 encryption: AES-CBC with a zero IV, 128/192/256-bit keys, the random pad rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.protocols.dc09 import crypto
from qorgau.protocols.dc09.parser import Frame, FrameError, parse_envelope, parse_frame
from qorgau.protocols.dc09.render import render_frame, wrap
from tests.protocols.dc09.strategies import frames

NOON = datetime(2026, 1, 15, 12, 0, 0)
PANIC = Frame(
    message_type="SIA-DCS",
    sequence=2,
    prefix="0",
    account="1234",
    data="#1234|Nri1/PA015",
    timestamp=NOON,
    encrypted=True,
)
KEYS = [bytes(range(16)), bytes(range(24)), bytes(range(32))]


def _plaintext(raw: bytes, key: bytes) -> bytes:
    # Decrypt independently of the module, straight from the standard's description.
    cipher_hex = parse_envelope(raw).body[1:]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).decryptor()
    return decryptor.update(bytes.fromhex(cipher_hex)) + decryptor.finalize()


@pytest.mark.parametrize("key", KEYS, ids=["aes128", "aes192", "aes256"])
def test_encrypted_frame_layout_and_round_trip(key: bytes) -> None:
    raw = render_frame(PANIC, key=key)
    assert raw.startswith(b"\n") and b'"*SIA-DCS"0002L0#1234[' in raw
    cipher_hex = parse_envelope(raw).body[1:]
    assert cipher_hex == cipher_hex.upper() and len(cipher_hex) % 32 == 0
    plain = _plaintext(raw, key).decode()
    pad, _, rest = plain.partition("|")
    assert rest == "#1234|Nri1/PA015]_12:00:00,01-15-2026"
    assert 1 <= len(pad) <= 16 and not set(pad) & set("[]|")
    assert len(plain) % 16 == 0
    assert parse_frame(raw, key=key) == PANIC


def test_given_pad_is_deterministic() -> None:
    rest = "|]_12:00:00,01-15-2026"  # 22 characters: a 10-character pad makes 32
    assert crypto.pad_for(rest, pad="ABCDEFGHIJ") == "ABCDEFGHIJ"
    raw = render_frame(replace(PANIC, message_type="ACK", data=""), key=KEYS[0], pad="ABCDEFGHIJ")
    assert _plaintext(raw, KEYS[0]) == b"ABCDEFGHIJ|]_12:00:00,01-15-2026"
    assert raw == render_frame(replace(PANIC, message_type="ACK", data=""), key=KEYS[0], pad="ABCDEFGHIJ")


def test_aligned_body_gets_a_full_block_of_pad() -> None:
    assert len(crypto.pad_for("x" * 32)) == 16


@pytest.mark.parametrize("pad", ["ABC", "ABCDEFGHI|", "ABCDEFGHI]", "ABCDEFGHI["])
def test_bad_pads_are_refused(pad: str) -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.pad_for("|]_12:00:00,01-15-2026", pad=pad)


def test_random_pad_differs_between_frames() -> None:
    one = render_frame(replace(PANIC, data="#1234|NPA1"), key=KEYS[0])
    two = render_frame(replace(PANIC, data="#1234|NPA1"), key=KEYS[0])
    assert one != two
    assert parse_frame(one, key=KEYS[0]) == parse_frame(two, key=KEYS[0])


@pytest.mark.parametrize("size", [0, 8, 15, 17, 33])
def test_bad_key_sizes_are_refused(size: int) -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.check_key(bytes(size))


def test_hex_keys() -> None:
    assert crypto.parse_hex_key("00" * 24) == bytes(24)
    with pytest.raises(crypto.CryptoError):
        crypto.parse_hex_key("zz" * 16)


def test_wrong_key_is_decrypt_failed() -> None:
    raw = render_frame(PANIC, key=KEYS[0])
    with pytest.raises(FrameError) as caught:
        parse_frame(raw, key=bytes(16))
    assert caught.value.reason in ("decrypt_failed", "bad_format", "bad_timestamp")


def test_key_of_the_wrong_size_is_decrypt_failed() -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(render_frame(PANIC, key=KEYS[0]), key=bytes(5))
    assert caught.value.reason == "decrypt_failed"


@pytest.mark.parametrize(
    "cipher_hex", ["0011", "00112233445566778899AABBCCDDEEF", "", "00112233445566778899aabbccddeeff"]
)
def test_malformed_ciphertext(cipher_hex: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(wrap(f'"*SIA-DCS"0001L0#1[{cipher_hex}'), key=KEYS[0])
    assert caught.value.reason in ("decrypt_failed", "bad_format")


def test_encrypted_frame_needs_a_timestamp() -> None:
    plain = b"ABCDEFGHIJKLMN|]"  # 16 bytes, no timestamp
    encryptor = Cipher(algorithms.AES(KEYS[0]), modes.CBC(bytes(16))).encryptor()
    cipher = (encryptor.update(plain) + encryptor.finalize()).hex().upper()
    with pytest.raises(FrameError) as caught:
        parse_frame(wrap(f'"*NULL"0001L0#1[{cipher}'), key=KEYS[0])
    assert caught.value.reason == "bad_timestamp"


def test_closing_bracket_outside_the_ciphertext_is_tolerated() -> None:
    raw = render_frame(PANIC, key=KEYS[2])
    body = parse_envelope(raw).body
    assert parse_frame(wrap('"*SIA-DCS"0002L0#1234' + body + "]"), key=KEYS[2]) == PANIC


@settings(max_examples=200)
@given(frames(encrypted=True), st.sampled_from(KEYS))
def test_render_then_parse_is_identity_encrypted(frame: Frame, key: bytes) -> None:
    assert parse_frame(render_frame(frame, key=key), key=key) == frame

"""Build DC-09 frames and the receiver's responses (ACK, NAK, DUH), plain or encrypted."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from qorgau.protocols.dc09 import crypto
from qorgau.protocols.dc09.parser import MAX_BODY, Frame, crc16_arc, format_timestamp

NEVER_ENCRYPTED = frozenset({"NAK", "DUH"})


def wrap(body: str, *, binary_crc: bool = False) -> bytes:
    """Put LF, CRC, length and CR around a body that starts at the id token's opening quote."""
    raw = body.encode()
    if len(raw) > MAX_BODY:
        raise ValueError(f"frame body of {len(raw)} bytes exceeds {MAX_BODY}")
    crc = crc16_arc(raw)
    crc_field = crc.to_bytes(2, "big") if binary_crc else f"{crc:04X}".encode()
    return b"\n" + crc_field + f"{len(raw):04X}".encode() + raw + b"\r"


def _address(frame: Frame, message_type: str | None = None) -> str:
    """The id token, sequence and address of ``frame`` (as ``message_type`` when given, e.g. its ACK)."""
    mtype = message_type or frame.message_type
    star = "*" if frame.encrypted and message_type is None else ""
    head = f'"{star}{mtype}"{frame.sequence:04d}'
    if mtype == "NAK" and (frame.receiver, frame.prefix, frame.account) == ("0", "0", None):
        return head + "R0L0A0"  # the reference NAK's fixed address
    receiver = f"R{frame.receiver}" if frame.receiver is not None else ""
    account = f"#{frame.account}" if frame.account is not None else ""
    return f"{head}{receiver}L{frame.prefix}{account}"


def _content(frame: Frame) -> str:
    extended = "".join(f"[{block.kind}{block.value}]" for block in frame.extended)
    stamp = format_timestamp(frame.timestamp) if frame.timestamp is not None else ""
    return f"{frame.data}]{extended}{stamp}"


def render_frame(frame: Frame, *, key: bytes | None = None, pad: str | None = None) -> bytes:
    """Write a Frame as bytes; encrypted frames need the key and a timestamp (pad is random unless given)."""
    if not frame.encrypted:
        return wrap(_address(frame) + "[" + _content(frame), binary_crc=frame.binary_crc)
    if frame.message_type in NEVER_ENCRYPTED:
        raise ValueError(f"{frame.message_type} is never encrypted")
    if key is None or frame.timestamp is None:
        raise ValueError("an encrypted frame needs a key and a timestamp")
    rest = "|" + _content(frame)
    plaintext = (crypto.pad_for(rest, pad=pad) + rest).encode()
    cipher = crypto.encrypt(plaintext, key).hex().upper()
    return wrap(_address(frame) + "[" + cipher, binary_crc=frame.binary_crc)


def ack(frame: Frame, *, key: bytes | None = None, now: datetime | None = None) -> bytes:
    """ACK a frame, echoing its sequence and address; an encrypted frame gets an encrypted ACK with our time."""
    if not frame.encrypted:
        # The receiver's hot path: the same bytes render_frame would write, without building a Frame.
        stamp = _stamp(now) if now is not None else ""
        return wrap(f"{_address(frame, 'ACK')}[]{stamp}")
    response = replace(frame, message_type="ACK", data="", extended=(), timestamp=now, binary_crc=False)
    return render_frame(response, key=key)


def ack_address(address: str, now: datetime) -> bytes:
    """`ack` of an unencrypted frame from its address as sent (`Envelope.address`): the same bytes, cheaper."""
    return wrap(f'"ACK"{address}[]{_stamp(now)}')


_last_stamp: tuple[int, str] = (-1, "")


def _stamp(now: datetime) -> str:
    """The timestamp text, formatted once per second rather than once per ACK."""
    global _last_stamp
    second = int(now.timestamp())
    if _last_stamp[0] != second:
        _last_stamp = (second, format_timestamp(now.replace(microsecond=0)))
    return _last_stamp[1]


def duh(frame: Frame, *, now: datetime | None = None) -> bytes:
    """DUH: a correct frame we cannot process (e.g. unknown account); never encrypted."""
    response = replace(
        frame, message_type="DUH", data="", extended=(), timestamp=now, encrypted=False, binary_crc=False
    )
    return render_frame(response)


def nak(now: datetime) -> bytes:
    """NAK carrying the receiver's clock, so the panel can resynchronise its time."""
    return render_frame(Frame(message_type="NAK", sequence=0, receiver="0", prefix="0", timestamp=now))

"""DC-09 framing: CRC-16/ARC, length, id token, address, data, extended data, timestamp; a TCP frame splitter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from qorgau.protocols.dc09 import crypto

LF, CR, QUOTE = 0x0A, 0x0D, 0x22
MAX_BODY = 0x0FFF  # the length field is 0LLL
MAX_FRAME = 1 + 4 + 4 + MAX_BODY + 1
WINDOW_PAST = timedelta(seconds=40)
WINDOW_FUTURE = timedelta(seconds=20)
TIMESTAMP_FORMAT = "%H:%M:%S,%m-%d-%Y"

Reason = Literal[
    "garbage", "bad_format", "bad_length", "bad_crc", "bad_timestamp", "decrypt_failed", "no_key", "bad_payload"
]
REASONS: tuple[Reason, ...] = get_args(Reason)  # every reason, so a receiver can pre-register its counters


class FrameError(ValueError):
    """A frame or payload that cannot be accepted; `reason` lets the receiver count rejections."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason
        self.detail = detail


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_arc_python(data: bytes | bytearray) -> int:
    """CRC-16/ARC: polynomial 0x8005 reflected (0xA001), init 0, no final xor; one table lookup per byte."""
    crc = 0
    table = _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


try:  # the same CRC compiled (fastcrc wheel): every frame is checked once in and once out
    from fastcrc import crc16 as _fast_crc16

    def crc16_arc(data: bytes | bytearray) -> int:
        """CRC-16/ARC (compiled; equal to crc16_arc_python, which a property test checks)."""
        return int(_fast_crc16.arc(bytes(data)))
except ImportError:  # pragma: no cover - fastcrc ships wheels for the usual platforms
    crc16_arc = crc16_arc_python


@dataclass(frozen=True, slots=True)
class ExtendedData:
    """An extended data block `[<kind><value>]`, e.g. kind X (longitude), V (verification URL)."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Envelope:
    """The clear part of a frame: enough to find the panel (and its key) before opening the body."""

    message_type: str  # the id token: SIA-DCS, ADM-CID, NULL, ACK, NAK, DUH, RSP
    encrypted: bool
    sequence: int
    receiver: str | None
    prefix: str
    account: str | None
    body: str
    binary_crc: bool = False
    address: str = ""  # the address as sent, sequence to account: what an ACK echoes


@dataclass(frozen=True, slots=True)
class Frame:
    """A parsed and, if it was encrypted, decrypted DC-09 frame."""

    message_type: str  # the id token: SIA-DCS, ADM-CID, NULL, ACK, NAK, DUH, RSP
    sequence: int
    prefix: str
    receiver: str | None = None
    account: str | None = None
    data: str = ""
    extended: tuple[ExtendedData, ...] = ()
    timestamp: datetime | None = None
    encrypted: bool = False
    binary_crc: bool = False


_HEX = frozenset(b"0123456789ABCDEFabcdef")
_HEX_UPPER = "0-9A-F"
_ADDRESS = re.compile(
    rf'"(?P<star>\*?)(?P<mtype>[A-Z0-9-]+)"(?P<seq>[0-9]{{4}})'
    rf"(?:R(?P<rcvr>[{_HEX_UPPER}]{{1,6}}))?L(?P<pref>[{_HEX_UPPER}]{{1,6}})"
    rf"(?:#(?P<acct>[{_HEX_UPPER}]{{1,16}}))?(?=\[)"
)
# The reference NAK writes `R0L0A0` with no account; read it as receiver 0, prefix 0, not as prefix "0A0".
_NAK_ADDRESS = re.compile(r'"NAK"(?P<seq>[0-9]{4})R0L0A0(?=\[)')
_TIMESTAMP_TEXT = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{2}-[0-9]{2}-[0-9]{4}")
_TIMESTAMP = re.compile(r"_[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{2}-[0-9]{2}-[0-9]{4}")
_CIPHER_HEX = re.compile(r"[0-9A-F]+\]?")
_PAD = re.compile(r"[^\[\]|]*")


def _is_hex(byte: int) -> bool:
    return byte in _HEX


# Header layouts after the LF: 4 hex CRC digits or 2 raw CRC bytes, then `0LLL`, then the opening quote.
_HEX_LAYOUT = (None, _is_hex, _is_hex, _is_hex, _is_hex, b"0"[0], _is_hex, _is_hex, _is_hex, QUOTE)
_BIN_LAYOUT = (None, None, None, b"0"[0], _is_hex, _is_hex, _is_hex, QUOTE)


def _alive(buf: bytes | bytearray, layout: tuple[object, ...]) -> bool:
    for pos, want in enumerate(layout[1:], start=1):
        if pos >= len(buf):
            return True
        byte = buf[pos]
        if (callable(want) and not want(byte)) or (isinstance(want, int) and byte != want):
            return False
    return True


# The usual whole header (hex CRC): one C-level match instead of the byte-by-byte layout check below, which was
# a tenth of the receiver's per-frame Python time.
_HEX_HEADER = re.compile(rb'\n[0-9A-Fa-f]{4}0[0-9A-Fa-f]{3}"')


def measure(buf: bytes | bytearray) -> tuple[int, bool] | None:
    """Size a frame that starts at buf[0] (an LF): (total bytes, binary CRC), None if more bytes are needed."""
    if _HEX_HEADER.match(buf):
        return 10 + int(buf[5:9], 16), False
    return measure_by_layout(buf)


def measure_by_layout(buf: bytes | bytearray) -> tuple[int, bool] | None:
    """`measure` without its fast path: the layouts checked byte by byte (a property test compares the two)."""
    for layout, binary in ((_HEX_LAYOUT, False), (_BIN_LAYOUT, True)):
        if not _alive(buf, layout):
            continue
        if len(buf) < len(layout):
            return None
        crc_len = 2 if binary else 4
        length = int(bytes(buf[1 + crc_len : 5 + crc_len]), 16)
        return 1 + crc_len + 4 + length + 1, binary
    raise FrameError("bad_format", "no DC-09 header after LF")


def parse_envelope(raw: bytes) -> Envelope:
    """Check LF, CRC, length and CR of one whole frame and read its clear address part."""
    if not raw or raw[0] != LF:
        raise FrameError("bad_format", "frame does not start with LF")
    sized = measure(raw)
    if sized is None:
        raise FrameError("bad_length", "frame shorter than its header")
    total, binary = sized
    if len(raw) != total or raw[-1] != CR:
        raise FrameError("bad_length", f"length field says {total} bytes, got {len(raw)}")
    crc_len = 2 if binary else 4
    body = raw[1 + crc_len + 4 : -1]
    sent = int.from_bytes(raw[1:3], "big") if binary else int(raw[1:5], 16)
    if crc16_arc(body) != sent:
        raise FrameError("bad_crc")
    return read_address(body, binary)


def read_address(body: bytes, binary: bool) -> Envelope:
    """Read the clear address part of a frame's body (between the length field and CR) already checked."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        # Alarm text from older panels may be Latin-1; latin-1 decodes any byte, so nothing is lost.
        text = body.decode("latin-1")
    nak = _NAK_ADDRESS.match(text) if text.startswith('"NAK"') else None
    if nak:
        return Envelope("NAK", False, int(nak["seq"]), "0", "0", None, text[nak.end() :], binary)
    match = _ADDRESS.match(text)
    if not match:
        raise FrameError("bad_format", "id token or address is malformed")
    return Envelope(
        message_type=match["mtype"],
        encrypted=bool(match["star"]),
        sequence=int(match["seq"]),
        receiver=match["rcvr"],
        prefix=match["pref"],
        account=match["acct"],
        body=text[match.end() :],
        binary_crc=binary,
        address=text[match.start("seq") : match.end()],
    )


def parse_timestamp(text: str) -> datetime:
    """Read `HH:MM:SS,MM-DD-YYYY` as a naive datetime (UTC unless the panel is set to local time)."""
    # Sliced rather than strptime'd: ten times faster, and every frame may carry one.
    if not _TIMESTAMP_TEXT.fullmatch(text):
        raise FrameError("bad_timestamp", text[:40])
    try:
        return datetime(int(text[15:19]), int(text[9:11]), int(text[12:14]), int(text[0:2]), int(text[3:5]),
                        int(text[6:8]))  # naive on purpose: the zone is a per-panel setting
    except ValueError as exc:
        raise FrameError("bad_timestamp", text) from exc


def format_timestamp(moment: datetime) -> str:
    """Write a timestamp as `_HH:MM:SS,MM-DD-YYYY`."""
    return "_" + moment.strftime(TIMESTAMP_FORMAT)


def timestamp_in_window(sent: datetime, now: datetime) -> bool:
    """Whether a panel's time is within −40 s … +20 s of the receiver's clock (naive values compare as UTC)."""
    sent_utc = sent if sent.tzinfo else sent.replace(tzinfo=UTC)
    now_utc = now if now.tzinfo else now.replace(tzinfo=UTC)
    return now_utc - WINDOW_PAST <= sent_utc <= now_utc + WINDOW_FUTURE


def _parse_body(body: str) -> tuple[str, tuple[ExtendedData, ...], datetime | None]:
    if not body.startswith("["):
        raise FrameError("bad_format", "data block missing")
    end = body.find("]")
    if end < 0 or "[" in body[1:end]:
        raise FrameError("bad_format", "data block not closed")
    data, rest = body[1:end], body[end + 1 :]
    extended: list[ExtendedData] = []
    while rest.startswith("["):
        end = rest.find("]")
        if end < 2 or "[" in rest[1:end]:
            raise FrameError("bad_format", "extended data block malformed")
        extended.append(ExtendedData(rest[1], rest[2:end]))
        rest = rest[end + 1 :]
    timestamp = None
    if rest:
        if not _TIMESTAMP.fullmatch(rest):
            raise FrameError("bad_timestamp" if rest.startswith("_") else "bad_format", rest[:40])
        timestamp = parse_timestamp(rest[1:])
    return data, tuple(extended), timestamp


def _decrypt_body(body: str, key: bytes) -> str:
    if not body.startswith("[") or not _CIPHER_HEX.fullmatch(body[1:]):
        raise FrameError("bad_format", "encrypted block is not upper-case hex")
    # The closing bracket belongs inside the ciphertext; tolerate transmitters that also write it outside.
    cipher_hex = body[1:].removesuffix("]")
    try:
        plain = crypto.decrypt(bytes.fromhex(cipher_hex), key).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise FrameError("decrypt_failed", str(exc)) from exc
    # The pad holds no `[`, `]` or `|`, so the first of them ends it: `|` starts the data, and `]` straight after
    # the pad is a frame without data (panels send their encrypted link tests so); the standard allows both.
    pad = _PAD.match(plain)
    end = pad.end() if pad else 0
    if end == len(plain) or plain[end] == "[":
        raise FrameError("decrypt_failed", "no pad separator in plaintext")
    return "[" + plain[end + 1 :] if plain[end] == "|" else "[" + plain[end:]


def open_envelope(envelope: Envelope, *, key: bytes | None = None) -> Frame:
    """Decrypt (if needed) and parse the body of an envelope into a Frame."""
    body = envelope.body
    if envelope.encrypted:
        if envelope.message_type in ("NAK", "DUH"):
            raise FrameError("bad_format", f"{envelope.message_type} is never encrypted")
        if key is None:
            raise FrameError("no_key", "encrypted frame and no key for this account")
        body = _decrypt_body(body, key)
    data, extended, timestamp = _parse_body(body)
    if timestamp is None and (envelope.encrypted or envelope.message_type == "NAK"):
        raise FrameError("bad_timestamp", "timestamp is mandatory here")
    return Frame(
        message_type=envelope.message_type,
        sequence=envelope.sequence,
        prefix=envelope.prefix,
        receiver=envelope.receiver,
        account=envelope.account,
        data=data,
        extended=extended,
        timestamp=timestamp,
        encrypted=envelope.encrypted,
        binary_crc=envelope.binary_crc,
    )


def parse_frame(raw: bytes, *, key: bytes | None = None) -> Frame:
    """Parse one whole frame (LF … CR); raises only FrameError."""
    return open_envelope(parse_envelope(raw), key=key)


@dataclass(frozen=True, slots=True)
class RawFrame:
    """A complete frame cut from the stream, length and CRC already checked.

    `envelope()` reads it without checking again; parse_frame(data) checks everything afresh.
    """

    data: bytes
    binary: bool = False

    def envelope(self) -> Envelope:
        return read_address(self.data[(7 if self.binary else 9) : -1], self.binary)


@dataclass(frozen=True, slots=True)
class Rejected:
    """Bytes the splitter dropped, and why (no response is owed for them)."""

    reason: Reason
    size: int


class FrameSplitter:
    """Cuts a TCP byte stream into frames: several per chunk or one over many; never raises, buffer bounded."""

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held while waiting for the rest of a frame (never more than one frame)."""
        return len(self._buf)

    def feed(self, chunk: bytes) -> list[RawFrame | Rejected]:
        """Add received bytes and return the frames and rejections they complete, in stream order."""
        self._buf += chunk
        out: list[RawFrame | Rejected] = []
        buf = self._buf
        while buf:
            start = buf.find(LF)
            if start != 0:
                # Bytes before a frame start are noise; keep nothing that cannot begin a frame.
                dropped = len(buf) if start < 0 else start
                out.append(Rejected("garbage", dropped))
                del buf[:dropped]
                continue
            try:
                sized = measure(buf)
            except FrameError as exc:
                out.append(self._resync(exc.reason))
                continue
            if sized is None or len(buf) < sized[0]:
                break
            total, binary = sized
            if buf[total - 1] != CR:
                # The length lied or this LF was noise: resynchronise on the next LF.
                out.append(self._resync("bad_length"))
                continue
            frame = bytes(buf[:total])
            del buf[:total]
            crc_len = 2 if binary else 4
            sent = int.from_bytes(frame[1:3], "big") if binary else int(frame[1:5], 16)
            ok = crc16_arc(frame[1 + crc_len + 4 : -1]) == sent
            out.append(RawFrame(frame, binary) if ok else Rejected("bad_crc", total))
        return out

    def _resync(self, reason: Reason) -> Rejected:
        nxt = self._buf.find(LF, 1)
        dropped = len(self._buf) if nxt < 0 else nxt
        del self._buf[:dropped]
        return Rejected(reason, dropped)

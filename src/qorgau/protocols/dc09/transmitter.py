"""A DC-09 transmitter: what an alarm panel does, for tests, the load generator and the simulator.

One `Transmitter` is one panel talking to one receiver over TCP or UDP. It numbers its frames 0001–9999 (then
0001 again), stamps them with its clock (UTC, or local time when configured), sends SIA-DCS, ADM-CID and NULL
frames with extended data, and waits for the receiver's answer. Without an answer in time it sends the very
same bytes again (a retransmission the receiver must recognise); a NAK carrying the receiver's time corrects
the panel's clock and the message goes again, same sequence and content, with a new timestamp. An answer only
counts when it names this panel and this sequence; encrypted ACKs are decrypted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Literal, cast

from qorgau.protocols.dc09 import crypto
from qorgau.protocols.dc09.contact_id import check_digit
from qorgau.protocols.dc09.parser import (
    ExtendedData,
    Frame,
    FrameError,
    FrameSplitter,
    RawFrame,
    open_envelope,
    parse_envelope,
)
from qorgau.protocols.dc09.render import render_frame

Transport = Literal["tcp", "udp"]
MAX_SEQUENCE = 9999

__all__ = [
    "MAX_SEQUENCE",
    "Message",
    "Outcome",
    "PanelConfig",
    "Result",
    "Transmitter",
    "alarm_text",
    "contact_id",
    "dc05_digits",
    "link_test",
    "location",
    "next_sequence",
    "read_response",
    "sia",
    "site_name",
    "verification_url",
]


@dataclass(frozen=True, slots=True)
class PanelConfig:
    """How one panel is set up: its address at the receiver, its key, transport, clock and patience."""

    account: str
    prefix: str = "0"  # the line prefix (`L`)
    receiver: str | None = None  # `R`, left out when None
    key: bytes | None = None  # AES-128/192/256; every frame is encrypted when set
    transport: Transport = "tcp"
    local_time: tzinfo | None = None  # stamp frames in this zone instead of UTC
    timestamps: bool = True  # unencrypted frames may go without one
    ack_timeout_s: float = 5.0
    retries: int = 2  # further attempts after the first, same sequence and content

    def __post_init__(self) -> None:
        if self.key is not None:
            crypto.check_key(self.key)
        if self.retries < 0 or self.ack_timeout_s <= 0:
            raise ValueError("retries must be ≥ 0 and the ACK timeout positive")


@dataclass(frozen=True, slots=True)
class Message:
    """What a panel reports: an id token (SIA-DCS, ADM-CID, NULL), its data and extended data blocks."""

    message_type: str
    data: str = ""
    extended: tuple[ExtendedData, ...] = ()

    def extend(self, *blocks: ExtendedData | tuple[ExtendedData, ...]) -> Message:
        """The same message with more extended data blocks (e.g. `location(...)`, `alarm_text(...)`)."""
        flat: list[ExtendedData] = []
        for block in blocks:
            flat.extend(block if isinstance(block, tuple) else (block,))
        return replace(self, extended=self.extended + tuple(flat))


def sia(account: str, code: str, number: str | int | None = None, *, area: str | int | None = None,
        user: str | int | None = None) -> Message:
    """A SIA-DCS (DC-03) event, e.g. `sia("1234", "PA", 15, area=1)` → `#1234|Nri1/PA015`."""
    if len(code) != 2 or not code.isalpha() or not code.isupper():
        raise ValueError(f"SIA code {code!r} is not two upper-case letters")
    modifiers = ""
    if area is not None:
        modifiers += f"ri{area}/"
    if user is not None:
        modifiers += f"id{user}/"
    tail = "" if number is None else (f"{number:03d}" if isinstance(number, int) else number)
    return Message("SIA-DCS", f"#{account}|N{modifiers}{code}{tail}")


def contact_id(account: str, code: str | int, zone: int = 0, *, qualifier: int = 1, group: int = 1) -> Message:
    """An ADM-CID (Contact ID) event, e.g. `contact_id("1234", 120, 15)` → `#1234|1120 01 015`."""
    if qualifier not in (1, 3, 6) or not 0 <= group <= 99 or not 0 <= zone <= 999:
        raise ValueError("qualifier 1/3/6, group 0–99 and zone (or user) 0–999")
    event = f"{code:03d}" if isinstance(code, int) else code
    if len(event) != 3:
        raise ValueError(f"Contact ID code {event!r} is not three digits")
    return Message("ADM-CID", f"#{account}|{qualifier}{event} {group:02d} {zone:03d}")


def dc05_digits(account: str, code: int, zone: int = 0, *, qualifier: int = 1, group: int = 1) -> str:
    """The 16-digit DC-05 form `AAAA18QEEEGGZZZS` with its check digit (account of 4 hex digits)."""
    body = f"{account:>04}18{qualifier}{code:03d}{group:02d}{zone:03d}"
    return body + check_digit(body)


def link_test() -> Message:
    """A NULL frame: the supervision link test."""
    return Message("NULL")


def location(lon: float, lat: float) -> tuple[ExtendedData, ExtendedData]:
    """`[X…][Y…]` blocks: longitude and latitude in decimal degrees with their hemisphere letter."""
    return (ExtendedData("X", f"{'W' if lon < 0 else 'E'}{abs(lon):.6f}"),
            ExtendedData("Y", f"{'S' if lat < 0 else 'N'}{abs(lat):.6f}"))


def alarm_text(text: str) -> ExtendedData:
    """`[I…]`: alarm text."""
    return ExtendedData("I", _block_value(text))


def verification_url(url: str) -> ExtendedData:
    """`[V…]`: where the operator can verify the alarm (e.g. a camera clip)."""
    return ExtendedData("V", _block_value(url))


def site_name(name: str) -> ExtendedData:
    """`[S…]`: the site name."""
    return ExtendedData("S", _block_value(name))


def _block_value(value: str) -> str:
    if any(c in value for c in "[]\r\n"):
        raise ValueError("an extended data value cannot hold brackets or line ends")
    return value


def next_sequence(sequence: int) -> int:
    """The sequence after this one: 0001 … 9999, then 0001 again (0000 belongs to the NAK)."""
    return 1 if sequence >= MAX_SEQUENCE else sequence + 1


class Outcome(StrEnum):
    """How a message ended."""

    ACKNOWLEDGED = "acknowledged"
    NAK = "nak"
    DUH = "duh"
    TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class Result:
    """The end of one message: outcome, attempts made, time from first send to the answer, what came back."""

    outcome: Outcome
    sequence: int
    attempts: int
    latency_s: float
    response: Frame | None = None
    sent: bytes = b""  # the last bytes written

    @property
    def acknowledged(self) -> bool:
        return self.outcome is Outcome.ACKNOWLEDGED


def read_response(raw: bytes, *, key: bytes | None = None) -> Frame:
    """Parse a receiver's answer; an encrypted ACK is decrypted with the panel's key.

    Receivers differ in the plaintext of an encrypted ACK: the standard pads before `|`, while some (pysiaalarm)
    left-fill with `0` and write no `|`; the parser reads both (a pad straight followed by `]` is empty data).
    """
    envelope = parse_envelope(raw)
    return open_envelope(envelope, key=key if envelope.encrypted else None)


class _Link(asyncio.Protocol, asyncio.DatagramProtocol):
    """Cuts the receiver's bytes into frames and hands them to the waiting transmitter."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[bytes] = asyncio.Queue()
        self.splitter = FrameSplitter()
        self.transport: asyncio.BaseTransport | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.closed = False

    def data_received(self, data: bytes) -> None:
        for item in self.splitter.feed(data):
            if isinstance(item, RawFrame):
                self.inbox.put_nowait(item.data)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True

    def error_received(self, exc: Exception) -> None:
        # A UDP send to a closed port comes back as an ICMP error: the answer is simply missing.
        pass


class Transmitter:
    """One panel's DC-09 transmitter over TCP or UDP; use `async with` or connect()/close()."""

    def __init__(self, host: str, port: int, panel: PanelConfig, *, first_sequence: int = 1,
                 clock: Callable[[], datetime] | None = None) -> None:
        if not 1 <= first_sequence <= MAX_SEQUENCE:
            raise ValueError("sequence numbers run 0001–9999")
        self.host, self.port, self.panel = host, port, panel
        self.clock_offset = timedelta(0)  # corrected from the receiver's NAK
        self.ignored = 0  # answers that named another panel or sequence
        self._sequence = first_sequence
        self._clock = clock or (lambda: datetime.now(UTC))
        self._link: _Link | None = None

    async def __aenter__(self) -> Transmitter:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def sequence(self) -> int:
        """The sequence the next new message will carry."""
        return self._sequence

    async def connect(self) -> _Link:
        """Open the TCP connection (or the UDP socket); sending reconnects by itself when needed."""
        loop = asyncio.get_running_loop()
        link = _Link()
        if self.panel.transport == "tcp":
            await loop.create_connection(lambda: link, self.host, self.port)
        else:
            await loop.create_datagram_endpoint(lambda: link, remote_addr=(self.host, self.port))
        self._link = link
        return link

    async def close(self) -> None:
        link, self._link = self._link, None
        if link is not None and link.transport is not None:
            link.transport.close()
            await asyncio.sleep(0)  # let the transport finish closing on this turn of the loop

    def now(self) -> datetime:
        """The panel's clock: UTC (or its local zone) plus the offset learnt from the receiver's NAKs."""
        moment = self._clock() + self.clock_offset
        if self.panel.local_time is not None:
            moment = moment.astimezone(self.panel.local_time)
        return moment.replace(tzinfo=None)

    def render(self, message: Message, sequence: int) -> bytes:
        """The frame of a message under this panel's address, key and clock."""
        encrypted = self.panel.key is not None
        frame = Frame(message_type=message.message_type, sequence=sequence, prefix=self.panel.prefix,
                      receiver=self.panel.receiver, account=self.panel.account, data=message.data,
                      extended=message.extended, timestamp=self.now() if encrypted or self.panel.timestamps else None,
                      encrypted=encrypted)
        return render_frame(frame, key=self.panel.key)

    async def send(self, message: Message, *, sequence: int | None = None) -> Result:
        """Send a message and wait for its answer, retrying as a panel does; the next new sequence advances.

        Passing the sequence of an earlier message with the same content sends it again on purpose: a
        retransmission.
        """
        if sequence is None:
            sequence = self._sequence
            self._sequence = next_sequence(sequence)
        return await self._exchange(message, sequence)

    async def link_test(self) -> Result:
        """Send a NULL frame (supervision)."""
        return await self.send(link_test())

    async def send_raw(self, data: bytes, *, chunks: int = 1) -> None:
        """Write bytes as they are, in `chunks` pieces on TCP (to test receivers on split frames)."""
        transport = (await self._ready()).transport
        if transport is None:
            raise ConnectionError("no connection to the receiver")
        if self.panel.transport == "udp":
            # Not every loop's UDP transport subclasses DatagramTransport (CPython 3.11's does not).
            cast(asyncio.DatagramTransport, transport).sendto(data)
            return
        transport = cast(asyncio.WriteTransport, transport)
        step = max(1, -(-len(data) // chunks))
        for start in range(0, len(data), step):
            transport.write(data[start : start + step])
            if chunks > 1:
                await asyncio.sleep(0.01)

    async def receive(self, timeout_s: float | None = None) -> Frame:
        """The next answer from the receiver, whatever it is (for tests that send raw bytes)."""
        link = await self._ready()
        async with asyncio.timeout(timeout_s or self.panel.ack_timeout_s):
            raw = await link.inbox.get()
        return read_response(raw, key=self.panel.key)

    async def _ready(self) -> _Link:
        if self._link is None or self._link.closed:
            return await self.connect()
        return self._link

    async def _exchange(self, message: Message, sequence: int) -> Result:
        data = self.render(message, sequence)
        started = time.perf_counter()
        for attempt in range(1, self.panel.retries + 2):
            try:
                await self.send_raw(data)
            except OSError:
                await asyncio.sleep(min(self.panel.ack_timeout_s, 0.2))  # no connection: try again later
                continue
            answer = await self._answer(sequence)
            elapsed = time.perf_counter() - started
            if answer is None:
                continue  # the same bytes again
            if answer.message_type == "ACK":
                return Result(Outcome.ACKNOWLEDGED, sequence, attempt, elapsed, answer, data)
            if answer.message_type == "DUH":
                return Result(Outcome.DUH, sequence, attempt, elapsed, answer, data)
            # NAK: take the receiver's time if it gave one, and send the message again freshly stamped.
            if answer.timestamp is not None:
                self.clock_offset += answer.timestamp - self.now()
            if attempt > self.panel.retries:
                return Result(Outcome.NAK, sequence, attempt, elapsed, answer, data)
            data = self.render(message, sequence)
        elapsed = time.perf_counter() - started
        return Result(Outcome.TIMEOUT, sequence, self.panel.retries + 1, elapsed, None, data)

    async def _answer(self, sequence: int) -> Frame | None:
        """The receiver's answer to this sequence, or None when none came in time; others are ignored."""
        link = self._link
        if link is None:
            return None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.panel.ack_timeout_s
        while (left := deadline - loop.time()) > 0:
            try:
                async with asyncio.timeout(left):
                    raw = await link.inbox.get()
            except TimeoutError:
                return None
            with contextlib.suppress(FrameError):
                answer = read_response(raw, key=self.panel.key)
                if self._matches(answer, sequence):
                    return answer
            self.ignored += 1
        return None

    def _matches(self, answer: Frame, sequence: int) -> bool:
        if answer.message_type == "NAK":
            return True  # a NAK carries sequence 0000 and no account
        if answer.message_type not in ("ACK", "DUH") or answer.sequence != sequence:
            return False
        if answer.account is not None and answer.account.upper() != self.panel.account.upper():
            return False
        if answer.message_type == "ACK" and answer.encrypted != (self.panel.key is not None):
            return False  # an encrypted panel needs the proof of an encrypted ACK
        return answer.prefix.upper() == self.panel.prefix.upper()

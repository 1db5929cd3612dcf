"""A simulated caller's audio: a phrase encoded as G.711 and sent as RTP every 20 ms, and what comes back counted.

The terminal announces a real port in its offer, reads the answer's address, port and codec, and streams the
phrase (again and again, with a pause) until the call ends — as a person talking into the SOS terminal would.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import struct
from dataclasses import dataclass, field
from functools import cache

from qorgau.simulator.voice_phrases import SAMPLE_RATE, samples

FRAME = 160  # samples in 20 ms at 8 kHz
PTIME_S = FRAME / SAMPLE_RATE
PAUSE_S = 1.5  # between two sayings of the phrase: the caller waits for an answer
CODECS = {0: "PCMU", 8: "PCMA"}
SILENCE = {0: 0xFF, 8: 0xD5}  # G.711's code for zero


def _ulaw(sample: int) -> int:
    # G.711 µ-law of a 16-bit sample: 14-bit magnitude with bias 33, segment from the bit length (ITU-T G.191).
    value = sample >> 2
    mask = 0x7F if value < 0 else 0xFF
    magnitude = min(-value if value < 0 else value, 8159) + 0x21
    segment = magnitude.bit_length() - 6
    if segment > 7:
        return 0x7F ^ mask  # clipped: the loudest code
    return ((segment << 4) | ((magnitude >> (segment + 1)) & 0x0F)) ^ mask


def _alaw(sample: int) -> int:
    sign = 0x80 if sample >= 0 else 0
    magnitude = min(-sample - 1 if sample < 0 else sample, 32767) >> 3
    if magnitude < 32:
        return (sign | (magnitude >> 1)) ^ 0x55
    exponent = magnitude.bit_length() - 5
    return (sign | (exponent << 4) | ((magnitude >> exponent) & 0x0F)) ^ 0x55


def encode(pcm: bytes, pt: int) -> bytes:
    """16-bit little-endian samples to G.711 (payload type 0: µ-law, 8: A-law)."""
    law = _ulaw if pt == 0 else _alaw
    count = len(pcm) // 2
    return bytes(law(s) for s in struct.unpack(f"<{count}h", pcm[: 2 * count]))


@cache
def encoded_phrase(name: str, pt: int) -> bytes:
    """A phrase in G.711 followed by the pause, whole frames (encoded once per codec)."""
    audio = encode(samples(name), pt) + bytes([SILENCE[pt]]) * int(PAUSE_S * SAMPLE_RATE)
    return audio + bytes([SILENCE[pt]]) * (-len(audio) % FRAME)


@dataclass(frozen=True, slots=True)
class MediaTarget:
    """Where the answer says to send audio, and in which codec."""

    host: str
    port: int
    pt: int


def parse_answer(sdp: str | None) -> MediaTarget | None:
    """The audio address, port and first G.711 payload type of an SDP answer; None for no usable audio."""
    if not sdp:
        return None
    host: str | None = None
    media_host: str | None = None
    port, pts = 0, []
    in_audio = False
    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            in_audio = line.startswith("m=audio ")
            if in_audio:
                parts = line.split()
                if len(parts) < 4 or not parts[1].isdigit():
                    return None
                port = int(parts[1])
                pts = [int(p) for p in parts[3:] if p.isdigit()]
        elif line.startswith("c=IN "):
            address = line.split()[-1].split("/")[0]
            if in_audio:
                media_host = address
            else:
                host = address
    pt = next((p for p in pts if p in CODECS), None)
    where = media_host or host
    if port == 0 or pt is None or where is None:
        return None
    return MediaTarget(where, port, pt)


@dataclass
class RtpStats:
    """What the caller's side saw of the media."""

    sent: int = 0
    received: int = 0
    payload: bytearray = field(default_factory=bytearray)  # what came back, G.711 as it came (kept when asked)


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, stats: RtpStats, keep: bool) -> None:
        self.stats = stats
        self.keep = keep

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if len(data) < 12 or data[0] >> 6 != 2:
            return  # not RTP version 2
        self.stats.received += 1
        if self.keep:
            count = data[0] & 0x0F
            self.stats.payload += data[12 + 4 * count:]

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP port unreachable before the far end opened its port: the next packets may pass


class RtpCaller:
    """The terminal's media end: a bound UDP port to announce, then a phrase streamed to the answer's address."""

    def __init__(self, phrase: str, *, local_host: str = "127.0.0.1", keep_received: bool = False) -> None:
        self.phrase = phrase
        self.local_host = local_host
        self.keep_received = keep_received
        self.stats = RtpStats()
        self.port = 0
        self._transport: asyncio.DatagramTransport | None = None
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> int:
        """Bind an even port (RTP's convention) on the local host; the port."""
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in self.local_host else socket.AF_INET
        for _ in range(20):
            sock = socket.socket(family, socket.SOCK_DGRAM)
            try:
                sock.bind((self.local_host, 20000 + 2 * secrets.randbelow(10000)))
            except OSError:
                sock.close()
                continue
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Receiver(self.stats, self.keep_received), sock=sock)
            self._transport = transport
            self.port = int(sock.getsockname()[1])
            return self.port
        raise OSError("no free even RTP port")

    def start(self, target: MediaTarget) -> None:
        """Talk: send the phrase to the far end until stopped."""
        if self._transport is not None and self._task is None:
            self._task = asyncio.create_task(self._stream(target))

    async def _stream(self, target: MediaTarget) -> None:
        transport = self._transport
        if transport is None:
            return
        audio = encoded_phrase(self.phrase, target.pt)
        ssrc, seq, stamp = secrets.randbits(32), secrets.randbits(16), secrets.randbits(32)
        loop = asyncio.get_running_loop()
        start = loop.time()
        offset, packet = 0, 0
        while True:
            header = struct.pack("!BBHII", 0x80, (0x80 if packet == 0 else 0) | target.pt, seq, stamp, ssrc)
            transport.sendto(header + audio[offset:offset + FRAME], (target.host, target.port))
            self.stats.sent += 1
            packet += 1
            seq, stamp = (seq + 1) & 0xFFFF, (stamp + FRAME) & 0xFFFFFFFF
            offset = (offset + FRAME) % len(audio)
            # Paced from the start (not from the last send), so the stream keeps 50 packets a second without drift.
            await asyncio.sleep(max(0.0, start + packet * PTIME_S - loop.time()))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._transport is not None:
            self._transport.close()

"""RTP packets (RFC 3550), telephone-events (RFC 4733) and the pool of even RTP ports the bridge binds."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

_HEADER = struct.Struct("!BBHII")
DTMF_KEYS = "0123456789*#ABCD"


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet's fields the bridge uses."""

    pt: int
    seq: int
    timestamp: int
    ssrc: int
    marker: bool
    payload: bytes


def parse(data: bytes) -> RtpPacket | None:
    """An RTP version 2 packet, or None (RTCP, STUN or noise)."""
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    first, second, seq, timestamp, ssrc = _HEADER.unpack_from(data)
    if 72 <= second & 0x7F <= 76:  # RTCP SR/RR/SDES/BYE/APP (200–204: the marker bit and 72–76, RFC 5761)
        return None
    offset = 12 + 4 * (first & 0x0F)
    if first & 0x10:  # header extension: 4-byte header, then its length in words
        if len(data) < offset + 4:
            return None
        offset += 4 + 4 * struct.unpack_from("!H", data, offset + 2)[0]
    end = len(data)
    if first & 0x20:  # padding: the last byte says how much
        end -= data[-1]
    if offset > end:
        return None
    return RtpPacket(second & 0x7F, seq, timestamp, ssrc, bool(second & 0x80), data[offset:end])


def build(pt: int, seq: int, timestamp: int, ssrc: int, payload: bytes, *, marker: bool = False) -> bytes:
    return _HEADER.pack(0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, timestamp & 0xFFFFFFFF, ssrc) + payload


@dataclass(frozen=True, slots=True)
class DtmfEvent:
    """A telephone-event payload: the key, whether it ended, its duration in timestamp units."""

    key: str
    end: bool
    duration: int


def dtmf(payload: bytes) -> DtmfEvent | None:
    """The key of an RFC 4733 telephone-event payload (events 0–15), or None."""
    if len(payload) < 4 or payload[0] > 15:
        return None
    return DtmfEvent(DTMF_KEYS[payload[0]], bool(payload[1] & 0x80), struct.unpack_from("!H", payload, 2)[0])


class PortPool:
    """Even RTP ports, each bound with its odd neighbour (RTCP, and where misdirected RTP is noticed)."""

    def __init__(self, first: int, last: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self._free = list(range(first + first % 2, last, 2))
        self._free.reverse()
        self._used: set[int] = set()

    def take(self) -> tuple[int, socket.socket, socket.socket] | None:
        """A free even port with both sockets bound, or None when every port is in use."""
        while self._free:
            port = self._free.pop()
            try:
                rtp = _bind(self.host, port)
            except OSError:
                continue  # taken by something outside the bridge: skip it for good
            try:
                rtcp = _bind(self.host, port + 1)
            except OSError:
                rtp.close()
                continue
            self._used.add(port)
            return port, rtp, rtcp
        return None

    def give(self, port: int) -> None:
        if port in self._used:
            self._used.remove(port)
            self._free.append(port)

    @property
    def in_use(self) -> int:
        return len(self._used)


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind((host, port))
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock

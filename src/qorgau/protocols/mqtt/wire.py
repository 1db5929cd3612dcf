"""The MQTT 5 packets a QoS 1 subscriber needs, encoded and decoded without a client library's per-packet cost.

paho-mqtt reads each packet with three or more `recv` calls and builds a `Properties` object per PUBLISH; at
5,000 messages/s that alone took most of a core. Here a whole socket read is split into packets in one pass and
the PUBACKs of a committed group leave in one write. Only what Qorgau's subscriber uses is covered: CONNECT,
CONNACK, SUBSCRIBE, SUBACK, PUBLISH (QoS 0 and 1), PUBACK, PINGREQ, PINGRESP and DISCONNECT (MQTT 5.0, OASIS).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 1, 2, 3, 4, 8, 9, 12, 13, 14
PINGREQ_PACKET = b"\xc0\x00"
DISCONNECT_PACKET = b"\xe0\x00"  # reason 0, normal disconnection: the session (and its queue) is kept
SESSION_EXPIRY_INTERVAL, RECEIVE_MAXIMUM = 0x11, 0x21
RETAIN_DO_NOT_SEND = 2
MAX_REMAINING_LENGTH = 268_435_455  # four bytes of variable byte integer


class ProtocolError(ValueError):
    """The broker sent something that is not MQTT 5 as this subscriber speaks it: the connection is dropped."""


def varint(value: int) -> bytes:
    """A variable byte integer (MQTT 5 §1.5.5)."""
    if not 0 <= value <= MAX_REMAINING_LENGTH:
        raise ValueError(f"{value} does not fit a variable byte integer")
    out = bytearray()
    while True:
        value, digit = divmod(value, 128)
        out.append(digit | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _text(value: str | bytes) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    if len(data) > 0xFFFF:
        raise ValueError("string longer than 65,535 bytes")
    return struct.pack("!H", len(data)) + data


def _packet(first_byte: int, body: bytes) -> bytes:
    return bytes((first_byte,)) + varint(len(body)) + body


def connect_packet(*, client_id: str, keepalive_s: int, clean_start: bool, session_expiry_s: int,
                   receive_maximum: int, username: str | None = None, password: str | None = None) -> bytes:
    """CONNECT with a session that outlives the connection and the in-flight window the broker must respect."""
    flags = (0x80 if username is not None else 0) | (0x40 if password is not None else 0) | (0x02 if clean_start
                                                                                              else 0)
    properties = struct.pack("!BIBH", SESSION_EXPIRY_INTERVAL, session_expiry_s, RECEIVE_MAXIMUM, receive_maximum)
    body = _text("MQTT") + struct.pack("!BBH", 5, flags, keepalive_s) + varint(len(properties)) + properties
    body += _text(client_id)
    if username is not None:
        body += _text(username)
    if password is not None:
        body += _text(password)
    return _packet(CONNECT << 4, body)


def subscribe_packet(packet_id: int, topic_filter: str, *, qos: int = 1,
                     retain_handling: int = RETAIN_DO_NOT_SEND) -> bytes:
    """SUBSCRIBE to one filter (retained messages not sent by default: they would replay old events)."""
    body = struct.pack("!H", packet_id) + varint(0) + _text(topic_filter) + bytes((qos | retain_handling << 4,))
    return _packet(SUBSCRIBE << 4 | 0x02, body)


def puback_packet(packet_id: int) -> bytes:
    """PUBACK with success (MQTT 5 lets the reason code be left out when it is 0)."""
    return struct.pack("!BBH", PUBACK << 4, 2, packet_id)


@dataclass(frozen=True, slots=True)
class Publish:
    """One PUBLISH as received; `packet_id` is 0 for QoS 0."""

    topic: str
    payload: bytes
    qos: int
    packet_id: int
    dup: bool
    retain: bool


@dataclass(frozen=True, slots=True)
class Packet:
    """Any other packet: its type, the flags of its first byte and its body."""

    kind: int
    flags: int
    body: bytes


def _read_varint(data: bytes | bytearray, at: int) -> tuple[int, int] | None:
    """(value, offset after it), None when `data` ends inside it; ProtocolError past four bytes."""
    value = shift = 0
    for index in range(at, min(at + 4, len(data))):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, index + 1
        shift += 7
    if len(data) - at >= 4:
        raise ProtocolError("malformed variable byte integer")
    return None


def _publish(flags: int, body: bytes) -> Publish:
    qos = (flags >> 1) & 0x03
    if qos > 1:
        raise ProtocolError("QoS 2 PUBLISH to a QoS 1 subscription")
    if len(body) < 2:
        raise ProtocolError("PUBLISH too short")
    (topic_length,) = struct.unpack_from("!H", body)
    at = 2 + topic_length
    topic = body[2:at].decode("utf-8", errors="replace")
    packet_id = 0
    if qos:
        if len(body) < at + 2:
            raise ProtocolError("PUBLISH without its packet id")
        (packet_id,) = struct.unpack_from("!H", body, at)
        at += 2
    properties = _read_varint(body, at)
    if properties is None:
        raise ProtocolError("PUBLISH properties cut short")
    length, at = properties
    return Publish(topic, body[at + length:], qos, packet_id, bool(flags & 0x08), bool(flags & 0x01))


class Reader:
    """Splits the bytes read from the broker into packets, however the reads cut them."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Publish | Packet]:
        """The packets completed by `data` (PUBLISH decoded), in order; the rest is kept for the next read."""
        buffer = self._buffer
        buffer += data
        packets: list[Publish | Packet] = []
        at = 0
        end = len(buffer)
        while end - at >= 2:
            header = _read_varint(buffer, at + 1)
            if header is None:
                break
            length, start = header
            if start + length > end:
                break
            first = buffer[at]
            body = bytes(buffer[start:start + length])
            kind, flags = first >> 4, first & 0x0F
            packets.append(_publish(flags, body) if kind == PUBLISH else Packet(kind, flags, body))
            at = start + length
        del buffer[:at]
        return packets


def connack(body: bytes) -> tuple[bool, int]:
    """(session present, reason code) of a CONNACK."""
    if len(body) < 2:
        raise ProtocolError("CONNACK too short")
    return bool(body[0] & 0x01), body[1]


def suback(body: bytes) -> tuple[int, list[int]]:
    """(packet id, reason codes; 0x80 and above refuse) of a SUBACK."""
    if len(body) < 3:
        raise ProtocolError("SUBACK too short")
    (packet_id,) = struct.unpack_from("!H", body)
    properties = _read_varint(body, 2)
    if properties is None:
        raise ProtocolError("SUBACK properties cut short")
    length, at = properties
    return packet_id, list(body[at + length:])


def disconnect_reason(body: bytes) -> int:
    """The reason code of a broker's DISCONNECT (0 when left out)."""
    return body[0] if body else 0

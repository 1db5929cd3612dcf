"""The subscriber's MQTT 5 codec: packets split correctly however the reads cut them, and the packets it sends."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qorgau.protocols.mqtt import wire


def publish_bytes(topic: str, payload: bytes, *, qos: int = 1, packet_id: int = 1, dup: bool = False,
                  retain: bool = False, properties: bytes = b"") -> bytes:
    """A PUBLISH as a broker sends it (written here independently of the module's encoders)."""
    body = struct.pack("!H", len(topic.encode())) + topic.encode()
    if qos:
        body += struct.pack("!H", packet_id)
    body += wire.varint(len(properties)) + properties + payload
    first = 0x30 | (0x08 if dup else 0) | qos << 1 | (0x01 if retain else 0)
    return bytes((first,)) + wire.varint(len(body)) + body


@pytest.mark.parametrize(("value", "encoded"), [(0, b"\x00"), (127, b"\x7f"), (128, b"\x80\x01"),
                                            (16_383, b"\xff\x7f"), (268_435_455, b"\xff\xff\xff\x7f")])
def test_varint_matches_the_standard_examples(value: int, encoded: bytes) -> None:
    assert wire.varint(value) == encoded


def test_publish_fields_are_decoded() -> None:
    # A message expiry property (0x02) the subscriber must skip to find the payload.
    data = publish_bytes("qorgau/v1/acc-01/access", b'{"a":1}', packet_id=513, dup=True,
                         properties=b"\x02\x00\x00\x00\x3c")
    (packet,) = wire.Reader().feed(data)
    assert packet == wire.Publish("qorgau/v1/acc-01/access", b'{"a":1}', 1, 513, True, False)


def test_qos0_publish_has_no_packet_id() -> None:
    (packet,) = wire.Reader().feed(publish_bytes("t/x", b"hi", qos=0, retain=True))
    assert packet == wire.Publish("t/x", b"hi", 0, 0, False, True)


def test_qos2_publish_is_a_protocol_error() -> None:
    with pytest.raises(wire.ProtocolError):
        wire.Reader().feed(publish_bytes("t/x", b"hi", qos=2))


@given(st.lists(st.tuples(st.text(min_size=1, max_size=40), st.binary(max_size=300), st.integers(1, 65535)),
                min_size=1, max_size=20),
       st.lists(st.integers(1, 400), max_size=30))
def test_any_cut_of_the_stream_gives_the_same_packets(messages: list[tuple[str, bytes, int]],
                                                      cuts: list[int]) -> None:
    stream = b"".join(publish_bytes(t, p, packet_id=i) for t, p, i in messages) + b"\xd0\x00"  # + PINGRESP
    reader, packets, at = wire.Reader(), [], 0
    for size in cuts:
        packets += reader.feed(stream[at:at + size])
        at += size
    packets += reader.feed(stream[at:])
    assert packets[:-1] == [wire.Publish(t, p, 1, i, False, False) for t, p, i in messages]
    assert packets[-1] == wire.Packet(wire.PINGRESP, 0, b"")


def test_connect_packet_asks_for_a_kept_session_and_a_bounded_window() -> None:
    data = wire.connect_packet(client_id="qorgau-ingest", keepalive_s=30, clean_start=False,
                               session_expiry_s=604800, receive_maximum=500, username="qorgau", password="pw")
    assert data[0] == 0x10
    body = data[2:]
    assert body[:7] == b"\x00\x04MQTT\x05"
    assert body[7] == 0xC0  # user name and password, no clean start
    assert struct.unpack_from("!H", body, 8)[0] == 30
    assert body[10:19] == b"\x08\x11" + struct.pack("!I", 604800) + b"\x21" + struct.pack("!H", 500)
    assert body.endswith(b"\x00\x06qorgau\x00\x02pw")


def test_subscribe_suback_and_puback() -> None:
    assert wire.subscribe_packet(7, "qorgau/v1/+/+") == (b"\x82\x13\x00\x07\x00\x00\x0dqorgau/v1/+/+\x21")
    assert wire.puback_packet(258) == b"\x40\x02\x01\x02"
    assert wire.suback(b"\x00\x07\x00\x01") == (7, [1])
    assert wire.suback(b"\x00\x07\x00\x87") == (7, [0x87])
    assert wire.connack(b"\x01\x00\x00") == (True, 0)

"""Open-loop MQTT publisher: QoS 1 messages leave on a fixed schedule at the offered rate, acknowledged or not.

Message j (of rate × seconds) is due at start + j / rate; everything due is written at once, so a slow broker or
subscriber shows as latency from the SCHEDULED time, never as a lower offered rate. It speaks MQTT 3.1.1 over a
raw socket with packets built up front, so the load generator costs little of the machine it shares with what it
measures (paho's publish loop took about half a core at 5,000/s). Every good message is an access event whose
`event_id` is `p<j>` and whose `reason` is `t<scheduled ns>`; every 100th (with --malformed-every 100) is
malformed, one of MALFORMED in turn. The broker's PUBACKs are read and counted, not waited for.

Prints one JSON line at the end: {"sent": n, "good": [j, ...], "malformed": {kind: n}, "late_ms_max": x}.

Usage: python bench/mqtt_publisher.py PORT USER PASSWORD PREFIX DEVICE RATE COUNT START_EPOCH [--malformed-every N]
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import threading
import time
from collections import Counter

MALFORMED = ("bad_json", "schema", "bad_topic", "oversize")
OVERSIZE_BYTES = 17_000  # above the adapter's 16 KiB limit


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        value, digit = divmod(value, 128)
        out.append(digit | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _text(value: str) -> bytes:
    data = value.encode()
    return struct.pack("!H", len(data)) + data


def connect_packet(client_id: str, user: str, password: str) -> bytes:
    body = _text("MQTT") + bytes((4, 0xC2)) + struct.pack("!H", 60) + _text(client_id) + _text(user) + _text(password)
    return b"\x10" + _varint(len(body)) + body


def publish_packet(topic: str, payload: bytes, packet_id: int) -> bytes:
    body = _text(topic) + struct.pack("!H", packet_id) + payload
    return b"\x32" + _varint(len(body)) + body


def message(j: int, scheduled_ns: int, kind: str | None, prefix: str, device: str) -> tuple[str, bytes]:
    topic = f"{prefix}/{device}/access"
    body = {"action": "denied", "reason": f"t{scheduled_ns}", "card": "0004221337", "event_id": f"p{j}"}
    if kind == "bad_json":
        return topic, b'{"action": "denied", "reason": '
    if kind == "schema":
        return topic, json.dumps(body | {"action": "exploded"}).encode()
    if kind == "bad_topic":
        return f"{prefix}/{device}/teleport", json.dumps(body).encode()
    if kind == "oversize":
        return topic, json.dumps(body | {"reason": "x" * OVERSIZE_BYTES}).encode()
    return topic, json.dumps(body).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("port", "user", "password", "prefix", "device"):
        parser.add_argument(name)
    parser.add_argument("rate", type=float)
    parser.add_argument("count", type=int)
    parser.add_argument("start", type=float, help="epoch seconds of message 0's scheduled time")
    parser.add_argument("--malformed-every", type=int, default=0)
    args = parser.parse_args()

    sock = socket.create_connection(("127.0.0.1", int(args.port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(connect_packet(f"bench-pub-{time.time_ns()}", args.user, args.password))
    if sock.recv(4)[:1] != b"\x20":
        raise SystemExit("no CONNACK")
    acks = Counter[str]()

    def read_acks() -> None:
        while data := sock.recv(65536):
            acks["bytes"] += len(data)

    threading.Thread(target=read_acks, daemon=True).start()

    malformed = Counter[str]()
    good: list[int] = []
    late_max = 0.0
    j = 0
    while j < args.count:
        now = time.time()
        due = min(args.count, int((now - args.start) * args.rate) + 1)
        if due <= j:
            time.sleep(max(0.0, args.start + j / args.rate - now))
            continue
        late_max = max(late_max, now - (args.start + j / args.rate))
        out = bytearray()
        for n in range(j, due):
            kind = None
            if args.malformed_every and n % args.malformed_every == args.malformed_every - 1:
                kind = MALFORMED[(n // args.malformed_every) % len(MALFORMED)]
                malformed[kind] += 1
            else:
                good.append(n)
            scheduled_ns = int((args.start + n / args.rate) * 1e9)
            topic, payload = message(n, scheduled_ns, kind, args.prefix, args.device)
            out += publish_packet(topic, payload, n % 65535 + 1)
        sock.sendall(out)
        j = due
    time.sleep(1.0)  # let the broker's last PUBACKs arrive before DISCONNECT
    sock.sendall(b"\xe0\x00")
    sock.close()
    print(json.dumps({"sent": args.count, "good": good, "malformed": dict(malformed),
                      "late_ms_max": round(late_max * 1000, 2)}))


if __name__ == "__main__":
    main()

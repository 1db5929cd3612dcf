"""DC-09 load generator: N panels on N TCP connections, each sending its next frame as soon as the last is ACKed.

Works against any DC-09 receiver: frames carry receiver and line prefix, accounts start-account … start-account+N−1,
SIA-DCS and ADM-CID alternate with codes and zones that change every frame (never a retransmission), and an
encrypted share of the panels uses AES with the given key. An answer counts when it is an ACK (or *ACK) for the
frame's sequence; a NAK, DUH or silence past the timeout is counted, and silence resends the same bytes.

Per-frame work is kept small so the receiver keeps a core of its own: one loop (uvloop), one protocol object
per panel, frame text built from pre-computed parts, the timestamp written once a second, one watchdog for all
timeouts instead of a timer per frame.

    python -m qorgau.protocols.dc09.loadgen --host 127.0.0.1 --port 12300 --panels 200 --seconds 20 \\
        [--encrypted-share 0.3 --key HEX] [--start-account 1001] [--receiver 1 --line 1] [--no-uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from qorgau.protocols.dc09 import crypto
from qorgau.protocols.dc09.parser import TIMESTAMP_FORMAT
from qorgau.protocols.dc09.render import wrap
from qorgau.protocols.latency import latency_ms

SIA_CODES = ("BA", "PA", "FA", "TA", "HA")
CID_CODES = ("130", "120", "110", "137", "121")
# A fixed pad alphabet slice is enough here: the pad only has to avoid `[`, `]` and `|`.
PAD = "".join(c for c in "Qz7#k2Lm9$Xw4&Rt" if c in crypto.PAD_ALPHABET)


@dataclass(frozen=True, slots=True)
class LoadConfig:
    """What the load looks like."""

    host: str
    port: int
    panels: int = 200
    seconds: float = 20.0
    encrypted_share: float = 0.0
    key: bytes | None = None
    start_account: int = 1001
    receiver: str = "1"
    line: str = "1"
    ack_timeout_s: float = 5.0


@dataclass(slots=True)
class Stats:
    """Counters shared by every panel."""

    sent: int = 0
    acknowledged: int = 0
    nak: int = 0
    duh: int = 0
    timeouts: int = 0
    ignored: int = 0
    connect_errors: int = 0
    latencies: list[float] = field(default_factory=list)


class _Clock:
    """The DC-09 timestamp text, rewritten only when the second changes."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def text(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._text = "_" + datetime.fromtimestamp(second, UTC).strftime(TIMESTAMP_FORMAT)
        return self._text


class Panel(asyncio.Protocol):
    """One panel on one TCP connection: send, wait for the ACK, send the next."""

    def __init__(self, account: str, key: bytes | None, config: LoadConfig, stats: Stats, clock: _Clock,
                 running: list[bool]) -> None:
        self.account = account
        self.key = key
        self.stats = stats
        self.clock = clock
        self.running = running
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.count = 0
        self.sequence = 0
        self.expect = b""  # the sequence digits the ACK must carry
        self.frame = b""
        self.sent_at = 0.0  # 0 while nothing is outstanding
        self.done = asyncio.get_running_loop().create_future()
        self._address = f"R{config.receiver}L{config.line}#{account}"
        self._data = f"[#{account}|"
        self._star = "*" if key else ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.sent_at = 0.0
        if not self.done.done():
            self.done.set_result(None)

    def render(self) -> bytes:
        n = self.count
        self.count = n + 1
        self.sequence = n % 9999 + 1
        pick = (n >> 1) % 5
        zone = (n >> 1) // 5 % 1000
        if n & 1:
            mtype, payload = "ADM-CID", f"1{CID_CODES[pick]} 01 {zone:03d}"
        else:
            mtype, payload = "SIA-DCS", f"N{SIA_CODES[pick]}{zone:03d}"
        seq = f"{self.sequence:04d}"
        self.expect = seq.encode()
        head = f'"{self._star}{mtype}"{seq}{self._address}'
        if self.key is None:
            return wrap(f"{head}{self._data}{payload}]{self.clock.text()}")
        rest = f"|{self._data[1:]}{payload}]{self.clock.text()}"
        size = 16 - len(rest) % 16
        plain = (PAD[:size] + rest).encode()
        return wrap(f"{head}[{crypto.encrypt(plain, self.key).hex().upper()}")

    def send_next(self) -> None:
        if not self.running[0] or self.transport is None:
            if self.transport is not None:
                self.transport.close()
            return
        self.frame = self.render()
        self.sent_at = time.perf_counter()
        self.stats.sent += 1
        self.transport.write(self.frame)

    def resend(self) -> None:
        """The ACK did not come in time: the same bytes again, as a panel does."""
        self.stats.timeouts += 1
        if self.transport is not None and self.running[0]:
            self.sent_at = time.perf_counter()
            self.transport.write(self.frame)
        elif self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data
        while (end := buf.find(b"\r")) >= 0:
            self.answer(buf[: end + 1])
            buf = buf[end + 1 :]
        self.buf = buf

    def answer(self, raw: bytes) -> None:
        start = raw.find(b'"')
        kind = raw[start : start + 6]
        stats = self.stats
        if kind[:5] == b'"NAK"':
            stats.nak += 1
        elif kind == b'"*ACK"' or kind[:5] == b'"ACK"':
            at = start + len(kind) - (kind[5:6] != b'"')
            if raw[at : at + 4] != self.expect or not self.sent_at:
                stats.ignored += 1
                return
            stats.acknowledged += 1
            stats.latencies.append(time.perf_counter() - self.sent_at)
        elif kind[:5] == b'"DUH"':
            stats.duh += 1
        else:
            stats.ignored += 1
            return
        self.sent_at = 0.0
        self.send_next()


async def _watchdog(panels: list[Panel], timeout_s: float) -> None:
    while True:
        await asyncio.sleep(min(0.25, timeout_s / 4))
        now = time.perf_counter()
        for panel in panels:
            if panel.sent_at and now - panel.sent_at > timeout_s:
                panel.resend()


async def run(config: LoadConfig) -> dict[str, Any]:
    """Run the load and return its figures (frames/s counts acknowledged frames)."""
    loop = asyncio.get_running_loop()
    stats, clock, running = Stats(), _Clock(), [False]
    encrypted = round(config.panels * config.encrypted_share) if config.key else 0
    panels = [Panel(f"{config.start_account + i}", config.key if i < encrypted else None, config, stats, clock,
                    running) for i in range(config.panels)]
    # Connect every panel first, then let them all start at once.
    connected: list[Panel] = []
    for panel in panels:
        try:
            await loop.create_connection(lambda p=panel: p, config.host, config.port)  # type: ignore[misc]
            connected.append(panel)
        except OSError:
            stats.connect_errors += 1
    running[0] = True
    started = time.perf_counter()
    for panel in connected:
        panel.send_next()
    watchdog = asyncio.create_task(_watchdog(connected, config.ack_timeout_s))
    await asyncio.sleep(config.seconds)
    running[0] = False
    elapsed = time.perf_counter() - started
    acknowledged_in_time = stats.acknowledged
    # Let outstanding frames be answered (each panel closes on its next turn), then stop.
    for panel in connected:
        if not panel.sent_at and panel.transport is not None:
            panel.transport.close()
    await asyncio.wait([p.done for p in connected] or [loop.create_future()], timeout=config.ack_timeout_s)
    watchdog.cancel()
    unanswered = sum(1 for p in connected if p.sent_at)
    for panel in connected:
        if panel.transport is not None:
            panel.transport.close()
    return {
        "panels": len(connected), "encrypted_panels": sum(1 for p in connected if p.key), "seconds": round(elapsed, 2),
        "frames_sent": stats.sent, "acknowledged": stats.acknowledged, "nak": stats.nak, "duh": stats.duh,
        "timeouts": stats.timeouts, "unanswered": unanswered, "ignored_answers": stats.ignored,
        "connect_errors": stats.connect_errors, "frames_per_s": round(acknowledged_in_time / elapsed, 1),
        **latency_ms(stats.latencies),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--encrypted-share", type=float, default=0.0)
    parser.add_argument("--key", help="AES key in hex (32, 48 or 64 digits) for the encrypted share")
    parser.add_argument("--start-account", type=int, default=1001)
    parser.add_argument("--receiver", default="1")
    parser.add_argument("--line", default="1")
    parser.add_argument("--ack-timeout", type=float, default=5.0)
    parser.add_argument("--uvloop", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    if args.encrypted_share and not args.key:
        parser.error("--encrypted-share needs --key")
    config = LoadConfig(host=args.host, port=args.port, panels=args.panels, seconds=args.seconds,
                        encrypted_share=args.encrypted_share,
                        key=crypto.parse_hex_key(args.key) if args.key else None, start_account=args.start_account,
                        receiver=args.receiver, line=args.line, ack_timeout_s=args.ack_timeout)
    if args.uvloop:
        import uvloop

        result = uvloop.run(run(config))
    else:
        result = asyncio.run(run(config))
    result["loop"] = "uvloop" if args.uvloop else "asyncio"
    sys.stdout.write(json.dumps(result) + "\n")
    return result


if __name__ == "__main__":
    main()

"""DC-09 load generator: N panels on N TCP connections, each sending its next frame as soon as the last is ACKed.

Works against any DC-09 receiver: frames carry receiver and line prefix, accounts start-account … start-account+N−1,
SIA-DCS and ADM-CID alternate with codes and zones that change every frame (never a retransmission), and an
encrypted share of the panels uses AES with the given key. An answer counts when it is an ACK (or *ACK) for the
frame's sequence; a NAK, DUH or silence past the timeout is counted, and silence resends the same bytes.

Per-frame work is kept small so the receiver keeps a core of its own: one loop (uvloop), one protocol object
per panel, frame text built from pre-computed parts, the timestamp written once a second, one watchdog for all
timeouts instead of a timer per frame.

Bad input at speed (`--malformed-share`): that share of the frames, drawn per panel from a seeded stream, is one
of three malformed kinds, each with the answer the standard asks for: `unknown_account` (a well-formed frame from
an account nobody registered: DUH), `stale_timestamp` (ten minutes old: NAK with the receiver's clock) and
`bad_crc` (no answer at all). A panel waits SILENCE_S for the answer to a malformed frame and then goes on with
its next event, so a receiver that stays silent where it should answer is not also slowed down by a resend loop;
an answer that comes later is still counted. The answers to each kind are counted; an ACK to any of them is a
fault (`malformed_acked`).

`--acked-out FILE` writes every acknowledged good frame as `account sequence` lines: the benchmark checks that
the set of acknowledged frames equals the set stored, frame by frame.

    python -m qorgau.protocols.dc09.loadgen --host 127.0.0.1 --port 12300 --panels 200 --seconds 20 \\
        [--encrypted-share 0.3 --key HEX] [--start-account 1001] [--receiver 1 --line 1] [--no-uvloop] \\
        [--malformed-share 0.01] [--acked-out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from qorgau.protocols.dc09 import crypto
from qorgau.protocols.dc09.parser import TIMESTAMP_FORMAT
from qorgau.protocols.dc09.render import wrap
from qorgau.protocols.latency import latency_ms

SIA_CODES = ("BA", "PA", "FA", "TA", "HA")
CID_CODES = ("130", "120", "110", "137", "121")
# A fixed pad alphabet slice is enough here: the pad only has to avoid `[`, `]` and `|`.
PAD = "".join(c for c in "Qz7#k2Lm9$Xw4&Rt" if c in crypto.PAD_ALPHABET)
MALFORMED_KINDS = ("unknown_account", "stale_timestamp", "bad_crc")
SILENCE_S = 0.2  # how long a panel waits for the answer to a malformed frame before it goes on
STALE_S = 600


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
    malformed_share: float = 0.0
    keep_acked: bool = False
    warm_up_s: float = 0.0


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
    acked: list[tuple[str, int]] = field(default_factory=list)  # (account, sequence) when asked to keep them
    malformed_sent: Counter[str] = field(default_factory=Counter)
    malformed_answers: Counter[str] = field(default_factory=Counter)  # "<kind>:<answer>", answer ACK/NAK/DUH/none

    def restart(self) -> None:
        """Count from zero (after a warm-up); the acknowledged frames are kept: they are stored all the same."""
        self.sent = self.acknowledged = self.nak = self.duh = self.timeouts = self.ignored = 0
        self.latencies.clear()
        self.malformed_sent.clear()
        self.malformed_answers.clear()


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

    @staticmethod
    def stale() -> str:
        return "_" + (datetime.now(UTC) - timedelta(seconds=STALE_S)).strftime(TIMESTAMP_FORMAT)


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
        self.config = config
        self.malformed: str | None = None  # the kind of the outstanding frame, when it is a malformed one
        self.late: dict[bytes, str] = {}  # malformed frames given up on, kind by sequence: late answers count
        self._draw = random.Random(f"{account}-malformed").random  # noqa: S311 - a reproducible load, not a secret
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
        share = self.config.malformed_share
        if share and self._draw() < share:
            kind = MALFORMED_KINDS[self.stats.malformed_sent.total() % len(MALFORMED_KINDS)]
            self.stats.malformed_sent[kind] += 1
            self.malformed = kind
            return self._render(kind)
        self.malformed = None
        return self._render(None)

    def _render(self, malformed: str | None) -> bytes:
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
        address, data, stamp = self._address, self._data, self.clock.text()
        if malformed == "unknown_account":
            address, data = address.replace("#", "#9", 1), data.replace("#", "#9", 1)
        elif malformed == "stale_timestamp":
            stamp = self.clock.stale()
        head = f'"{self._star}{mtype}"{seq}{address}'
        if self.key is None:
            frame = wrap(f"{head}{data}{payload}]{stamp}")
        else:
            rest = f"|{data[1:]}{payload}]{stamp}"
            size = 16 - len(rest) % 16
            plain = (PAD[:size] + rest).encode()
            frame = wrap(f"{head}[{crypto.encrypt(plain, self.key).hex().upper()}")
        if malformed == "bad_crc":
            crc = int(frame[1:5], 16) ^ 0x5A5A
            frame = frame[:1] + f"{crc:04X}".encode() + frame[5:]
        return frame

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
        if self.malformed is not None:  # no answer in SILENCE_S: go on, and count the answer if it comes later
            self.late[self.expect] = self.malformed
            self.stats.malformed_answers[f"{self.malformed}:none"] += 1
            self.sent_at = 0.0
            self.send_next()
            return
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
        if self.late and self._late_answer(raw, start, kind):
            return
        if self.malformed is not None:
            stats.malformed_answers[f"{self.malformed}:{_answer_name(kind)}"] += 1
            self.sent_at = 0.0
            self.send_next()
            return
        if kind[:5] == b'"NAK"':
            stats.nak += 1
        elif kind == b'"*ACK"' or kind[:5] == b'"ACK"':
            at = start + len(kind) - (kind[5:6] != b'"')
            if raw[at : at + 4] != self.expect or not self.sent_at:
                stats.ignored += 1
                return
            stats.acknowledged += 1
            stats.latencies.append(time.perf_counter() - self.sent_at)
            if self.config.keep_acked:
                stats.acked.append((self.account, self.sequence))
        elif kind[:5] == b'"DUH"':
            stats.duh += 1
        else:
            stats.ignored += 1
            return
        self.sent_at = 0.0
        self.send_next()

    def _late_answer(self, raw: bytes, start: int, kind: bytes) -> bool:
        """A late answer to a malformed frame given up on: counted as its answer.

        ACK and DUH carry the frame's sequence; a NAK carries 0000 and is the oldest stale frame's (the answer the
        standard gives it), else the oldest given up. The next frame's ACK clears what is left: answers come in
        order on a connection.
        """
        at = start + len(kind) - (kind[5:6] != b'"')
        sequence = raw[at : at + 4]
        if sequence in self.late or kind[:5] == b'"NAK"':
            if sequence not in self.late:
                stale = [seq for seq, malformed in self.late.items() if malformed == "stale_timestamp"]
                if not stale and self.malformed == "stale_timestamp":
                    return False  # the NAK of the frame outstanding now
                sequence = stale[0] if stale else next(iter(self.late))
            malformed = self.late.pop(sequence)
            answers = self.stats.malformed_answers
            answers[f"{malformed}:{_answer_name(kind)}"] += 1
            if answers[f"{malformed}:none"]:  # (counted before a restart of the counters otherwise)
                answers[f"{malformed}:none"] -= 1
            return True
        if sequence == self.expect:
            self.late.clear()
        return False


def _answer_name(kind: bytes) -> str:
    """ACK, NAK, DUH… of an answer's quoted id (`"*ACK"` → ACK)."""
    return kind[1:].split(b'"')[0].lstrip(b"*").decode(errors="replace") or "other"


async def _watchdog(panels: list[Panel], timeout_s: float) -> None:
    while True:
        await asyncio.sleep(SILENCE_S)
        now = time.perf_counter()
        for panel in panels:
            limit = SILENCE_S if panel.malformed is not None else timeout_s
            if panel.sent_at and now - panel.sent_at > limit:
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
    if config.warm_up_s:
        # The receiver's first moments (each panel's first heartbeat, caches, the writer's first groups) are
        # start-up, not throughput: count from here. The frames go on; only the counters start again.
        await asyncio.sleep(config.warm_up_s)
        stats.restart()
        started = time.perf_counter()
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
    malformed = sum(stats.malformed_sent.values())
    return {
        "panels": len(connected), "encrypted_panels": sum(1 for p in connected if p.key), "seconds": round(elapsed, 2),
        "frames_sent": stats.sent, "acknowledged": stats.acknowledged, "nak": stats.nak, "duh": stats.duh,
        "timeouts": stats.timeouts, "unanswered": unanswered, "ignored_answers": stats.ignored,
        "connect_errors": stats.connect_errors, "frames_per_s": round(acknowledged_in_time / elapsed, 1),
        **latency_ms(stats.latencies),
        "malformed_sent": malformed, "malformed_by_kind": dict(stats.malformed_sent),
        "malformed_answers": {k: v for k, v in sorted(stats.malformed_answers.items()) if v},
        "malformed_acked": sum(v for k, v in stats.malformed_answers.items() if k.endswith(":ACK")),
        "acked_pairs": stats.acked,
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
    parser.add_argument("--malformed-share", type=float, default=0.0, help="share of malformed frames (0.01: 1 %%)")
    parser.add_argument("--acked-out", type=Path, help="write each acknowledged frame's `account sequence` here")
    parser.add_argument("--warm-up", type=float, default=0.0, help="seconds of load before the counting starts")
    parser.add_argument("--uvloop", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    if args.encrypted_share and not args.key:
        parser.error("--encrypted-share needs --key")
    config = LoadConfig(host=args.host, port=args.port, panels=args.panels, seconds=args.seconds,
                        encrypted_share=args.encrypted_share,
                        key=crypto.parse_hex_key(args.key) if args.key else None, start_account=args.start_account,
                        receiver=args.receiver, line=args.line, ack_timeout_s=args.ack_timeout,
                        malformed_share=args.malformed_share, keep_acked=args.acked_out is not None,
                        warm_up_s=args.warm_up)
    if args.uvloop:
        import uvloop

        result = uvloop.run(run(config))
    else:
        result = asyncio.run(run(config))
    result["loop"] = "uvloop" if args.uvloop else "asyncio"
    pairs = result.pop("acked_pairs")
    if args.acked_out is not None:
        args.acked_out.write_text("".join(f"{account} {sequence}\n" for account, sequence in pairs))
    sys.stdout.write(json.dumps(result) + "\n")
    return result


if __name__ == "__main__":
    main()

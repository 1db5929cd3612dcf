"""Open-loop DC-09 panels: frames leave on a fixed schedule at the offered rate, whatever the receiver answers.

Frame j (of rate × seconds) is due at start + j / rate and goes out on panel j mod N's TCP connection, acknowledged
or not (a slow receiver shows as latency from the SCHEDULED time, not as a lower offered rate). Each good frame is
a Contact ID tamper report (`1137`). A share of the frames (default 1 %, every 100th) is malformed, one of
MALFORMED in turn; none may be acknowledged. ACKs are matched to frames by the panel and sequence they echo.

Written for `bench/alarm_fanout.py`, which starts it as a process of its own so its schedule does not share a
loop with the desks; it writes one JSON document to --out:
  frames: [[account, sequence, kind, scheduled epoch s, sent epoch s, ack epoch s or null], ...]
  answers: {"NAK": n, "DUH": n, "ACK": n}

Usage: python bench/open_loop_panels.py --port P --panels 200 --rate 1000 --seconds 10 --start-at EPOCH --out F
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from qorgau.protocols.dc09.parser import Frame
from qorgau.protocols.dc09.render import render_frame, wrap

MALFORMED = ("bad_crc", "unknown_account", "stale_timestamp", "bad_address")
DRAIN_S = 30.0  # after the last frame, how long unanswered good frames are waited for


class Panel(asyncio.Protocol):
    """One panel's connection: records when each sequence was acknowledged and counts other answers."""

    def __init__(self, answers: Counter[str]) -> None:
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport subclasses
        self.acked: dict[int, float] = {}
        self.answers = answers
        self._buf = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        at = time.time()
        *complete, self._buf = (self._buf + data).split(b"\r")
        for answer in complete:
            quote = answer.find(b'"')
            kind = answer[quote + 1 : quote + 4].decode(errors="replace")
            self.answers[kind] += 1
            if kind == "ACK":
                self.acked.setdefault(int(answer[quote + 5 : quote + 9]), at)


def frame_bytes(kind: str, account: str, sequence: int) -> bytes:
    """A good tamper report, or one malformed the way `kind` says."""
    if kind == "unknown_account":
        account = "FFFF9"
    stamp = datetime.now(UTC) - timedelta(minutes=10) if kind == "stale_timestamp" else None
    raw = render_frame(Frame(message_type="ADM-CID", sequence=sequence, receiver="1", prefix="1", account=account,
                             data=f"#{account}|1137 01 {sequence % 1000:03d}", timestamp=stamp))
    if kind == "bad_crc":
        crc = raw[1:5]
        raw = raw[:1] + (b"0000" if crc != b"0000" else b"FFFF") + raw[5:]
    elif kind == "bad_address":
        body = raw[9:-1].decode().replace('"ADM-CID"', '"ADM+CID"')
        raw = wrap(body)  # a correct CRC and length around an address no receiver can read
    return raw


async def run(args: argparse.Namespace) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    answers: Counter[str] = Counter()
    panels = []
    for _ in range(args.panels):
        _, protocol = await loop.create_connection(lambda: Panel(answers), "127.0.0.1", args.port)
        panels.append(protocol)
    total = round(args.rate * args.seconds)
    every = round(1 / args.malformed) if args.malformed > 0 else 0
    plan: list[tuple[int, str, int, bytes]] = []  # built before the start: the schedule must not wait on rendering
    sequences = [0] * args.panels
    for j in range(total):
        index = j % args.panels
        sequences[index] = sequences[index] % 9999 + 1
        # One frame in every block of `every`, at an offset that moves from block to block, so the malformed
        # frames fall on many panels (a panel that sent nothing else would rightly be cut off).
        kind = MALFORMED[(j // every) % len(MALFORMED)] if every and j % every == (j // every * 37) % every else "good"
        account = str(args.start_account + index)
        plan.append((index, kind, sequences[index], frame_bytes(kind, account, sequences[index])))
    start_mono = time.monotonic() + (args.start_at - time.time())
    sent: list[float | None] = []
    for j, (index, _, _, raw) in enumerate(plan):
        delay = start_mono + j / args.rate - time.monotonic()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        transport = panels[index].transport
        if transport.is_closing():  # closed by the receiver: counted as never sent
            sent.append(None)
            continue
        transport.write(raw)
        sent.append(time.time())
    good = {(index, seq) for index, kind, seq, _ in plan if kind == "good"}
    deadline = time.monotonic() + DRAIN_S
    while time.monotonic() < deadline and sum(1 for i, s in good if s in panels[i].acked) < len(good):
        await asyncio.sleep(0.1)
    frames = [[str(args.start_account + index), seq, kind, args.start_at + j / args.rate, sent[j],
               panels[index].acked.get(seq)] for j, (index, kind, seq, _) in enumerate(plan)]
    for panel in panels:
        if panel.transport is not None:
            panel.transport.close()
    return {"frames": frames, "answers": dict(answers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--malformed", type=float, default=0.01, help="share of malformed frames")
    parser.add_argument("--start-account", type=int, default=1001)
    parser.add_argument("--start-at", type=float, required=True, help="epoch seconds of frame 0's schedule")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with the server's extras
        result = asyncio.run(run(args))
    else:
        result = uvloop.run(run(args))
    with open(args.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()

"""Video hosts as real processes for the lease fault-injection test and bench/video_failover.py: each "host" is a
`qorgau video run` with its own node id, worker count and live-relay ports against one database; a crash is a
kill -9 of the supervisor and its workers together (no clean stop: the leases are left to expire)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.video import leases
from qorgau.video.models import Segment


def free_port_block(size: int = 8) -> int:
    """A port whose next ``size`` neighbours were free a moment ago (the workers' live relays listen there)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + size < 65000:
            return base


@dataclass
class Host:
    """One video host: `qorgau video run --workers N` as node ``name``."""

    name: str
    workers: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[Any] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        env = {**self.env, "QORGAU_VIDEO_NODE_ID": self.name, "QORGAU_VIDEO_LIVE_PORT": str(free_port_block())}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qorgau.cli", "video", "run", "--workers", str(self.workers)],
            env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def children(self) -> list[int]:
        if self.process is None:
            return []
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)],
                             capture_output=True, text=True, check=False)
        return [int(pid) for pid in out.stdout.split()]

    def crash(self) -> None:
        """kill -9 the whole host: the supervisor is frozen first, so it neither restarts the workers nor lets the
        kernel send them its death signal (which would stop them cleanly)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        for pid in self.children():
            os.kill(pid, signal.SIGKILL)
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None
        self._close_log()

    def freeze(self) -> None:
        """SIGSTOP the host's processes: alive but silent, as a host cut off from the others is."""
        assert self.process is not None
        for pid in [self.process.pid, *self.children()]:
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        for pid in [self.process.pid, *self.children()]:
            os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                for pid in self.children():
                    os.kill(pid, signal.SIGKILL)
                self.process.kill()
                self.process.wait()
        self.process = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def held_by_node(db: Database) -> Counter[str]:
    """Live leases per node (the part of the holder before the slash)."""
    with db.sessions() as session:
        return Counter(holder.split("/")[0] for holder in leases.holders(session).values())


def held_by_holder(db: Database) -> Counter[str]:
    with db.sessions() as session:
        return Counter(leases.holders(session).values())


def wait_until(condition: Any, timeout: float, what: str) -> float:
    """Poll ``condition`` every 0.1 s; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started


def longest_gap(db: Database, device_id: int, start: datetime, end: datetime) -> float:
    """The longest stretch of [start, end] no indexed segment of the camera covers, in seconds."""
    with db.sessions() as session:
        rows = session.execute(select(Segment.start_at, Segment.end_at)
                               .where(Segment.device_id == device_id, Segment.end_at > start,
                                      Segment.start_at < end)
                               .order_by(Segment.start_at)).all()
    covered_to, longest = start, 0.0
    for seg_start, seg_end in rows:
        if seg_start > covered_to:
            longest = max(longest, (seg_start - covered_to).total_seconds())
        covered_to = max(covered_to, seg_end)
    return max(longest, (end - covered_to).total_seconds())


def segments_since(db: Database, device_ids: list[int], since: datetime) -> set[int]:
    """The cameras with a segment that started after ``since``."""
    with db.sessions() as session:
        return set(session.scalars(select(Segment.device_id).where(Segment.device_id.in_(device_ids),
                                                                    Segment.start_at > since)))


@dataclass
class FailoverRound:
    """What one crash and return measured, in seconds."""

    moved_s: float  # kill -9 to every camera leased by the survivor
    failover_gaps: dict[int, float]  # the crashed host's cameras: longest unrecorded stretch around the crash
    rebalanced_s: float  # the host's restart to fair shares again (includes its processes starting)
    rebalance_gaps: dict[int, float]  # every camera: longest unrecorded stretch while shares moved back


def failover_round(db: Database, crashed: Host, survivor: Host, cameras: list[int], *,
                   fair: dict[str, int], settle_s: float = 6.0, index_wait_s: float = 8.0) -> FailoverRound:
    """Balanced hosts → kill -9 ``crashed`` → the survivor records all → ``crashed`` returns → balanced again."""
    total = len(cameras)
    wait_until(lambda: held_by_holder(db) == Counter(fair), 90, f"fair shares {fair}")
    balanced = utcnow()
    wait_until(lambda: segments_since(db, cameras, balanced) == set(cameras), 60, "a segment of every camera")
    time.sleep(settle_s)
    with db.sessions() as session:
        lost = [d for d, holder in leases.holders(session).items() if holder.startswith(crashed.name + "/")]
    killed = utcnow()
    crashed.crash()
    moved_s = wait_until(lambda: held_by_node(db)[survivor.name] == total, 60, "the survivor to hold every camera")
    time.sleep(settle_s)
    restarted = utcnow()
    crashed.start()
    rebalanced_s = wait_until(lambda: held_by_holder(db) == Counter(fair), 90, "fair shares again")
    time.sleep(settle_s)
    window_end = utcnow()
    time.sleep(index_wait_s)  # the segments that cover the window's end close and reach the index
    # From a little before the kill: the segment being written when it died was lost with it.
    before = killed - timedelta(seconds=settle_s - 1)
    failover = {d: longest_gap(db, d, before, restarted) for d in lost}
    rebalance = {d: longest_gap(db, d, restarted, window_end) for d in cameras}
    return FailoverRound(moved_s=moved_s, failover_gaps=failover, rebalanced_s=rebalanced_s,
                         rebalance_gaps=rebalance)

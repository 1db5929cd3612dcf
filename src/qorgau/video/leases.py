"""Camera leases (issue 18, ADR 0055): worker processes on several hosts share the cameras through rows in the
database, with no coordinator of their own.

Every ``renew_s`` each worker runs one ``cycle`` in one transaction: it renews its registry row and the leases it
holds, reads who is alive, and moves toward its fair share (the cameras split by count over the live holders, in
holder order): above it, it frees its last cameras; below it, it takes free or expired ones. Taking is a
conditional UPDATE on the epoch it read, whose row count says whether it won, so two workers never both take a
camera. A holder that stops renewing is counted out and its leases expire after ``ttl_s``; the others take them
at their next cycle. A worker whose lease epoch changed, or who could not renew before its own deadline, stops
recording the camera at once (``LeaseKeeper.fence``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.video import nodes
from qorgau.video.nodes import CameraLease

log = logging.getLogger(__name__)

NEVER = datetime(1970, 1, 1, tzinfo=UTC)
FENCE_MARGIN = 0.8  # a holder stops a camera after this share of the lease time without a renewal, before it expires


def fair_share(cameras: int, holders: Sequence[str], me: str) -> int:
    """How many of ``cameras`` ``me`` should hold: an equal split, the first holders taking one more each."""
    if me not in holders:
        return 0
    base, extra = divmod(cameras, len(holders))
    return base + (1 if holders.index(me) < extra else 0)


@dataclass
class CycleResult:
    """What one cycle saw and did."""

    held: dict[int, int]  # device id -> epoch, after the cycle
    lost: list[int] = field(default_factory=list)
    taken: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    share: int = 0
    holders: int = 0


def _ensure_rows(session: Session, cameras: Collection[int]) -> None:
    """A free lease row for each camera that has none yet (racing inserts of the same row are ignored)."""
    known = set(session.scalars(select(CameraLease.device_id).where(CameraLease.device_id.in_(cameras))))
    missing = [{"device_id": d, "holder": None, "epoch": 0, "expires_at": NEVER} for d in cameras if d not in known]
    if not missing:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(CameraLease).values(missing).on_conflict_do_nothing(index_elements=["device_id"]))


def cycle(session: Session, *, holder: str, cameras: Collection[int], known: dict[int, int], now: datetime,
          ttl_s: float) -> CycleResult:
    """One renewal: heartbeat, renew, then release or take toward the fair share. ``known`` is what this holder
    believes it holds (device id -> epoch); a camera whose row says otherwise is reported lost."""
    expires = now + timedelta(seconds=ttl_s)
    nodes.heartbeat(session, holder=holder, now=now)
    session.execute(update(CameraLease).where(CameraLease.holder == holder).values(expires_at=expires))
    rows = {device_id: epoch for device_id, epoch in session.execute(
        select(CameraLease.device_id, CameraLease.epoch).where(CameraLease.holder == holder))}
    lost = [d for d, epoch in known.items() if rows.get(d) != epoch]
    held = {d: e for d, e in rows.items() if d in known or d in cameras}
    wanted = set(cameras)
    result = CycleResult(held=held, lost=lost)
    # Cameras out of service (or never ours in this process's view) are freed.
    for device_id in [d for d in held if d not in wanted]:
        if _release(session, holder=holder, device_id=device_id, epoch=held.pop(device_id), now=now):
            result.released.append(device_id)
    holders = nodes.alive(session, since=now - timedelta(seconds=ttl_s))
    result.holders = len(holders)
    result.share = fair_share(len(wanted), holders, holder)
    if len(held) > result.share:
        # The newest cameras move: the order is the same on every holder, so shares settle without churn.
        for device_id in sorted(held)[result.share:]:
            if _release(session, holder=holder, device_id=device_id, epoch=held.pop(device_id), now=now):
                result.released.append(device_id)
    elif len(held) < result.share and wanted:
        _ensure_rows(session, wanted)
        free = session.execute(
            select(CameraLease.device_id, CameraLease.epoch)
            .where(CameraLease.device_id.in_(wanted),
                   or_(CameraLease.holder.is_(None), CameraLease.expires_at < now))
            .order_by(CameraLease.device_id)).all()
        for device_id, epoch in free:
            if len(held) >= result.share:
                break
            took = session.execute(
                update(CameraLease)
                .where(CameraLease.device_id == device_id, CameraLease.epoch == epoch,
                       or_(CameraLease.holder.is_(None), CameraLease.expires_at < now))
                .values(holder=holder, epoch=epoch + 1, expires_at=expires, acquired_at=now))
            if nodes.changed(took) == 1:
                held[device_id] = epoch + 1
                result.taken.append(device_id)
    return result


def _release(session: Session, *, holder: str, device_id: int, epoch: int, now: datetime) -> bool:
    """Free one camera this holder still holds at ``epoch``; it is free for the others from ``now``."""
    freed = session.execute(update(CameraLease)
                            .where(and_(CameraLease.device_id == device_id, CameraLease.holder == holder,
                                        CameraLease.epoch == epoch))
                            .values(holder=None, expires_at=now))
    return nodes.changed(freed) == 1


def holders(session: Session) -> dict[int, str]:
    """Who holds each camera now (device id -> holder); expired leases are left out."""
    rows = session.execute(select(CameraLease.device_id, CameraLease.holder)
                           .where(CameraLease.holder.is_not(None), CameraLease.expires_at >= utcnow()))
    return {device_id: holder for device_id, holder in rows if holder is not None}


def relay_address(session: Session, *, device_id: int, here: str) -> tuple[str, int] | None:
    """Where the live-view relay of the camera's holder listens: its host (loopback when it is ``here``, this
    host's name) and port; None when nobody holds the camera now."""
    row = session.execute(
        select(nodes.VideoNode.host, nodes.VideoNode.live_port)
        .join(CameraLease, CameraLease.holder == nodes.VideoNode.holder)
        .where(CameraLease.device_id == device_id, CameraLease.expires_at >= utcnow())).first()
    if row is None:
        return None
    host, port = row
    return ("127.0.0.1" if host == here else host), port


class LeaseKeeper:
    """One worker's leases: ``held`` is what it may record; ``run`` renews them until stopped."""

    def __init__(self, db: Database, *, holder: str, node: str, host: str, pid: int, live_port: int,
                 failover_s: float, clock: Callable[[], datetime] = utcnow) -> None:
        self.db, self.holder, self.clock = db, holder, clock
        self.node, self.host, self.pid, self.live_port = node, host, pid, live_port
        self.ttl_s = failover_s / 2  # a dead holder's cameras are free after half the bound...
        self.renew_s = failover_s / 6  # ...and taken within a renewal; the rest is for the stream to start
        self.held: dict[int, int] = {}
        self.valid_until = 0.0  # monotonic: past it, this worker may no longer trust its leases
        self.cycles = 0

    def join(self) -> None:
        with self.db.unit_of_work() as session:
            nodes.register(session, holder=self.holder, node=self.node, host=self.host, pid=self.pid,
                           live_port=self.live_port, now=self.clock())

    def step(self, cameras: Collection[int]) -> bool:
        """One cycle; returns whether the held set changed."""
        started = time.monotonic()
        with self.db.unit_of_work() as session:
            result = cycle(session, holder=self.holder, cameras=cameras, known=dict(self.held), now=self.clock(),
                           ttl_s=self.ttl_s)
        before = set(self.held)
        self.held = result.held
        self.valid_until = started + self.ttl_s * FENCE_MARGIN
        self.cycles += 1
        for device_id in result.lost:
            log.warning("video lease lost: camera %d taken over by another worker", device_id,
                        extra={"holder": self.holder})
        if result.taken or result.released:
            log.info("video leases: took %s, released %s (share %d of %d holders)", result.taken, result.released,
                     result.share, result.holders, extra={"holder": self.holder})
        return set(self.held) != before

    def fence(self) -> bool:
        """Past the deadline with no renewal: give up every camera (another worker will take them)."""
        if not self.held or time.monotonic() < self.valid_until:
            return False
        log.warning("video leases not renewed in time: stopping %d cameras", len(self.held),
                    extra={"holder": self.holder})
        self.held = {}
        return True

    def leave(self) -> None:
        """Free every camera and leave the registry (a clean stop: the others take over at their next cycle)."""
        now = self.clock()
        with self.db.unit_of_work() as session:
            for device_id, epoch in self.held.items():
                _release(session, holder=self.holder, device_id=device_id, epoch=epoch, now=now)
            nodes.leave(session, holder=self.holder)
        self.held = {}

    async def run(self, stop: asyncio.Event, cameras: Callable[[], Collection[int]],
                  changed: Callable[[], None]) -> None:
        """Renew every ``renew_s`` until ``stop``; call ``changed`` whenever ``held`` changes. A cycle stuck in the
        database does not hold up the fence: the wait ends at the deadline either way."""
        stopping = asyncio.ensure_future(stop.wait())
        pending: asyncio.Future[bool] | None = None
        next_at = 0.0
        try:
            while not stop.is_set():
                now = time.monotonic()
                if pending is None and now >= next_at:
                    pending = asyncio.ensure_future(asyncio.to_thread(self.step, cameras()))
                    next_at = now + self.renew_s
                deadline = min(next_at, self.valid_until if self.held else math.inf)
                waiting: set[asyncio.Future[Any]] = {stopping, *([pending] if pending else [])}
                await asyncio.wait(waiting, timeout=max(0.05, deadline - now), return_when=asyncio.FIRST_COMPLETED)
                if pending is not None and pending.done():
                    try:
                        if pending.result():
                            changed()
                    except Exception:
                        log.exception("video lease renewal failed", extra={"holder": self.holder})
                    pending = None
                if self.fence():
                    changed()
        finally:
            stopping.cancel()
            if pending is not None:
                await asyncio.wait({pending}, timeout=self.renew_s)

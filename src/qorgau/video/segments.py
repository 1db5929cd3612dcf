"""The recording index: segments inserted as their files close, queried by range, merged into a timeline."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.video.enums import StreamKind
from qorgau.video.models import Segment
from qorgau.video.recorder import ClosedSegment

log = logging.getLogger(__name__)

# Segments closer than this are one recorded range on the timeline (a cut at a key frame leaves no real gap).
JOIN_TOLERANCE = timedelta(seconds=1)


def insert(*, session: Session, closed: ClosedSegment) -> Segment:
    """Index one closed segment file."""
    row = Segment(device_id=closed.device_id, stream=closed.stream.value, volume=closed.volume, path=closed.path,
                  start_at=closed.start_at, end_at=closed.end_at, bytes=closed.bytes, frames=closed.frames,
                  codec=closed.codec, width=closed.width, height=closed.height, created_at=utcnow())
    session.add(row)
    return row


def in_range(*, session: Session, device_id: int, start: datetime, end: datetime,
             stream: StreamKind = StreamKind.MAIN) -> Sequence[Segment]:
    """The camera's segments that overlap [start, end), in time order."""
    return session.scalars(
        select(Segment)
        .where(Segment.device_id == device_id, Segment.stream == stream.value, Segment.start_at < end,
               Segment.end_at > start)
        .order_by(Segment.start_at, Segment.id)
    ).all()


def get(*, session: Session, segment_id: int) -> Segment | None:
    return session.get(Segment, segment_id)


@dataclass(frozen=True)
class Span:
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class Timeline:
    """What was recorded of a range: merged recorded spans and the gaps between them, clipped to the range."""

    recorded: list[Span]
    gaps: list[Span]


def merge(segments: Sequence[Segment], *, start: datetime, end: datetime) -> Timeline:
    """Join adjacent segments into spans and list the holes of [start, end) they leave."""
    recorded: list[Span] = []
    for seg in segments:
        lo, hi = max(seg.start_at, start), min(seg.end_at, end)
        if hi <= lo:
            continue
        if recorded and lo <= recorded[-1].end_at + JOIN_TOLERANCE:
            if hi > recorded[-1].end_at:
                recorded[-1] = Span(recorded[-1].start_at, hi)
            continue
        recorded.append(Span(lo, hi))
    gaps: list[Span] = []
    cursor = start
    for span in recorded:
        if span.start_at > cursor:
            gaps.append(Span(cursor, span.start_at))
        cursor = max(cursor, span.end_at)
    if cursor < end:
        gaps.append(Span(cursor, end))
    return Timeline(recorded=recorded, gaps=gaps)


def timeline(*, session: Session, device_id: int, start: datetime, end: datetime) -> Timeline:
    return merge(in_range(session=session, device_id=device_id, start=start, end=end), start=start, end=end)


class IndexWriter:
    """A worker's one writer thread: closed segments are indexed in small transactions off the reader threads."""

    def __init__(self, db: Database, *, on_error: Callable[[Exception], None] | None = None) -> None:
        self._db = db
        self._queue: queue.Queue[ClosedSegment | Callable[[Session], None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._on_error = on_error
        self.written = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="video-index-writer", daemon=True)
        self._thread.start()

    def put(self, closed: ClosedSegment) -> None:
        """Called from a reader thread: never blocks."""
        self._queue.put_nowait(closed)

    def call(self, job: Callable[[Session], None]) -> None:
        """Run ``job`` in the writer's own transaction (volume failures reported from reader threads)."""
        self._queue.put_nowait(job)

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then end the thread."""
        self._queue.put_nowait(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while not self._queue.empty() and len(batch) < 100:
                batch.append(self._queue.get_nowait())
            done = None in batch
            try:
                with self._db.unit_of_work() as session:
                    for entry in batch:
                        if isinstance(entry, ClosedSegment):
                            insert(session=session, closed=entry)
                            self.written += 1
                        elif entry is not None:
                            entry(session)
            except Exception as exc:  # a DB outage must not kill the writer: repair indexes the files later
                log.exception("indexing %d segments failed", len(batch))
                if self._on_error is not None:
                    self._on_error(exc)
            if done:
                return

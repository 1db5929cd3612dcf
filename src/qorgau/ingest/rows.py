"""Events written straight as the sink's rows, for adapters whose every message is one event (DC-09).

`event_row` stores what `batch_row(dialect, new_event(...))` stores, without building the payload model, the
context model and the event envelope per message: at 20,000 frames/s those three (validation, then serialising
them again) were a third of the receiver's core. The payload is a dict in its model's field order with values of
the types the model holds; `tests/ingest/test_rows.py` checks that each row reads back through the ORM as the
event the models would have written.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_json

from qorgau.core.bus.outbox import BatchRow
from qorgau.core.bus.types import EventType
from qorgau.core.ids import new_uuid


def sqlite_time(moment: datetime) -> str:
    """`YYYY-MM-DD HH:MM:SS.ffffff` of an aware UTC moment, as SQLAlchemy's SQLite DATETIME writes it."""
    return moment.isoformat(" ", "microseconds")[:26]


class Clock:
    """The current moment as an aware UTC datetime and as `sqlite_time` text, formatting only once a second."""

    __slots__ = ("_at", "_second", "_text")

    def __init__(self) -> None:
        self._second = -1
        self._at = datetime.fromtimestamp(0, UTC)
        self._text = ""

    def now(self) -> tuple[datetime, str]:
        second, micro = divmod(time.time_ns() // 1000, 1_000_000)
        if second != self._second:
            self._second, self._at = second, datetime.fromtimestamp(second, UTC)
            self._text = self._at.isoformat(" ")[:19]
        return self._at.replace(microsecond=micro), f"{self._text}.{micro:06d}"


def event_row(dialect: str, kind: EventType[Any], *, subject_id: str, payload: dict[str, Any], actor: str,
              simulated: bool, now: datetime, now_text: str | None = None) -> BatchRow:
    """One event as `publish_rows` inserts it on `dialect`; `now` (aware UTC) is when it occurred and was recorded.

    `now_text` is `sqlite_time(now)` when the caller already has it (many frames share a moment's text).
    """
    event_id = new_uuid()
    head, tail = _context_parts(actor, simulated)
    context = f"{head}{new_uuid()}{tail}"
    if dialect == "sqlite":
        stamp = now_text if now_text is not None else sqlite_time(now)
        return (event_id.hex, kind.name, kind.version, kind.subject_type, subject_id, stamp, stamp,
                to_json(payload).decode(), context)
    return (event_id, kind.name, kind.version, kind.subject_type, subject_id, now, now, to_json(payload).decode(),
            context)


_context_cache: dict[tuple[str, bool], tuple[str, str]] = {}


def _context_parts(actor: str, simulated: bool) -> tuple[str, str]:
    """The context's JSON around its correlation id, as `Context.model_dump_json` writes it, made once per actor.

    Only the correlation id differs from frame to frame; building and serialising the whole dict each time was
    a few per cent of the receiver's core.
    """
    parts = _context_cache.get((actor, simulated))
    if parts is None:
        marker = "\x00"
        text = to_json({"actor": actor, "correlation_id": marker, "parent_id": None, "simulated": simulated}).decode()
        head, _, tail = text.partition(to_json(marker).decode()[1:-1])
        parts = (head, tail)
        if len(_context_cache) < 100_000:  # one entry per device: bounded by the registry, guarded all the same
            _context_cache[(actor, simulated)] = parts
    return parts

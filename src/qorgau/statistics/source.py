"""Filling the cube from the offences table, once per engine, then incrementally by an updated_at/id watermark.

The loader reads the registry's contract columns in bulk with Core SQL (ten million ORM objects would take minutes
and gigabytes). Drafts are left out: a draft becomes a counted offence when it is reconciled with its ЕРДР number,
so one offence is counted once. Freshness: at most every ``refresh_s`` seconds a request asks the table for
max(updated_at), max(id) and count(*) (as one cheap query on the indexes); a change loads only the rows changed
since the watermark, and a lower count (a deleted record) reloads the whole cube.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import compress
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qorgau.core.time import as_utc
from qorgau.statistics.cube import Cube

_log = logging.getLogger(__name__)
CHUNK = 50_000
_COLUMNS = ("id", "registered_on", "committed_at", "kind", "offence_class", "severity", "article_group", "status",
            "termination_ground", "persons_identified", "lon", "lat", "settlement", "district_id", "place_type",
            "source", "draft", "updated_at")
OFFENCES = sa.table("offences", *(sa.column(name) for name in _COLUMNS))


@dataclass(frozen=True)
class Watermark:
    updated_at: datetime | None
    max_id: int
    count: int


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    return as_utc(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))


def _columns(rows: Sequence[Any]) -> tuple[dict[str, Sequence[Any]], list[int]]:
    """Rows of the contract columns as columns without the drafts, ``generated`` from the source; draft ids."""
    if not rows:
        return {name: () for name in (*_COLUMNS, "generated")}, []
    columns: dict[str, Sequence[Any]] = dict(zip(_COLUMNS, zip(*rows, strict=True), strict=True))
    drafts = [bool(d) for d in columns["draft"]]
    draft_ids = [int(i) for i, d in zip(columns["id"], drafts, strict=True) if d]
    if draft_ids:
        keep = [not d for d in drafts]
        columns = {name: list(compress(values, keep)) for name, values in columns.items()}
    columns["generated"] = [source == "generated" for source in columns["source"]]
    return columns, draft_ids


def _chunks(engine: Engine, where: sa.ColumnElement[bool] | None) -> Iterator[tuple[dict[str, Sequence[Any]],
                                                                                   list[int]]]:
    """Counted records as columns and the ids of drafts (which leave the cube), in chunks."""
    query = sa.select(*OFFENCES.c).order_by(OFFENCES.c.id)
    if where is not None:
        query = query.where(where)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
        for rows in result.partitions(CHUNK):
            yield _columns(rows)


def watermark(engine: Engine) -> Watermark:
    with engine.connect() as conn:
        row = conn.execute(sa.select(sa.func.max(OFFENCES.c.updated_at), sa.func.max(OFFENCES.c.id),
                                     sa.func.count())).one()
    return Watermark(_as_datetime(row[0]), int(row[1] or 0), int(row[2] or 0))


class CubeStore:
    """The cube of one engine, loaded on first use and kept fresh; one thread refreshes at a time."""

    def __init__(self, engine: Engine, *, utc_offset_s: int, refresh_s: float) -> None:
        # A weak reference: the stores are kept in a WeakKeyDictionary by engine, and a value holding its key
        # strongly would keep every engine (and its cube) of the process alive for good.
        self._engine = weakref.ref(engine)
        self.utc_offset_s = utc_offset_s
        self.refresh_s = refresh_s
        self.cube: Cube | None = None
        self.mark = Watermark(None, 0, 0)
        self.loaded_s = 0.0
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self) -> Cube:
        """The cube, kept fresh: looked at synchronously when refresh_s is 0, else in the background.

        With refresh_s > 0 a request never waits for a look at the table (on PostgreSQL with ten million rows the
        watermark query alone can take longer than the figure): when a look is due it starts one in a thread
        and answers from the cube as it is; the thread swaps in a refreshed copy. Only the very first load waits.
        """
        cube = self.cube
        due = time.monotonic() - self._checked >= self.refresh_s
        if cube is not None and not due:
            return cube
        if cube is None or self.refresh_s == 0:
            with self._lock:
                if self.cube is None or time.monotonic() - self._checked >= self.refresh_s:
                    self._refresh()
                    self._checked = time.monotonic()
                if self.cube is None:  # _refresh always fills it; this tells the type checker
                    raise RuntimeError("statistics cube not loaded")
                return self.cube
        if self._lock.acquire(blocking=False):
            self._checked = time.monotonic()
            threading.Thread(target=self._refresh_in_background, name="stats-cube-refresh", daemon=True).start()
        return cube

    def warm(self) -> None:
        """Load the cube in a background thread (for a server start), so the first request finds it ready."""
        threading.Thread(target=self._warm_quietly, name="stats-cube-load", daemon=True).start()

    def _warm_quietly(self) -> None:
        try:
            self.get()
        except Exception:  # a server must start even when its figures cannot load; the first request says why
            _log.exception("statistics cube could not be loaded at start; the first request will try again")

    def _refresh_in_background(self) -> None:
        try:
            self._refresh()
        except Exception:
            _log.exception("statistics cube refresh failed; the cube stays as it was")
        finally:
            self._checked = time.monotonic()
            self._lock.release()

    @property
    def engine(self) -> Engine:
        found = self._engine()
        if found is None:
            raise RuntimeError("the statistics cube's engine is gone")
        return found

    def _refresh(self) -> None:
        mark = watermark(self.engine)
        if self.cube is None or mark.count < self.mark.count:
            self._load_all(mark)
        elif mark != self.mark:
            self._load_since(mark)

    def _load_all(self, mark: Watermark) -> None:
        started = time.perf_counter()
        cube = Cube(utc_offset_s=self.utc_offset_s)
        segments = [cube.encode_columns(columns) for columns, _ in _chunks(self.engine, None)]
        cube.load(type(cube.main).concat(segments) if segments else cube.main)
        self.cube, self.mark = cube, mark
        self.loaded_s = time.perf_counter() - started

    def _load_since(self, mark: Watermark) -> None:
        if self.cube is None:
            self._load_all(mark)
            return
        changed = OFFENCES.c.id > self.mark.max_id
        if self.mark.updated_at is not None:
            # >= and not >: rows written in the same instant as the last watermark may have come after its read.
            changed = sa.or_(changed, OFFENCES.c.updated_at >= self.mark.updated_at)
        # Copy on write: requests keep reading the old cube while the copy takes the changes, then it is swapped.
        fresh = self.cube.fork()
        for columns, drafts in _chunks(self.engine, changed):
            fresh.upsert(fresh.encode_columns(columns), np.array(drafts, np.int64))
        self.cube, self.mark = fresh, mark


_STORES: weakref.WeakKeyDictionary[Engine, CubeStore] = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def store_for(engine: Engine, *, utc_offset_s: int, refresh_s: float) -> CubeStore:
    """The one cube store of ``engine`` in this process."""
    with _STORES_LOCK:
        found = _STORES.get(engine)
        if found is None:
            found = _STORES[engine] = CubeStore(engine, utc_offset_s=utc_offset_s, refresh_s=refresh_s)
        return found

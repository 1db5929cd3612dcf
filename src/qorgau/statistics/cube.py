"""A columnar in-memory cube of the offence registry: small integer codes in numpy arrays, sorted by day.

Figures over ten million records cannot be a SQL GROUP BY per request. The cube holds one row per counted offence
as codes (registration day, district, article group, class, severity, status, place type, hour, weekday, ...), the
main segment sorted by registration day so that any period is a contiguous slice found by binary search, and a
small unsorted delta segment that takes inserts and updates until it is merged (see ADR 0037).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int16]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float32]

EPOCH = date(1970, 1, 1)
# Coded text dimensions: the cube keeps an append-only vocabulary for each; code 0 stands for "none".
CODED = ("kind", "offence_class", "severity", "article_group", "status", "termination", "settlement", "place_type",
         "district")
# Merge the delta into the sorted main segment once it holds this share of the main one.
MERGE_SHARE = 0.02
MERGE_FLOOR = 50_000
MEMO_LIMIT = 64
_MISSING = object()
T = TypeVar("T")


def day_of(value: date) -> int:
    """Days since 1970-01-01: the cube's day index."""
    return (value - EPOCH).days


def date_of(day: int) -> date:
    """The date of a day index."""
    return date.fromordinal(EPOCH.toordinal() + int(day))


class Vocabulary:
    """Codes of one text dimension; code 0 is None, others in order of first sight (stable across refreshes)."""

    def __init__(self) -> None:
        self.labels: list[str | None] = [None]
        self._codes: dict[str | None, int] = {None: 0}

    def code(self, label: str | None) -> int:
        """The code of ``label``, added when new."""
        found = self._codes.get(label)
        if found is None:
            found = len(self.labels)
            self._codes[label] = found
            self.labels.append(label)
        return found

    def find(self, label: str | None) -> int | None:
        """The code of ``label``; None when the cube has never seen it."""
        return self._codes.get(label)

    def encode(self, values: Iterable[str | None]) -> Codes:
        """Codes of many labels; a dictionary lookup in C for each, Python only for labels never seen."""
        labels = list(values)
        found = list(map(self._codes.get, labels))
        if None in found:
            found = [self.code(label) if code is None else code for code, label in zip(found, labels, strict=True)]
        return np.array(found, np.int16).reshape(len(labels))

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class Segment:
    """Rows of the cube as parallel arrays."""

    ids: Ints
    day: npt.NDArray[np.int32]
    hour: npt.NDArray[np.int8]  # local hour of commission, -1 unknown
    weekday: npt.NDArray[np.int8]  # local weekday of commission (Monday 0), -1 unknown
    generated: Bools
    identified: Bools  # at least one person identified
    lon: Floats
    lat: Floats
    codes: dict[str, Codes]

    def __len__(self) -> int:
        return int(self.ids.size)

    def take(self, index: npt.NDArray[Any] | slice) -> Segment:
        """The rows at ``index`` (an integer index or a mask)."""
        return Segment(ids=self.ids[index], day=self.day[index], hour=self.hour[index], weekday=self.weekday[index],
                       generated=self.generated[index], identified=self.identified[index], lon=self.lon[index],
                       lat=self.lat[index], codes={k: v[index] for k, v in self.codes.items()})

    def column(self, name: str) -> npt.NDArray[Any]:
        """A column by name: a coded dimension, or hour/weekday/day."""
        if name in self.codes:
            return self.codes[name]
        value: npt.NDArray[Any] = getattr(self, name)
        return value

    @staticmethod
    def concat(parts: Sequence[Segment]) -> Segment:
        return Segment(
            ids=np.concatenate([p.ids for p in parts]), day=np.concatenate([p.day for p in parts]),
            hour=np.concatenate([p.hour for p in parts]), weekday=np.concatenate([p.weekday for p in parts]),
            generated=np.concatenate([p.generated for p in parts]),
            identified=np.concatenate([p.identified for p in parts]),
            lon=np.concatenate([p.lon for p in parts]), lat=np.concatenate([p.lat for p in parts]),
            codes={k: np.concatenate([p.codes[k] for p in parts]) for k in CODED})


def empty_segment() -> Segment:
    return Segment(ids=np.zeros(0, np.int64), day=np.zeros(0, np.int32), hour=np.zeros(0, np.int8),
                   weekday=np.zeros(0, np.int8), generated=np.zeros(0, bool), identified=np.zeros(0, bool),
                   lon=np.zeros(0, np.float32), lat=np.zeros(0, np.float32),
                   codes={k: np.zeros(0, np.int16) for k in CODED})


@dataclass(frozen=True)
class Record:
    """One offence as the cube needs it (the registry's contract columns)."""

    id: int
    registered_on: date
    committed_at: datetime | None
    kind: str
    offence_class: str
    severity: str | None
    article_group: str | None
    status: str
    termination_ground: str | None
    persons_identified: int
    lon: float | None
    lat: float | None
    settlement: str | None
    district_id: int | None
    place_type: str | None
    generated: bool


# Which rows of a segment a slice keeps: all of them (None), a boolean mask, or row indices (when few are kept,
# so that each further count touches only those rows instead of the whole period).
Selection = npt.NDArray[np.bool_] | npt.NDArray[np.intp] | None
# Below this share of kept rows a mask becomes an index array.
INDEX_SHARE = 0.125


@dataclass(frozen=True)
class Slice:
    """The rows of one period that pass a filter: a few (segment, selection) pairs to count over."""

    parts: tuple[tuple[Segment, Selection], ...]

    def count(self) -> int:
        return sum(_size(seg, sel) for seg, sel in self.parts)

    def values(self, column: str) -> list[npt.NDArray[Any]]:
        """The kept values of a column, one array per part."""
        return [seg.column(column) if sel is None else seg.column(column)[sel] for seg, sel in self.parts]

    def bincount(self, column: str, size: int, *, offset: int = 0) -> Ints:
        """Counts per code of ``column`` (codes shifted by ``offset``, e.g. 1 for hour/weekday's -1)."""
        total = np.zeros(size, np.int64)
        for values in self.values(column):
            total += np.bincount(values.astype(np.intp) + offset, minlength=size)[:size]
        return total

    def matrix(self, rows: str, cols: str, shape: tuple[int, int], *, offset: int = 0) -> Ints:
        """A two-way count (e.g. weekday × hour) with both codes shifted by ``offset``."""
        flat = np.zeros(shape[0] * shape[1], np.int64)
        for r, c in zip(self.values(rows), self.values(cols), strict=True):
            key = (r.astype(np.intp) + offset) * shape[1] + (c.astype(np.intp) + offset)
            flat += np.bincount(key, minlength=flat.size)[:flat.size]
        return flat.reshape(shape)

    def points(self) -> Points:
        """Positions, local hours and days of the rows that have a position."""
        lon, lat, hour, day = (np.concatenate(self.values(c)) for c in ("lon", "lat", "hour", "day"))
        keep = ~np.isnan(lon)
        return Points(lon=lon[keep], lat=lat[keep], hour=hour[keep], day=day[keep])


def _size(seg: Segment, sel: Selection) -> int:
    if sel is None:
        return len(seg)
    return int(sel.sum()) if sel.dtype == np.bool_ else int(sel.size)


def _narrow(sel: Selection, test: npt.NDArray[np.bool_]) -> Selection:
    """``sel`` further restricted to the rows where ``test`` (computed on the kept rows only) holds."""
    if sel is None or sel.dtype == np.bool_:
        mask = test if sel is None else sel & test
        if mask.size and np.count_nonzero(mask) < INDEX_SHARE * mask.size:
            return np.flatnonzero(mask)
        return mask
    return sel[test]


@dataclass(frozen=True)
class Points:
    lon: Floats
    lat: Floats
    hour: npt.NDArray[np.int8]
    day: npt.NDArray[np.int32]


def _days(values: Sequence[Any]) -> npt.NDArray[np.int32]:
    """Day indexes of dates (objects or ISO text)."""
    if not len(values):
        return np.zeros(0, np.int32)
    if isinstance(values[0], str):
        return np.array([v[:10] for v in values], dtype="datetime64[D]").astype(np.int64).astype(np.int32)
    return np.fromiter((day_of(v) for v in values), np.int32, len(values))


def _epoch_seconds(values: Sequence[Any]) -> npt.NDArray[np.float64]:
    """Seconds since the epoch of UTC times (aware datetimes or SQLite's ISO text), NaN where unknown."""
    out = np.full(len(values), np.nan)
    texts = [(k, v) for k, v in enumerate(values) if isinstance(v, str)]
    if texts:
        at = np.array([v[:19].replace(" ", "T") for _, v in texts], dtype="datetime64[s]").astype(np.float64)
        out[[k for k, _ in texts]] = at
    for k, v in enumerate(values):
        if isinstance(v, datetime):
            out[k] = v.timestamp()
    return out


@dataclass
class Cube:
    """The cube: a day-sorted main segment with tombstones, and an unsorted delta of newer rows."""

    utc_offset_s: int
    vocab: dict[str, Vocabulary] = field(default_factory=lambda: {k: Vocabulary() for k in CODED})
    main: Segment = field(default_factory=empty_segment)
    alive: Bools = field(default_factory=lambda: np.zeros(0, bool))
    delta: Segment = field(default_factory=empty_segment)
    _id_order: Ints = field(default_factory=lambda: np.zeros(0, np.int64))
    # Figures derived from every row (a hot-spot grid's study area): valid until the rows change.
    memo: dict[Any, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.alive.sum()) + len(self.delta)

    def encode(self, records: Sequence[Record]) -> Segment:
        """Records as a segment (see ``encode_columns``)."""
        names = ("id", "registered_on", "committed_at", "kind", "offence_class", "severity", "article_group",
                 "status", "termination_ground", "persons_identified", "lon", "lat", "settlement", "district_id",
                 "place_type", "generated")
        return self.encode_columns({n: [getattr(r, n) for r in records] for n in names})

    def encode_columns(self, columns: Mapping[str, Sequence[Any]]) -> Segment:
        """Columns of the registry's contract as a segment, hour and weekday in local time.

        The offset is fixed (Kazakhstan keeps no daylight saving time). Dates and times come as date/datetime
        objects (PostgreSQL) or as the ISO text SQLite keeps (UTC, as the registry always stores them).
        """
        n = len(columns["id"])
        seconds = _epoch_seconds(columns["committed_at"])
        local = np.floor((seconds + self.utc_offset_s) / 3600.0)
        known = ~np.isnan(local)
        hours = np.full(n, -1, np.int8)
        weekdays = np.full(n, -1, np.int8)
        hours[known] = (local[known] % 24).astype(np.int8)
        # 1970-01-01 was a Thursday (weekday 3).
        weekdays[known] = ((np.floor(local[known] / 24) + 3) % 7).astype(np.int8)
        sources = {"kind": "kind", "offence_class": "offence_class", "severity": "severity",
                   "article_group": "article_group", "status": "status", "termination": "termination_ground",
                   "settlement": "settlement", "place_type": "place_type"}
        codes = {k: self.vocab[k].encode(columns[v]) for k, v in sources.items()}
        codes["district"] = self.vocab["district"].encode(None if d is None else str(d)
                                                          for d in columns["district_id"])
        return Segment(
            ids=np.asarray(columns["id"], np.int64).reshape(n), day=_days(columns["registered_on"]),
            hour=hours, weekday=weekdays, generated=np.asarray(columns["generated"], bool).reshape(n),
            identified=np.asarray([p is not None and p > 0 for p in columns["persons_identified"]], bool).reshape(n),
            lon=np.asarray([np.nan if v is None else v for v in columns["lon"]], np.float32).reshape(n),
            lat=np.asarray([np.nan if v is None else v for v in columns["lat"]], np.float32).reshape(n),
            codes=codes)

    def remember(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``'s answer, kept with the cube until its rows change (at most MEMO_LIMIT answers at a time)."""
        found = self.memo.get(key, _MISSING)  # one lookup: another request may clear the memo in between
        if found is not _MISSING:
            kept: T = found
            return kept
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
        made = self.memo[key] = make()
        return made

    def fork(self) -> Cube:
        """A copy that can take upserts while this one is read: arrays shared, the tombstones copied.

        Vocabularies are shared: they only ever grow, and codes a reader of this cube sees keep their labels.
        """
        return Cube(utc_offset_s=self.utc_offset_s, vocab=self.vocab, main=self.main, alive=self.alive.copy(),
                    delta=self.delta, _id_order=self._id_order)

    def load(self, segment: Segment) -> None:
        """Replace the whole cube by ``segment`` (sorted here by day)."""
        self.memo.clear()
        order = np.argsort(segment.day, kind="stable")
        self.main = segment.take(order)
        self.alive = np.ones(len(self.main), bool)
        self.delta = empty_segment()
        self._id_order = np.argsort(self.main.ids, kind="stable")

    def upsert(self, segment: Segment, removed: Ints | None = None) -> None:
        """Insert or replace rows by id (a changed record replaces its old row); drop ``removed`` ids."""
        self.memo.clear()
        gone = segment.ids if removed is None else np.concatenate([segment.ids, removed])
        if len(self.main):
            sorted_ids = self.main.ids[self._id_order]
            at = np.searchsorted(sorted_ids, gone)
            found = (at < sorted_ids.size) & (sorted_ids[np.minimum(at, sorted_ids.size - 1)] == gone)
            self.alive[self._id_order[at[found]]] = False
        kept = self.delta.take(~np.isin(self.delta.ids, gone))
        self.delta = Segment.concat([kept, segment])
        if len(self.delta) > max(MERGE_FLOOR, MERGE_SHARE * len(self.main)):
            self.load(Segment.concat([self.main.take(self.alive), self.delta]))

    def select(self, first: date, last: date, where: Mapping[str, Sequence[int]] | None = None, *,
               include_generated: bool = False) -> Slice:
        """The rows registered from ``first`` to ``last`` inclusive that pass ``where`` (column -> codes)."""
        lo_day, hi_day = day_of(first), day_of(last)
        # Keys of the array's own dtype: a Python int would make numpy cast all ten million days first (10 ms).
        lo = int(np.searchsorted(self.main.day, np.int32(lo_day), side="left"))
        hi = int(np.searchsorted(self.main.day, np.int32(hi_day), side="right"))
        main = self.main.take(slice(lo, hi))  # views, not copies
        alive = self.alive[lo:hi]
        parts: list[tuple[Segment, Selection]] = [
            (main, self._select(main, None, where, include_generated, None if alive.all() else alive))]
        if len(self.delta):
            in_period = (self.delta.day >= lo_day) & (self.delta.day <= hi_day)
            parts.append((self.delta, self._select(self.delta, in_period, where, include_generated, None)))
        return Slice(tuple(parts))

    @staticmethod
    def _select(seg: Segment, base: Selection, where: Mapping[str, Sequence[int]] | None, include_generated: bool,
                alive: npt.NDArray[np.bool_] | None) -> Selection:
        # The filters first: they are the most selective, and once few rows are left the rest looks at those only.
        sel = base
        for column, wanted in (where or {}).items():
            values = seg.column(column) if sel is None or sel.dtype == np.bool_ else seg.column(column)[sel]
            test = values == wanted[0] if len(wanted) == 1 else np.isin(values, np.asarray(wanted))
            sel = _narrow(sel, test)
        for flags, keep_true in ((alive, True), (None if include_generated else seg.generated, False)):
            if flags is None:
                continue
            values = flags if sel is None or sel.dtype == np.bool_ else flags[sel]
            if (keep_true and bool(values.all())) or (not keep_true and not bool(values.any())):
                continue
            sel = _narrow(sel, values if keep_true else ~values)
        return sel

"""Watch lists: lists and entries edited with who and why (audited), the CSV import (all or none, every problem
with its line), and the matcher every recorded read is compared with (cached per process, rebuilt on change)."""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.errors import Conflict, NotFound, ValidationFailed
from qorgau.core.time import as_utc, utcnow
from qorgau.roads.enums import RoadsAction, WatchlistKind
from qorgau.roads.matching import Candidate, Matcher, canonical, is_exact, valid_pattern
from qorgau.roads.models import Watchlist, WatchlistEntry
from qorgau.roads.schemas import EntryIn, EntryRead, ImportResult, WatchlistIn, WatchlistRead, normalise

CSV_COLUMNS = ("list", "kind", "pattern", "reason", "valid_until")
REQUIRED = ("list", "kind", "pattern", "reason")
MAX_IMPORT_ROWS = 50_000


def problem(code: str, line: int | None = None, field: str | None = None, **params: Any) -> dict[str, str]:
    """One problem of an input: its translation key, its line in the file and the facts."""
    found = {"code": f"roads.problem.{code}", "line": "" if line is None else str(line), "field": field or ""}
    found.update({k: str(v) for k, v in params.items()})
    return found


def _checked_pattern(text: str) -> str:
    pattern = normalise(text)
    if not valid_pattern(pattern):
        raise ValidationFailed("roads.invalid", params={"count": 1},
                               errors=[problem("bad_pattern", field="pattern", pattern=text)])
    return pattern


# --- lists ----------------------------------------------------------------------------------------------------


def get_list(session: Session, list_id: int) -> Watchlist:
    found = session.get(Watchlist, list_id)
    if found is None:
        raise NotFound("roads.watchlist_not_found", params={"id": list_id})
    return found


def list_read(watchlist: Watchlist, entries: int) -> WatchlistRead:
    return WatchlistRead(id=watchlist.id, name=watchlist.name, kind=WatchlistKind(watchlist.kind),
                         description=watchlist.description, enabled=watchlist.enabled, entries=entries,
                         created_by=watchlist.created_by, created_at=watchlist.created_at,
                         updated_at=watchlist.updated_at)


def lists(session: Session) -> list[WatchlistRead]:
    counts = {list_id: count for list_id, count in session.execute(
        select(WatchlistEntry.watchlist_id, func.count()).group_by(WatchlistEntry.watchlist_id))}
    return [list_read(w, counts.get(w.id, 0)) for w in session.scalars(select(Watchlist).order_by(Watchlist.name))]


def _name_free(session: Session, name: str, list_id: int | None) -> None:
    other = session.scalar(select(Watchlist.id).where(Watchlist.name == name))
    if other is not None and other != list_id:
        raise Conflict("roads.watchlist_exists", params={"name": name})


def create_list(session: Session, *, list_in: WatchlistIn, actor: audit.Actor) -> Watchlist:
    _name_free(session, list_in.name, None)
    now = utcnow()
    watchlist = Watchlist(name=list_in.name, kind=str(list_in.kind), description=list_in.description,
                          enabled=list_in.enabled, created_by=actor.name or actor.ref, created_at=now, updated_at=now)
    session.add(watchlist)
    session.flush()
    audit.record(session, action=RoadsAction.WATCHLIST_CREATE, actor=actor, target_type="watchlist",
                 target_id=str(watchlist.id), details={"name": list_in.name, "kind": str(list_in.kind),
                                                      "reason": list_in.reason})
    return watchlist


def update_list(session: Session, *, list_id: int, list_in: WatchlistIn, actor: audit.Actor) -> Watchlist:
    watchlist = get_list(session, list_id)
    _name_free(session, list_in.name, list_id)
    before = {"name": watchlist.name, "kind": watchlist.kind, "enabled": watchlist.enabled}
    watchlist.name, watchlist.kind, watchlist.description = list_in.name, str(list_in.kind), list_in.description
    watchlist.enabled, watchlist.updated_at = list_in.enabled, utcnow()
    audit.record(session, action=RoadsAction.WATCHLIST_UPDATE, actor=actor, target_type="watchlist",
                 target_id=str(list_id), details={"before": before, "name": list_in.name, "kind": str(list_in.kind),
                                                  "enabled": list_in.enabled, "reason": list_in.reason})
    return watchlist


def delete_list(session: Session, *, list_id: int, reason: str, actor: audit.Actor) -> None:
    watchlist = get_list(session, list_id)
    entries = session.scalar(select(func.count()).where(WatchlistEntry.watchlist_id == list_id)) or 0
    session.execute(delete(WatchlistEntry).where(WatchlistEntry.watchlist_id == list_id))
    session.delete(watchlist)
    audit.record(session, action=RoadsAction.WATCHLIST_DELETE, actor=actor, target_type="watchlist",
                 target_id=str(list_id), details={"name": watchlist.name, "entries": entries, "reason": reason})


# --- entries --------------------------------------------------------------------------------------------------


def entry_read(entry: WatchlistEntry) -> EntryRead:
    return EntryRead(id=entry.id, watchlist_id=entry.watchlist_id, pattern=entry.pattern, exact=entry.exact,
                     reason=entry.reason, added_by=entry.added_by, added_at=entry.added_at,
                     updated_by=entry.updated_by, updated_at=entry.updated_at, valid_until=entry.valid_until)


def entries(session: Session, list_id: int) -> list[EntryRead]:
    get_list(session, list_id)
    rows = session.scalars(select(WatchlistEntry).where(WatchlistEntry.watchlist_id == list_id)
                           .order_by(WatchlistEntry.pattern))
    return [entry_read(e) for e in rows]


def _get_entry(session: Session, list_id: int, entry_id: int) -> WatchlistEntry:
    entry = session.get(WatchlistEntry, entry_id)
    if entry is None or entry.watchlist_id != list_id:
        raise NotFound("roads.entry_not_found", params={"id": entry_id})
    return entry


def _pattern_free(session: Session, list_id: int, pattern: str, entry_id: int | None) -> None:
    other = session.scalar(select(WatchlistEntry.id).where(WatchlistEntry.watchlist_id == list_id,
                                                           WatchlistEntry.pattern == pattern))
    if other is not None and other != entry_id:
        raise Conflict("roads.entry_exists", params={"pattern": pattern})


def add_entry(session: Session, *, list_id: int, entry_in: EntryIn, actor: audit.Actor) -> WatchlistEntry:
    get_list(session, list_id)
    pattern = _checked_pattern(entry_in.pattern)
    _pattern_free(session, list_id, pattern, None)
    now, who = utcnow(), actor.name or actor.ref
    entry = WatchlistEntry(watchlist_id=list_id, pattern=pattern, pattern_key=canonical(pattern),
                           exact=is_exact(pattern), reason=entry_in.reason, added_by=who, added_at=now,
                           updated_by=who, updated_at=now, valid_until=entry_in.valid_until)
    session.add(entry)
    session.flush()
    audit.record(session, action=RoadsAction.ENTRY_ADD, actor=actor, target_type="watchlist_entry",
                 target_id=str(entry.id), details={"list": list_id, "pattern": pattern, "reason": entry_in.reason})
    return entry


def update_entry(session: Session, *, list_id: int, entry_id: int, entry_in: EntryIn,
                 actor: audit.Actor) -> WatchlistEntry:
    entry = _get_entry(session, list_id, entry_id)
    pattern = _checked_pattern(entry_in.pattern)
    _pattern_free(session, list_id, pattern, entry_id)
    before = {"pattern": entry.pattern, "reason": entry.reason,
              "valid_until": entry.valid_until.isoformat() if entry.valid_until else None}
    entry.pattern, entry.pattern_key, entry.exact = pattern, canonical(pattern), is_exact(pattern)
    entry.reason, entry.valid_until = entry_in.reason, entry_in.valid_until
    entry.updated_by, entry.updated_at = actor.name or actor.ref, utcnow()
    audit.record(session, action=RoadsAction.ENTRY_UPDATE, actor=actor, target_type="watchlist_entry",
                 target_id=str(entry_id), details={"list": list_id, "before": before, "pattern": pattern,
                                                   "reason": entry_in.reason})
    return entry


def remove_entry(session: Session, *, list_id: int, entry_id: int, reason: str, actor: audit.Actor) -> None:
    entry = _get_entry(session, list_id, entry_id)
    session.delete(entry)
    # The delete changes neither the count's maximum id nor an updated_at: touch the list so the matcher reloads.
    get_list(session, list_id).updated_at = utcnow()
    audit.record(session, action=RoadsAction.ENTRY_REMOVE, actor=actor, target_type="watchlist_entry",
                 target_id=str(entry_id), details={"list": list_id, "pattern": entry.pattern, "reason": reason})


# --- CSV import -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    list_name: str
    kind: WatchlistKind
    pattern: str
    reason: str
    valid_until: datetime | None


def _parse_time(text: str) -> datetime | None:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("naive")
    return as_utc(value)


def _parse_row(line: int, values: dict[str, str], problems: list[dict[str, str]]) -> _Row | None:
    missing = [name for name in REQUIRED if not values.get(name, "").strip()]
    problems += [problem("missing_field", line, name) for name in missing]
    found = len(problems)
    kind_text = values.get("kind", "").strip().lower()
    if kind_text and kind_text not in set(WatchlistKind):
        problems.append(problem("unknown_kind", line, "kind", kind=kind_text))
    pattern = normalise(values.get("pattern", ""))
    if pattern and not valid_pattern(pattern):
        problems.append(problem("bad_pattern", line, "pattern", pattern=values.get("pattern", "")))
    reason = values.get("reason", "").strip()
    if len(reason) > 400:
        problems.append(problem("too_long", line, "reason"))
    valid_until = None
    if until := values.get("valid_until", "").strip():
        try:
            valid_until = _parse_time(until)
        except ValueError:
            problems.append(problem("bad_time", line, "valid_until", value=until))
    if missing or len(problems) > found:
        return None
    return _Row(line, values["list"].strip()[:120], WatchlistKind(kind_text), pattern, reason, valid_until)


def parse_csv(text: str) -> tuple[list[_Row], list[dict[str, str]]]:
    """The rows of a watch-list CSV (comma or semicolon, optional BOM); line 1 is the header."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        return [], [problem("empty_file", 1)]
    problems = [problem("unknown_column", 1, name) for name in header if name not in CSV_COLUMNS]
    problems += [problem("missing_column", 1, name) for name in REQUIRED if name not in header]
    if problems:
        return [], problems
    rows: list[_Row] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if number > MAX_IMPORT_ROWS + 1:
                return [], [problem("too_many_rows", number, limit=MAX_IMPORT_ROWS)]
            row = _parse_row(number, dict(zip(header, cells, strict=False)), problems)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.append(problem("bad_file", reader.line_num, detail=str(exc)))
    return rows, problems


def import_csv(session: Session, *, text: str, reason: str, actor: audit.Actor) -> ImportResult:
    """Add every row's entry (creating the lists it names), or nothing: every problem comes back with its line."""
    rows, problems = parse_csv(text)
    existing = {w.name: w for w in session.scalars(select(Watchlist))}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        known = existing.get(row.list_name)
        if known is not None and known.kind != row.kind:
            problems.append(problem("kind_mismatch", row.line, "kind", list=row.list_name, kind=known.kind))
        first = seen.setdefault((row.list_name, row.pattern), row.line)
        if first != row.line:
            problems.append(problem("duplicate", row.line, "pattern", pattern=row.pattern, first=first))
    have = set()
    if existing:
        have = {(name, pattern) for name, pattern in session.execute(
            select(Watchlist.name, WatchlistEntry.pattern).join(Watchlist))}
    problems += [problem("already_listed", row.line, "pattern", pattern=row.pattern, list=row.list_name)
                 for row in rows if (row.list_name, row.pattern) in have]
    if not rows and not problems:
        problems.append(problem("no_rows", None))
    if problems:
        problems.sort(key=lambda p: int(p["line"] or 0))
        raise ValidationFailed("roads.import_rejected", params={"count": len({p["line"] for p in problems})},
                               errors=problems)
    now, who = utcnow(), actor.name or actor.ref
    added: dict[str, int] = {}
    for row in rows:
        if row.list_name not in existing:
            existing[row.list_name] = create_list(session, list_in=WatchlistIn(
                name=row.list_name, kind=row.kind, reason=reason), actor=actor)
        watchlist = existing[row.list_name]
        session.add(WatchlistEntry(watchlist_id=watchlist.id, pattern=row.pattern, pattern_key=canonical(row.pattern),
                                   exact=is_exact(row.pattern), reason=row.reason, added_by=who, added_at=now,
                                   updated_by=who, updated_at=now, valid_until=row.valid_until))
        added[row.list_name] = added.get(row.list_name, 0) + 1
    session.flush()
    audit.record(session, action=RoadsAction.IMPORT, actor=actor, target_type="watchlist",
                 details={"added": len(rows), "lists": added, "reason": reason})
    return ImportResult(added=len(rows), lists=added)


# --- the matcher ----------------------------------------------------------------------------------------------


@dataclass
class _Cached:
    revision: tuple[Any, ...] | None = None
    matcher: Matcher | None = None


_CACHE = _Cached()
_LOCK = threading.Lock()


def _revision(session: Session) -> tuple[Any, ...]:
    """Changes whenever an entry or a list is added, edited or removed (removals touch their list)."""
    entries_row = session.execute(select(func.count(WatchlistEntry.id), func.max(WatchlistEntry.id),
                                         func.max(WatchlistEntry.updated_at))).one()
    lists_row = session.execute(select(func.count(Watchlist.id), func.max(Watchlist.updated_at))).one()
    return (*entries_row, *lists_row)


def matcher(session: Session) -> Matcher:
    """The matcher of every entry of an enabled list, rebuilt when the lists changed."""
    revision = _revision(session)
    with _LOCK:
        if _CACHE.matcher is not None and _CACHE.revision == revision:
            return _CACHE.matcher
    rows = session.execute(select(WatchlistEntry.id, WatchlistEntry.pattern_key, WatchlistEntry.valid_until)
                           .join(Watchlist).where(Watchlist.enabled.is_(True)))
    built = Matcher.of(Candidate(entry_id, key, until) for entry_id, key, until in rows)
    with _LOCK:
        _CACHE.revision, _CACHE.matcher = revision, built
    return built

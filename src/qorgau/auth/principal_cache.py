"""Resolved credentials kept for a few seconds, so a request does not read its session or token and user each time.

Every API request used to open a read transaction for its credential (a pool checkout, a ping, two selects); under
write load that was a tenth of the server's time. A resolved principal is now kept for ``TTL_S`` seconds. A change
that could make a kept principal wrong (a user edited or disabled, a session ended, a token revoked: any write to
these tables other than a new credential or the once-a-minute touch) clears the whole cache when its transaction
flushes and again when it commits, in this process; a change made by another process is seen within ``TTL_S``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import instance_state

from qorgau.auth.models import ApiToken, User, WebSession
from qorgau.auth.service import Principal

TTL_S = 2.0
MAX_ENTRIES = 10_000
_WATCHED = (User, WebSession, ApiToken)
_WATCHED_TABLES = frozenset(model.__tablename__ for model in _WATCHED)
# Written on every use about once a minute; they never change whether a credential is valid.
_TOUCH_COLUMNS = {WebSession: "last_seen_at", ApiToken: "last_used_at"}
_CHANGED = "qorgau.credentials_changed"

Key = tuple[str, str, str]  # (database, "session" or "token", digest of the secret)


class PrincipalCache:
    """Principals by credential for ``ttl_s``; an entry made from a read older than the last change is never used."""

    def __init__(self, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[Key, tuple[Principal, float, int]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        """Read before looking a credential up; `put` keeps the result only if nothing changed since."""
        return self._generation

    def get(self, key: Key) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        principal, until, generation = entry
        if generation != self._generation or until <= time.monotonic():
            return None
        return principal

    def put(self, key: Key, principal: Principal, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # a change committed while this was read: the read may be stale
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # many credentials at once: start over rather than track ages
            self._entries[key] = (principal, time.monotonic() + self.ttl_s, generation)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()


CACHE = PrincipalCache()


def _changes_credentials(obj: Any, *, created: bool) -> bool:
    if not isinstance(obj, _WATCHED):
        return False
    if created:
        return isinstance(obj, User)  # a new session or token cannot have been kept; a new user may replace one
    touch = _TOUCH_COLUMNS.get(type(obj))
    state = instance_state(obj)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return not changed <= {touch}


@sa_event.listens_for(Session, "before_flush")
def _note_flushed_changes(session: Session, _context: Any, _instances: Any) -> None:
    if (any(isinstance(obj, _WATCHED) for obj in session.deleted)  # a sign-out, an ended session, a deleted user
            or any(_changes_credentials(obj, created=True) for obj in session.new)
            or any(_changes_credentials(obj, created=False) for obj in session.dirty)):
        session.info[_CHANGED] = True
        CACHE.clear()


@sa_event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        state.session.info[_CHANGED] = True
        CACHE.clear()


@sa_event.listens_for(Session, "after_commit")
def _clear_on_commit(session: Session) -> None:
    # Cleared again now: a request that read between the flush and the commit saw the old rows.
    if session.info.pop(_CHANGED, False):
        CACHE.clear()


@sa_event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)

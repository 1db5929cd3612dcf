"""Database engine, declarative base and the unit of work.

Service functions never commit: the request, the flow or the CLI command owns the
transaction through :func:`unit_of_work`. SQLite runs in WAL mode and write
transactions begin IMMEDIATE so that a read-then-write never fails on a stale
snapshot (the audit chain and the outbox rely on it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from qorgau.core import sqlite_gate
from qorgau.core.time import as_utc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLITE_BUSY_TIMEOUT_S = 30.0
# SQLSTATEs of a PostgreSQL failover on a connection that is still open: the server shutting down or crashing
# (57P01, 57P02), one not yet accepting (57P03), a connection failure (class 08), and a session on a server that is
# (still, or again) a standby (25006 read_only_sql_transaction). SQLAlchemy does not count them all as
# disconnects, and a pooled connection to the old primary would be handed out again.
FAILOVER_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "25006", "08000", "08001", "08003", "08004", "08006"})
T = TypeVar("T")
log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    """Declarative base of every Qorgau table."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamp stored in UTC and always read back as an aware UTC datetime (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC time")
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Engine with the pragmas and pool that suit each database."""
    if is_sqlite(url):
        database = make_url(url).database
        gate = sqlite_gate.gate_for(database, SQLITE_BUSY_TIMEOUT_S)
        if sqlite_gate.is_file(database) and "poolclass" not in kwargs:
            # A writer waiting for its turn holds a pooled connection: room for the background writers and the
            # API's admitted writes (api.middleware.WRITE_ADMISSION) beside the readers of the same pool.
            kwargs = {"pool_size": 10, "max_overflow": 40, **kwargs}
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False,
                                                  "factory": sqlite_gate.connection_class(gate)}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if "poolclass" not in kwargs:
        kwargs = {"pool_size": 10, "max_overflow": 20, **kwargs}
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    _invalidate_on_failover(engine)
    return engine


def is_failover_error(exc: BaseException) -> bool:
    """Whether `exc` says the database went away or is no longer the primary (the work was not done, or not known
    to be): a failover, a restart, a lost connection. Integrity and other data errors are not."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig if exc.orig is not None else exc
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate in FAILOVER_SQLSTATES:
        return True
    # psycopg raises OperationalError without an SQLSTATE when the server vanished or refused the connection
    # (SQLite's OperationalError, "database is locked", is not a failover).
    return (type(exc).__name__ == "OperationalError" and type(exc).__module__.startswith("psycopg")
            and sqlstate is None)


def _invalidate_on_failover(engine: Engine) -> None:
    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        # Counted as a disconnect, the connection is dropped and the pool's older connections are invalidated
        # too: after a failover every one of them points at the old primary (or at a standby).
        if not context.is_disconnect and getattr(context.original_exception, "sqlstate", None) in FAILOVER_SQLSTATES:
            context.is_disconnect = True


class OutageBudget:
    """`retry_on_failover` with one time budget per outage, for a writer that calls it again and again.

    Once an outage has lasted `within_s`, each call tries once and fails fast until a call succeeds: a writer
    that splits a failed group into its messages must not wait the whole budget again for every one of them.
    """

    def __init__(self, within_s: float) -> None:
        self.within_s = within_s
        self._down_since: float | None = None

    def __call__(self, work: Callable[[], T]) -> T:
        started = time.monotonic()
        since = self._down_since if self._down_since is not None else started
        try:
            result = retry_on_failover(work, within_s=max(0.0, since + self.within_s - started))
        except Exception as exc:
            if is_failover_error(exc) and self._down_since is None:
                self._down_since = started
            raise
        self._down_since = None
        return result


def retry_on_failover(work: Callable[[], T], *, within_s: float = 30.0, first_delay_s: float = 0.2) -> T:
    """Run `work` again while it fails with a failover error, for up to `within_s` seconds, backing off.

    Only for work that is safe to repeat: a read, or a unit of work whose effect is idempotent (a second commit
    changes nothing, or is refused by a uniqueness). Whether a commit that failed mid-way took effect is unknown;
    the caller must not report success for it (a DC-09 frame gets no ACK) unless a retry succeeds.
    """
    deadline = time.monotonic() + within_s
    delay = first_delay_s
    while True:
        try:
            return work()
        except Exception as exc:
            if not is_failover_error(exc) or time.monotonic() + delay > deadline:
                raise
            log.warning("database unavailable (%s); retrying in %.1fs", type(exc).__name__, delay)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode == "IMMEDIATE":  # a writer: it waits for its turn at the gate, not in SQLite's busy handler
            conn.connection.dbapi_connection.begin_write(lambda: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        else:
            conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The engine and session factory of one process."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.is_sqlite = is_sqlite(url)
        # On SQLite the readers get a pool of their own. Writers wait for their turn holding a pooled connection;
        # sharing one pool, enough of them took every connection while the writer whose turn it was needed one
        # more for a read, and all stood still until the busy timeout (30 s).
        self._read_engine = make_engine(url, **engine_kwargs) if self.is_sqlite else self.engine
        read_bind = (self._read_engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite
                     else self.engine)
        self._read_sessions = sessionmaker(read_bind, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction, rolled back at the end; on SQLite it does not take the write lock."""
        with self._read_sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self._read_engine is not self.engine:
            self._read_engine.dispose()

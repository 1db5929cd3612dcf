"""Database engine, declarative base and the unit of work.

Service functions never commit: the request, the flow or the CLI command owns the
transaction through :func:`unit_of_work`. SQLite runs in WAL mode and write
transactions begin IMMEDIATE so that a read-then-write never fails on a stale
snapshot (the audit chain and the outbox rely on it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event, make_url
from sqlalchemy.engine import Dialect
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
    return create_engine(url, pool_pre_ping=True, **kwargs)


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

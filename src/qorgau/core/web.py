"""Request-scoped FastAPI dependencies shared by every domain's views, named once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Annotated, Any, cast

from fastapi import Depends, Path, Query
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from qorgau.core.i18n import negotiate
from qorgau.core.pagination import MAX_LIMIT
from qorgau.core.runtime import Runtime
from qorgau.core.settings import Language


def runtime_of(conn: HTTPConnection) -> Runtime:
    return cast(Runtime, conn.app.state.runtime)


# The request's write session, for `run_committing` in the route's worker thread (the context is copied there).
_REQUEST_SESSION: ContextVar[Session | None] = ContextVar("qorgau_request_session", default=None)


async def _write_session(conn: HTTPConnection) -> AsyncIterator[Session]:
    """The request's unit of work. Opened on the event loop: a session and its transaction object, no connection
    (so no thread hop). A route made by `api.transactions` commits it in its own worker thread; what is left open
    (an async route, a statement after that commit) is committed or rolled back here, in a worker thread."""
    unit: AbstractContextManager[Session] = runtime_of(conn).db.unit_of_work()
    session = unit.__enter__()
    _REQUEST_SESSION.set(session)
    try:
        yield session
    except BaseException as exc:
        await _finish(unit, session, exc)
        raise
    await _finish(unit, session, None)


async def _finish(unit: AbstractContextManager[Session], session: Session, exc: BaseException | None) -> None:
    if session.in_transaction():  # may hold a connection (and SQLite's write turn): database work, in a thread
        await run_in_threadpool(unit.__exit__, type(exc) if exc else None, exc, None)
    else:  # committed or rolled back by `run_committing`: closing touches no connection
        unit.__exit__(type(exc) if exc else None, exc, None)


def run_committing(endpoint: Callable[..., Any], values: dict[str, Any]) -> Any:
    """Run a synchronous route and end its unit of work in the same worker thread.

    A write takes SQLite's write turn (and, on PostgreSQL, row locks and the outbox lock) at its first statement;
    committed in the dependency's teardown, two thread hops later, the turn was held while the event loop and a
    free worker thread were awaited, which under load is where a write queue formed. Ended here, it is held only
    while this thread works.
    """
    session = _REQUEST_SESSION.get()
    try:
        result = endpoint(**values)
    except BaseException:
        if session is not None and session.in_transaction():
            session.rollback()
        raise
    if session is not None and session.in_transaction():
        session.commit()
    return result


def _read_session(conn: HTTPConnection) -> Iterator[Session]:
    with runtime_of(conn).db.reading() as session:
        yield session


async def _runtime(conn: HTTPConnection) -> Runtime:
    return runtime_of(conn)


def client_source(conn: HTTPConnection) -> str:
    """The caller's address, as audit and throttling key it."""
    return conn.client.host if conn.client else "unknown"


async def _client_source(conn: HTTPConnection) -> str:
    return client_source(conn)


def language(conn: HTTPConnection) -> Language:
    return negotiate(conn.headers.get("accept-language"), runtime_of(conn).settings.default_language)


async def _language(conn: HTTPConnection) -> Language:
    return language(conn)


# scope="function": the transaction ends before the response is sent. FastAPI's default ("request") commits after
# sending, so a client could be told 201 for a write that then fails to commit, or read before it is visible.
DbSession = Annotated[Session, Depends(_write_session, scope="function")]
ReadSession = Annotated[Session, Depends(_read_session, scope="function")]
# The plain dependencies are async: FastAPI runs a synchronous one in a worker thread, a hop (and, under load, a
# wait for the interpreter) for a few attribute reads.
AppRuntime = Annotated[Runtime, Depends(_runtime)]
ClientSource = Annotated[str, Depends(_client_source)]
RequestLanguage = Annotated[Language, Depends(_language)]

# openapi_extra key marking a route that may receive bodies up to max_import_bytes (bulk imports).
BULK_BODY_MARK = "x-qorgau-bulk-body"

PageLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]

# Every integer id in a path: row ids are INTEGER columns (signed 32 bits in PostgreSQL), so anything outside them is a
# 422 at the edge; an id beyond 64 bits used to reach the SQLite driver and fail there (OverflowError, a 500).
MAX_ROW_ID = 2**31 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Row id (1 .. 2^31-1).")]

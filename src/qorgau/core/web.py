"""Request-scoped FastAPI dependencies shared by every domain's views, named once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, Path, Query
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from qorgau.core.i18n import negotiate
from qorgau.core.pagination import MAX_LIMIT
from qorgau.core.runtime import Runtime
from qorgau.core.settings import Language


def runtime_of(conn: HTTPConnection) -> Runtime:
    return cast(Runtime, conn.app.state.runtime)


def _write_session(conn: HTTPConnection) -> Iterator[Session]:
    with runtime_of(conn).db.unit_of_work() as session:
        yield session


def _read_session(conn: HTTPConnection) -> Iterator[Session]:
    with runtime_of(conn).db.reading() as session:
        yield session


def client_source(conn: HTTPConnection) -> str:
    """The caller's address, as audit and throttling key it."""
    return conn.client.host if conn.client else "unknown"


def language(conn: HTTPConnection) -> Language:
    return negotiate(conn.headers.get("accept-language"), runtime_of(conn).settings.default_language)


# scope="function": the transaction ends before the response is sent. FastAPI's default ("request") commits after
# sending, so a client could be told 201 for a write that then fails to commit, or read before it is visible.
DbSession = Annotated[Session, Depends(_write_session, scope="function")]
ReadSession = Annotated[Session, Depends(_read_session, scope="function")]
AppRuntime = Annotated[Runtime, Depends(runtime_of)]
ClientSource = Annotated[str, Depends(client_source)]
RequestLanguage = Annotated[Language, Depends(language)]

# openapi_extra key marking a route that may receive bodies up to max_import_bytes (bulk imports).
BULK_BODY_MARK = "x-qorgau-bulk-body"

PageLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]

# Every integer id in a path: row ids are INTEGER columns (signed 32 bits in PostgreSQL), so anything outside them is a
# 422 at the edge; an id beyond 64 bits used to reach the SQLite driver and fail there (OverflowError, a 500).
MAX_ROW_ID = 2**31 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Row id (1 .. 2^31-1).")]

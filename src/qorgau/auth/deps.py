"""Route guards. Every route declares exactly one: ``Public``, ``Authenticated`` or ``Require(permission)``.

A test walks the app and fails on any route without a guard, and the app refuses to
start with one (see qorgau.api.guards).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from qorgau.audit import service as audit
from qorgau.audit.enums import Action, Outcome
from qorgau.auth import service
from qorgau.auth.enums import Permission
from qorgau.auth.passwords import same, token_digest
from qorgau.auth.principal_cache import CACHE, Key
from qorgau.auth.service import Principal
from qorgau.core.db import Database
from qorgau.core.errors import Forbidden, NotAuthenticated, QorgauError
from qorgau.core.web import client_source, runtime_of

SESSION_COOKIE = "qorgau_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Guard:
    """Base of route guards; the route walker recognises routes by these."""

    permission: Permission | None = None


class PublicGuard(Guard):
    """Open to anyone: sign-in, health, metrics, meta."""

    def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return "Public"


class PrincipalGuard(Guard):
    """Needs a signed-in user (session cookie or bearer token) and, optionally, one permission."""

    def __init__(self, permission: Permission | None = None) -> None:
        self.permission = permission

    async def __call__(self, conn: HTTPConnection) -> Principal:
        # On the event loop when the credential is kept (`principal_cache`): no hop to a worker thread, which under
        # load costs a wait for the GIL; a lookup or an audited refusal touches the database, so in a thread.
        principal = _kept(conn)
        if principal is None:
            principal = await run_in_threadpool(_authenticate, conn)
        if principal is None:
            raise NotAuthenticated()
        if self.permission is not None and not principal.can(self.permission):
            await run_in_threadpool(self._refuse, conn, principal)
        return principal

    def _refuse(self, conn: HTTPConnection, principal: Principal) -> None:
        runtime = runtime_of(conn)
        runtime.metrics.permission_denials.labels(str(self.permission)).inc()
        with runtime.db.unit_of_work() as session:
            audit.record(
                session, action=Action.PERMISSION_DENIED, outcome=Outcome.DENIED,
                actor=principal.actor(client_source(conn)),
                details={"permission": str(self.permission), "path": conn.url.path,
                         "method": conn.scope.get("method", "WEBSOCKET")},
            )
        raise Forbidden(params={"permission": str(self.permission)}, extra={"permission": str(self.permission)})

    def __repr__(self) -> str:
        return f"Require({self.permission})" if self.permission else "Authenticated"


def _kept(conn: HTTPConnection) -> Principal | None:
    """The kept principal of the request's credential, checked as `_authenticate` would; None if not kept."""
    authorization = conn.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return CACHE.get(_key(conn, "token", authorization[7:].strip()))
    token = conn.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    principal = CACHE.get(_key(conn, "session", token))
    if principal is not None:
        _check_cross_site(conn, principal)
    return principal


def _key(conn: HTTPConnection, kind: str, secret: str) -> Key:
    return (str(runtime_of(conn).db.url), kind, token_digest(secret))


def _authenticate(conn: HTTPConnection) -> Principal | None:
    runtime = runtime_of(conn)
    authorization = conn.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
        return _resolve(conn, _key(conn, "token", secret), lambda session: service.resolve_token(session, secret))
    token = conn.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    principal = _resolve(conn, _key(conn, "session", token),
                         lambda session: service.resolve_session(session, runtime.settings, token))
    if principal is not None:
        _check_cross_site(conn, principal)
    return principal


def _resolve(conn: HTTPConnection, key: Key, lookup: Callable[[Session], Principal | None]) -> Principal | None:
    """The principal kept for this credential (`principal_cache`), else looked up in a read transaction; write
    only when it must be touched or expired (about once a minute per credential), so requests do not queue on
    SQLite's write lock."""
    db = runtime_of(conn).db
    principal = CACHE.get(key)
    if principal is not None:
        return principal
    generation = CACHE.generation
    principal = _look_up(db, lookup)
    if principal is not None:
        CACHE.put(key, principal, generation)
    return principal


def _look_up(db: Database, lookup: Callable[[Session], Principal | None]) -> Principal | None:
    with db.reading() as session:
        principal = lookup(session)
        if not (session.dirty or session.deleted):
            return principal
    with db.unit_of_work() as session:
        return lookup(session)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str, scheme: str | None = None) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL or, with ``scheme``, of a Host header; None when unreadable."""
    try:
        parts = urlsplit(url if scheme is None else f"{scheme}://{url}")
        scheme = parts.scheme.lower()
        host, port = (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number, or out of range
        return None
    return (scheme, host, port) if host and port is not None else None


def check_origin(conn: HTTPConnection) -> None:
    """A request that names its Origin must come from this server's: the same scheme, host and port (403)."""
    origin = conn.headers.get("origin")
    if origin is None:
        return  # not sent by a browser (or a same-origin GET): nothing to compare
    scheme = "https" if conn.url.scheme in ("https", "wss") else "http"
    ours = _origin_of(conn.headers.get("host", ""), scheme)
    if ours is None or _origin_of(origin) != ours:
        raise QorgauError("auth.origin_rejected", status=403)


def _check_cross_site(conn: HTTPConnection, principal: Principal) -> None:
    """Cookie-authenticated writes need the CSRF token; cookie-authenticated requests a same-origin Origin."""
    check_origin(conn)
    is_socket = conn.scope["type"] == "websocket"
    if not is_socket and conn.scope.get("method", "GET") not in SAFE_METHODS:
        sent = conn.headers.get(CSRF_HEADER, "")
        if not sent or principal.csrf_token is None or not same(sent, principal.csrf_token):
            raise QorgauError("auth.csrf_failed", status=403)


def Require(permission: Permission) -> Any:
    """Guard: the caller must hold ``permission``."""
    return Depends(PrincipalGuard(permission))


Authenticated: Any = Depends(PrincipalGuard())
Public: Any = Depends(PublicGuard())
CurrentPrincipal = Annotated[Principal, Authenticated]

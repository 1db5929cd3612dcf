"""ASGI middleware: body size limit, write admission, request log and metrics, security headers."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qorgau.core.i18n import negotiate, translate
from qorgau.core.runtime import Runtime

log = logging.getLogger("qorgau.http")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     # media-src blob: lets the video players attach a MediaSource (live view, playback) to a <video>.
     b"default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; "
     b"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
]


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body over once, then the real channel (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class BodyLimit:
    """Refuses bodies over the limit with 413: by the declared length, or by reading a streamed body first."""

    # Bulk import routes (``bulk_paths``) get the larger ``max_import_bytes``; every other route keeps the small
    # limit, so only endpoints built for big files can be sent big bodies.
    def __init__(self, app: ASGIApp, runtime: Runtime, bulk_paths: Collection[str] = ()) -> None:
        self.app = app
        self.runtime = runtime
        self.bulk_paths = frozenset(bulk_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.runtime.settings
        limit = settings.max_import_bytes if scope.get("path") in self.bulk_paths else settings.max_body_bytes
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        if declared is None and b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            # A streamed body has no length to check up front: read it (up to the limit) before the app
            # does, because FastAPI turns an error raised while it reads the body into a 400.
            body = await self._read_within(receive, limit)
            if body is None:
                await self._refuse(scope, send, limit)
                return
            await self.app(scope, _replay(body, receive), send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _read_within(receive: Receive, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        accept = dict(scope.get("headers", [])).get(b"accept-language", b"").decode("latin-1")
        language = negotiate(accept, self.runtime.settings.default_language)
        body = json.dumps({
            "type": "https://qorgau.kz/problems/request.too_large", "title": translate("request.too_large", "en",
                                                                                       limit=limit),
            "status": 413, "detail": translate("request.too_large", language, limit=limit),
            "code": "request.too_large", "instance": scope.get("path", ""),
        }, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Write requests served at once; the others wait here, on the event loop, in arrival order, holding no thread.
# On SQLite one transaction writes at a time (`core.sqlite_gate`): let in without a bound, a burst of writes took
# every worker thread (their guards, then their turn at the gate) and starved the request holding the turn of a
# thread and of the interpreter, so the queue grew without end. A few at a time keeps the next ones ready.
WRITE_ADMISSION = {"sqlite": 6, "postgresql": 24}


class WriteAdmission:
    """Lets a bounded number of write requests into the app at once; the rest queue first in, first out."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self._admission: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        if self._admission is None:  # made in the server's loop, at its first write
            self._admission = asyncio.Semaphore(WRITE_ADMISSION["sqlite" if self.runtime.db.is_sqlite
                                                                else "postgresql"])
        async with self._admission:
            await self.app(scope, receive, send)


class Observe:
    """Request id, security headers, one log line and metrics per request (route template, never the URL)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(SECURITY_HEADERS)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = scope.get("method", "")
            self.runtime.metrics.http_requests.labels(method, route, str(status)).inc()
            self.runtime.metrics.http_latency.labels(method, route).observe(elapsed)
            if route not in ("/healthz", "/metrics"):
                log.info("request", extra={"request_id": request_id, "method": method, "route": route,
                                           "status": status, "duration_ms": round(elapsed * 1000, 2)})


def _route_template(scope: Mapping[str, Any]) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return "/api/<unmatched>" if str(scope.get("path", "")).startswith("/api") else "<web>"

"""The simulator's HTTP client of Qorgau's public API: sign-in, paging, and retries while the server restarts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx

log = logging.getLogger(__name__)

RETRYABLE = (httpx.TransportError,)  # connection refused or reset, timeouts: the server may be restarting


class ApiError(RuntimeError):
    """Qorgau answered with an error the simulator cannot get past (a 4xx, or a 5xx that outlasted the retries)."""

    def __init__(self, method: str, path: str, status: int, detail: str) -> None:
        super().__init__(f"{method} {path}: {status} {detail}")
        self.status = status


class Api:
    """One signed-in client: a bearer token, or a user's session cookie with its CSRF token."""

    def __init__(self, base_url: str, *, token: str | None = None, timeout_s: float = 15.0,
                 retries: int = 5) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s,
                                       limits=httpx.Limits(max_connections=32, max_keepalive_connections=16))
        self._retries = retries
        self.username: str | None = None

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def login(self, username: str, password: str) -> dict[str, Any]:
        """Sign in with a password; later writes carry the session's CSRF token as the web app's do."""
        session: dict[str, Any] = await self.request("POST", "/api/auth/login",
                                                     json={"username": username, "password": password})
        csrf = session.get("csrf_token")
        if csrf:
            self._http.headers["X-CSRF-Token"] = str(csrf)
        self.username = username
        return session

    async def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                      ok: tuple[int, ...] = ()) -> Any:
        """JSON in, JSON out; connection failures are retried with backoff, an error status raises ApiError
        unless it is listed in ``ok`` (then None is returned)."""
        delay = 0.25
        for attempt in range(self._retries + 1):
            try:
                answer = await self._http.request(method, path, json=json, params=params)
            except RETRYABLE as exc:
                if attempt == self._retries:
                    raise ApiError(method, path, 0, f"unreachable: {exc.__class__.__name__}") from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 4.0)
                continue
            if answer.status_code >= 500 and attempt < self._retries:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 4.0)
                continue
            if answer.status_code in ok:
                return None
            if answer.status_code >= 400:
                raise ApiError(method, path, answer.status_code, _detail(answer))
            return answer.json() if answer.content else None
        raise AssertionError("unreachable")  # pragma: no cover

    async def get(self, path: str, **params: Any) -> Any:
        return await self.request("GET", path, params={k: v for k, v in params.items() if v is not None})

    async def post(self, path: str, json: Any = None, *, ok: tuple[int, ...] = ()) -> Any:
        return await self.request("POST", path, json=json if json is not None else {}, ok=ok)

    async def patch(self, path: str, json: Any) -> Any:
        return await self.request("PATCH", path, json=json)

    async def upload(self, path: str, body: bytes, content_type: str) -> Any:
        """A raw body (e.g. a CSV import); an error status raises ApiError."""
        answer = await self._http.post(path, content=body, headers={"Content-Type": content_type})
        if answer.status_code >= 400:
            raise ApiError("POST", path, answer.status_code, _detail(answer))
        return answer.json() if answer.content else None

    async def pages(self, path: str, **params: Any) -> AsyncIterator[dict[str, Any]]:
        """Every item of a cursor-paginated list."""
        cursor: str | None = None
        while True:
            page = await self.get(path, limit=500, cursor=cursor, **params)
            for item in page["items"]:
                yield item
            cursor = page.get("next_cursor")
            if not cursor:
                return

    async def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        return [item async for item in self.pages(path, **params)]


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)[:300]
    return str(body)[:300]

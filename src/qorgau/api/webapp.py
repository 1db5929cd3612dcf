"""Serves the built operator web app: hashed assets cached for good, index.html for every other path."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send


def default_dist() -> Path:
    return Path(__file__).resolve().parents[3] / "web" / "dist"


class WebApp:
    """ASGI app for the single-page application; never shadows /api."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self._respond(scope)
        await response(scope, receive, send)

    def _respond(self, scope: Scope) -> Response:
        path = str(scope.get("path", "/"))
        if path.startswith("/api/") or path == "/api":
            raise HTTPException(404)  # answered as problem+json by the API's handlers
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            raise HTTPException(405)
        index = self.dist / "index.html"
        if not index.exists():
            return PlainTextResponse(
                "The web app is not built: run `npm --prefix web ci && npm --prefix web run build`.",
                status_code=503,
            )
        candidate = (self.dist / path.lstrip("/")).resolve()
        if candidate.is_file() and candidate.is_relative_to(self.dist):
            immutable = "/assets/" in path
            headers = {"cache-control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
            return FileResponse(candidate, headers=headers)
        if path.startswith("/assets/"):
            raise HTTPException(404)  # a stale hashed asset must not come back as index.html
        return FileResponse(index, headers={"cache-control": "no-cache"})

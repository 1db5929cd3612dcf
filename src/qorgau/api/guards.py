"""The secure-by-default check: every route must declare a guard (Public, Authenticated or Require)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Mount

from qorgau.auth.deps import Guard

ALLOWED_MOUNTS = {"", "/"}  # the static web app


def _guards(dependant: Dependant) -> list[Guard]:
    found = [dependant.call] if isinstance(dependant.call, Guard) else []
    for sub in dependant.dependencies:
        found.extend(_guards(sub))  # type: ignore[arg-type]
    return found  # type: ignore[return-value]


def unguarded_routes(app: FastAPI) -> list[str]:
    """Routes that declare no guard at all, as ``METHODS path``."""
    missing = []
    for route in app.router.routes:
        if isinstance(route, APIRoute | APIWebSocketRoute):
            if not _guards(route.dependant):
                methods = ",".join(sorted(getattr(route, "methods", None) or {"WEBSOCKET"}))
                missing.append(f"{methods} {route.path}")
        elif isinstance(route, Mount):
            if route.path not in ALLOWED_MOUNTS:
                missing.append(f"MOUNT {route.path}")
        elif getattr(route, "path", None) not in {"/openapi.json", "/api/openapi.json", "/api/docs",
                                                  "/api/docs/oauth2-redirect", "/api/redoc"}:
            missing.append(f"ROUTE {getattr(route, 'path', route)!r}")
    return missing


def route_guards(app: FastAPI) -> dict[str, list[str]]:
    """Each route and the guards it declares (for docs and review)."""
    table = {}
    for route in app.router.routes:
        if isinstance(route, APIRoute | APIWebSocketRoute):
            methods = ",".join(sorted(getattr(route, "methods", None) or {"WEBSOCKET"}))
            table[f"{methods} {route.path}"] = [repr(g) for g in _guards(route.dependant)]
    return table

"""The secure-by-default check: every route must declare a guard (Public, Authenticated or Require)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from starlette.routing import Mount

from qorgau.auth.deps import Guard
from qorgau.auth.enums import Permission
from qorgau.core.web import BULK_BODY_MARK

ALLOWED_MOUNTS = {"", "/"}  # the static web app
PUBLIC_BUILTINS = {"/api/openapi.json"}


def _guards(dependant: Dependant) -> list[Guard]:
    found: list[Guard] = [dependant.call] if isinstance(dependant.call, Guard) else []
    for sub in dependant.dependencies:
        found.extend(_guards(sub))
    return found


def _flatten(routes: list[Any]) -> Iterator[Any]:
    """Every route, including those of included routers (newer FastAPI resolves these lazily)."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if not callable(contexts):
            yield route
            continue
        for context in contexts():
            original = getattr(context, "original_route", None)
            if getattr(context, "dependant", None) is None and original is not None:
                yield original  # WebSocket routes carry their dependant on the original route
            else:
                yield context


def _label(route: Any) -> str:
    methods = getattr(route, "methods", None) or {"WEBSOCKET"}
    return f"{','.join(sorted(methods))} {getattr(route, 'path', '?')}"


def unguarded_routes(app: FastAPI) -> list[str]:
    """Routes that declare no guard at all, as ``METHODS path``."""
    missing = []
    for route in _flatten(app.router.routes):
        dependant = getattr(route, "dependant", None)
        if isinstance(dependant, Dependant):
            if not _guards(dependant):
                missing.append(_label(route))
        elif isinstance(route, Mount):
            if route.path not in ALLOWED_MOUNTS:
                missing.append(f"MOUNT {route.path}")
        elif getattr(route, "path", None) not in PUBLIC_BUILTINS:
            missing.append(f"ROUTE {getattr(route, 'path', type(route).__name__)}")
    return missing


def route_guards(app: FastAPI) -> dict[str, list[str]]:
    """Each route and the guards it declares (for docs and review)."""
    return {
        _label(route): [repr(g) for g in _guards(route.dependant)]
        for route in _flatten(app.router.routes)
        if isinstance(getattr(route, "dependant", None), Dependant)
    }


def required_permissions(app: FastAPI) -> list[tuple[str, str, Permission]]:
    """Each HTTP route guarded by ``Require(permission)``, as (method, path, permission), one row per method."""
    found = []
    for route in _flatten(app.router.routes):
        dependant = getattr(route, "dependant", None)
        if not isinstance(dependant, Dependant) or not getattr(route, "methods", None):
            continue
        for guard in _guards(dependant):
            if guard.permission is not None:
                found += [(method, route.path, guard.permission) for method in sorted(route.methods)]
    return found


def bulk_body_paths(app: FastAPI) -> frozenset[str]:
    """Paths of routes marked (``openapi_extra={BULK_BODY_MARK: True}``) to take bodies up to max_import_bytes."""
    return frozenset(
        route.path for route in _flatten(app.router.routes)
        if (getattr(route, "openapi_extra", None) or {}).get(BULK_BODY_MARK)
    )

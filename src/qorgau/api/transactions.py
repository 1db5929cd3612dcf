"""Write routes that run, and end their unit of work, in one worker thread (see `core.web.run_committing`).

FastAPI runs a synchronous route in a worker thread, then validates its answer in a second one, and closes a
`yield` dependency in a third. A write route's transaction began in the first and was committed in the third, so
the database's write turn waited on the event loop twice. A route that uses the request's write session is given
an async endpoint that runs the route and its commit in one worker thread and validates the answer on the loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from qorgau.core import web

_MARK = "__qorgau_committing__"


def commit_in_route_thread(router: APIRouter) -> int:
    """Give each synchronous route of `router` that uses the write session a committing endpoint; returns how
    many. Call it before the router is included (the app builds its handlers from the endpoints then)."""
    changed = 0
    for route in router.routes:
        if not isinstance(route, APIRoute) or getattr(route.endpoint, _MARK, False):
            continue
        if inspect.iscoroutinefunction(route.endpoint) or not _uses_write_session(route.dependant):
            continue
        route.endpoint = _committing(route.endpoint)
        changed += 1
    return changed


def _uses_write_session(dependant: Dependant) -> bool:
    return any(d.call is web._write_session for d in _walk(dependant))


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _walk(sub)


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    async def committing(**values: Any) -> Any:
        return await run_in_threadpool(web.run_committing, endpoint, values)

    # The same parameters, annotations evaluated (FastAPI reads them from the signature; the route's own module
    # holds the names its string annotations refer to), name and docs as the route's.
    committing.__signature__ = inspect.signature(endpoint, eval_str=True)  # type: ignore[attr-defined]
    committing.__name__ = endpoint.__name__
    committing.__qualname__ = endpoint.__qualname__
    committing.__doc__ = endpoint.__doc__
    committing.__module__ = endpoint.__module__
    setattr(committing, _MARK, True)
    return committing

"""Write routes end their unit of work in the worker thread that ran them (api.transactions, core.web)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from qorgau.api.transactions import commit_in_route_thread
from qorgau.core.db import Database
from qorgau.core.errors import Conflict
from qorgau.core.web import AppRuntime, ClientSource, DbSession, ReadSession
from qorgau.settings import Settings

pytestmark = pytest.mark.timeout(120)


class Made(BaseModel):
    value: str
    thread: int


def _router(seen: dict[str, Any]) -> APIRouter:
    router = APIRouter(prefix="/t")

    @router.post("/rows/{value}", response_model=Made, status_code=201)
    def make(value: str, db: DbSession, runtime: AppRuntime, source: ClientSource) -> Made:
        """Insert a row."""
        seen["route"] = threading.get_ident()
        seen["runtime"], seen["source"] = runtime, source
        db.execute(text("INSERT INTO tx_probe (value) VALUES (:v)"), {"v": value})
        if value == "refused":
            raise Conflict("devices.decommissioned", params={"code": value})
        return Made(value=value, thread=threading.get_ident())

    @router.post("/async/{value}", status_code=204)
    async def make_async(value: str, db: DbSession) -> None:
        db.execute(text("INSERT INTO tx_probe (value) VALUES (:v)"), {"v": value})

    @router.get("/rows")
    def rows(db: ReadSession) -> list[str]:
        return list(db.scalars(text("SELECT value FROM tx_probe ORDER BY value")))

    return router


def _app(db: Database, seen: dict[str, Any], *, wrap: bool = True) -> tuple[FastAPI, APIRouter, int]:
    router = _router(seen)
    wrapped = commit_in_route_thread(router) if wrap else 0
    app = FastAPI()
    app.state.runtime = SimpleNamespace(db=db, settings=Settings())  # what problems read
    from qorgau.core import problems

    problems.install(app)
    app.include_router(router)
    return app, router, wrapped


@pytest.fixture
def probe_db(db: Database) -> Database:
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE tx_probe (value VARCHAR(40) PRIMARY KEY)"))
    return db


@pytest.fixture
def ends() -> Iterator[dict[str, list[int]]]:
    """The thread of every session commit and rollback made meanwhile."""
    seen: dict[str, list[int]] = {"commits": [], "rollbacks": []}

    def committed(_: Session) -> None:
        seen["commits"].append(threading.get_ident())

    def rolled_back(_: Session) -> None:
        seen["rollbacks"].append(threading.get_ident())

    event.listen(Session, "after_commit", committed)
    event.listen(Session, "after_rollback", rolled_back)
    yield seen
    event.remove(Session, "after_commit", committed)
    event.remove(Session, "after_rollback", rolled_back)


def test_only_synchronous_write_routes_are_wrapped(probe_db: Database) -> None:
    _, router, wrapped = _app(probe_db, {})
    assert wrapped == 1  # the sync write route; neither the async one nor the read
    assert commit_in_route_thread(router) == 0  # a second app from the same router wraps nothing twice


def test_write_route_commits_in_its_own_thread(probe_db: Database, ends: dict[str, list[int]]) -> None:
    seen: dict[str, Any] = {}
    app, _, _ = _app(probe_db, seen)
    with TestClient(app) as client:
        answer = client.post("/t/rows/alpha")
        assert answer.status_code == 201
        assert answer.json() == {"value": "alpha", "thread": seen["route"]}
        assert seen["runtime"] is app.state.runtime and seen["source"] == "testclient"
        assert ends["commits"] == [seen["route"]]  # one commit, in the thread that ran the route
        assert client.get("/t/rows").json() == ["alpha"]


def test_refused_write_rolls_back_in_its_own_thread(probe_db: Database, ends: dict[str, list[int]]) -> None:
    seen: dict[str, Any] = {}
    app, _, _ = _app(probe_db, seen)
    with TestClient(app) as client:
        answer = client.post("/t/rows/refused")
        assert answer.status_code == 409
        assert answer.json()["code"] == "devices.decommissioned"
        assert ends["commits"] == []
        assert seen["route"] in ends["rollbacks"]
        assert client.get("/t/rows").json() == []


def test_async_write_route_still_commits(probe_db: Database) -> None:
    app, _, _ = _app(probe_db, {})
    with TestClient(app) as client:
        assert client.post("/t/async/beta").status_code == 204
        assert client.get("/t/rows").json() == ["beta"]


def test_wrapped_routes_keep_their_schema(probe_db: Database) -> None:
    wrapped, _, _ = _app(probe_db, {})
    plain, _, _ = _app(probe_db, {}, wrap=False)
    assert wrapped.openapi() == plain.openapi()


def test_the_servers_write_routes_are_wrapped(app: FastAPI) -> None:
    from fastapi.routing import APIRoute

    from qorgau.devices import views as devices
    from qorgau.units import views as units

    def endpoint(router: APIRouter, path: str) -> Any:
        return next(r.endpoint for r in router.routes if isinstance(r, APIRoute) and r.path.endswith(path))

    assert getattr(endpoint(devices.router, "/heartbeat"), "__qorgau_committing__", False)
    assert getattr(endpoint(units.router, "/me/unit/position"), "__qorgau_committing__", False)
    assert not getattr(endpoint(units.router, "/me/unit"), "__qorgau_committing__", False)  # a read

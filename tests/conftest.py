"""Shared fixtures: every storage-touching test runs on SQLite and on PostgreSQL.

PostgreSQL: a template database is migrated once per run and each test gets a fresh copy
(CREATE DATABASE ... TEMPLATE), so tests never see each other's rows. The server comes
from PG_TEST_URL (default: the machine's trust-auth PostgreSQL at 127.0.0.1:5432).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from fastapi.testclient import TestClient

from qorgau.audit.service import Actor
from qorgau.auth import service as auth_service
from qorgau.auth.schemas import UserCreate
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.migrate import upgrade
from qorgau.settings import Settings

PG_ADMIN_URL = os.environ.get("PG_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _pg_admin() -> psycopg.Connection[Any]:
    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


def _sa_url(dbname: str) -> str:
    base = PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return base.rsplit("/", 1)[0] + "/" + dbname


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database, dropped at the end of the run."""
    name = f"qorgau_tpl_{uuid.uuid4().hex[:8]}"
    try:
        admin = _pg_admin()
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required at {PG_ADMIN_URL} (run ./run test, which starts it): {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    upgrade(_sa_url(name))
    yield name
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def copied_database(template: Path | str, tmp_path: Path) -> Iterator[str]:
    """A fresh database copied from a migrated template: a SQLite file (Path) or a PostgreSQL database (name)."""
    if isinstance(template, Path):
        target = tmp_path / "qorgau.db"
        target.write_bytes(template.read_bytes())
        yield f"sqlite:///{target}"
        return
    name = f"qorgau_t_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _sa_url(name)
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of each kind."""
    template = request.getfixturevalue("sqlite_template" if request.param == "sqlite" else "pg_template")
    with copied_database(template, tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "var", database_url=db_url, log_json=False, event_poll_interval_s=1.0,
        web_dist=tmp_path / "no-web", ingest_in_serve=False,
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    from qorgau.core.crypto import configure_keyring, load_keyring
    from qorgau.domains import load_events, load_models

    load_models()
    load_events()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    configure_keyring(load_keyring(settings))
    database = Database(settings.effective_database_url)
    yield database
    database.dispose()


CLI_ACTOR = Actor(ref="system:test", name="pytest", source="test")


def make_user(db: Database, username: str, role: str, password: str = PASSWORD) -> int:
    with db.unit_of_work() as session:
        user = auth_service.create(
            session,
            user_in=UserCreate(username=username, display_name=username.title(), role=role,
                               password=password),
            actor=CLI_ACTOR, ctx=Context.system("test"),
        )
        return user.id


@pytest.fixture
def app(settings: Settings) -> Any:
    from qorgau.runtime.server import create_app

    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def app_db(app: Any) -> Database:
    """The database of the running app."""
    return app.state.runtime.db  # type: ignore[no-any-return]


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    """Sign in; returns the session body and sets the CSRF header on the client for later writes."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return body


@pytest.fixture
def admin_client(client: TestClient, app_db: Database) -> TestClient:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    return client


T = TypeVar("T")


def simulated_only_refusal(response: Any) -> None:
    """The simulator's account touched something real: a 403 problem that says why, in the default language."""
    from qorgau.core.i18n import translate

    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == "auth.simulated_only"
    assert body["detail"] == translate("auth.simulated_only", "ru")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a fresh thread: Playwright's sync API keeps a loop running in the main thread.

    A daemon thread, so that a scenario that hangs fails its test at the per-test timeout (which interrupts
    this join) and is then abandoned, instead of holding the whole run at exit as a pool's thread would.
    """
    import asyncio
    import threading

    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(coro))
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, name="run_async", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]

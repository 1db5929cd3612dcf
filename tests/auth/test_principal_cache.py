"""The resolved-credential cache: fewer reads per request, and no change to who may do what, on both databases."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from qorgau.auth.principal_cache import CACHE, PrincipalCache
from qorgau.auth.service import Principal
from qorgau.core.db import Database
from tests.conftest import login, make_user


@pytest.fixture
def credential_reads(app_db: Database) -> Iterator[list[str]]:
    """Statements that read sessions or tokens, on every engine of the app's database."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM web_sessions" in statement or "FROM api_tokens" in statement:
            seen.append(statement)

    engines = {app_db.engine, app_db._read_engine}  # SQLite reads on an engine of their own
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    yield seen
    for engine in engines:
        event.remove(engine, "before_cursor_execute", note)


def test_a_busy_session_is_read_once_per_interval(client: TestClient, app_db: Database,
                                                  credential_reads: list[str]) -> None:
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    credential_reads.clear()
    for _ in range(10):
        assert client.get("/api/auth/session").status_code == 200
    assert 1 <= len(credential_reads) <= 2  # a second read only if the interval ran out during the loop


def test_a_busy_token_is_read_once_per_interval(client: TestClient, app_db: Database,
                                                credential_reads: list[str]) -> None:
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    secret = client.post("/api/auth/tokens", json={"name": "wall", "scopes": ["events:read"]}).json()["token"]
    credential_reads.clear()
    for _ in range(10):
        assert client.get("/api/events", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert 1 <= len(credential_reads) <= 2


def test_a_role_change_applies_to_the_next_request(admin_client: TestClient, app: Any, app_db: Database) -> None:
    user_id = make_user(app_db, "operator1", "operator")
    other = TestClient(app, base_url="http://testserver")
    login(other, "operator1")
    assert other.get("/api/alarms").status_code == 200  # operators read alarms; now kept
    assert admin_client.patch(f"/api/users/{user_id}", json={"role": "auditor"}).status_code == 200
    assert other.get("/api/alarms").status_code == 403


def test_sign_out_and_ended_sessions_apply_at_once(admin_client: TestClient, app: Any, app_db: Database) -> None:
    user_id = make_user(app_db, "operator1", "operator")
    other = TestClient(app, base_url="http://testserver")
    login(other, "operator1")
    assert other.get("/api/auth/session").status_code == 200
    assert admin_client.post(f"/api/users/{user_id}/password",
                             json={"password": "another-password-1"}).status_code in (200, 204)
    assert other.get("/api/auth/session").status_code == 401  # a reset password ends the sessions
    assert admin_client.get("/api/auth/session").status_code == 200
    cookie = admin_client.cookies.get("qorgau_session")
    assert admin_client.post("/api/auth/logout").status_code in (200, 204)
    assert admin_client.get("/api/auth/session").status_code == 401
    admin_client.cookies.set("qorgau_session", str(cookie))  # the old cookie replayed: the kept principal is gone
    assert admin_client.get("/api/auth/session").status_code == 401


def test_a_change_from_outside_this_process_applies_within_the_interval(
        client: TestClient, app_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CACHE, "ttl_s", 0.5)
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    assert client.get("/api/auth/session").status_code == 200
    with app_db.engine.begin() as conn:  # plain SQL, as another process would write it: no session events
        conn.execute(text("UPDATE users SET is_active = false WHERE username = 'operator1'"))
    deadline = time.monotonic() + 5
    while client.get("/api/auth/session").status_code == 200:
        assert time.monotonic() < deadline, "a disabled user still signed in after the cache's interval"
        time.sleep(0.1)


def test_a_read_older_than_a_change_is_not_kept() -> None:
    cache = PrincipalCache(ttl_s=60)
    principal = Principal(1, "u", "operator", frozenset(), "session", "c")  # type: ignore[arg-type]
    before = cache.generation
    cache.clear()  # a change committed while the credential was being read
    cache.put(("db", "session", "c"), principal, before)
    assert cache.get(("db", "session", "c")) is None
    cache.put(("db", "session", "c"), principal, cache.generation)
    assert cache.get(("db", "session", "c")) == principal
    cache.clear()
    assert cache.get(("db", "session", "c")) is None

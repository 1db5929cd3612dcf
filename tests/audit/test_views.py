"""The audit API: reading the log and verifying it, for auditors only, on both databases."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit import service
from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.core.pagination import encode_cursor
from tests.conftest import CLI_ACTOR, login, make_user


def _fill(db: Database, count: int) -> None:
    with db.unit_of_work() as session:
        for index in range(count):
            service.record(session, action="test.action", actor=CLI_ACTOR, target_type="thing",
                           target_id=str(index), details={"index": index})


def _walk(client: TestClient, **params: Any) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = client.get("/api/audit", params=query)
        assert response.status_code == 200, response.text
        items.extend(response.json()["items"])
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 100


def test_auditor_lists_the_log_newest_first_page_by_page(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "auditor1", "auditor")
    _fill(app_db, 4)
    login(client, "auditor1")  # adds an auth.login record
    with app_db.reading() as session:
        total = len(session.scalars(select(AuditRecord.seq)).all())
    assert total == 6  # users.create, four test records, auth.login

    first = client.get("/api/audit", params={"limit": 2}).json()
    assert [r["seq"] for r in first["items"]] == [total, total - 1]
    assert first["items"][0]["action"] == "auth.login" and first["items"][0]["actor_name"] == "auditor1"
    assert set(first["items"][0]) >= {"seq", "id", "at", "actor", "action", "outcome", "details", "hash"}
    assert "prev_hash" not in first["items"][0]

    items, pages = _walk(client, limit=2)
    assert [r["seq"] for r in items] == list(range(total, 0, -1))
    assert pages == 3

    filtered, _ = _walk(client, limit=3, action="test.action")
    assert [r["details"]["index"] for r in filtered] == [3, 2, 1, 0]
    by_actor, _ = _walk(client, actor="system:test")
    assert {r["action"] for r in by_actor} == {"test.action", "users.create"}

    for cursor in ("%%%", encode_cursor("x"), encode_cursor([1])):
        response = client.get("/api/audit", params={"cursor": cursor})
        assert response.status_code == 400 and response.json()["code"] == "request.bad_cursor"


def test_auditor_verifies_the_log(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "auditor1", "auditor")
    _fill(app_db, 3)
    login(client, "auditor1")
    response = client.post("/api/audit/verify")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {"ok": True, "records": 5, "checkpoints": 0, "first_broken_seq": None,
                    "missing_after_seq": None, "problems": []}
    newest = client.get("/api/audit", params={"limit": 1}).json()["items"][0]
    assert newest["action"] == "audit.verify" and newest["details"] == {"ok": True, "records": 5}
    # the verification is itself part of the chain and verifies too
    assert client.post("/api/audit/verify").json()["records"] == 6


def test_verify_needs_the_csrf_token_with_a_session(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "auditor1", "auditor")
    login(client, "auditor1")
    client.headers.pop("X-CSRF-Token")
    response = client.post("/api/audit/verify")
    assert response.status_code == 403 and response.json()["code"] == "auth.csrf_failed"


def test_operator_and_admin_may_not_read_the_audit_log(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    make_user(app_db, "admin", "admin")
    for username in ("operator1", "admin"):
        login(client, username)
        listed = client.get("/api/audit")
        assert listed.status_code == 403 and listed.json()["code"] == "auth.forbidden"
        assert listed.json()["permission"] == "audit:read"
        verified = client.post("/api/audit/verify")
        assert verified.status_code == 403 and verified.json()["permission"] == "audit:verify"
    with app_db.reading() as session:
        denials = session.scalars(select(AuditRecord).where(AuditRecord.action == "auth.permission_denied")).all()
    assert [(d.actor_name, d.details["permission"]) for d in denials] == [
        ("operator1", "audit:read"), ("operator1", "audit:verify"), ("admin", "audit:read"), ("admin", "audit:verify"),
    ]


def test_anonymous_is_401(client: TestClient) -> None:
    assert client.get("/api/audit").status_code == 401
    assert client.post("/api/audit/verify").status_code == 401

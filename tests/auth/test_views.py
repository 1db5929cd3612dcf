"""The auth API over HTTP: sign-in, sessions, CSRF, tokens, permissions, users, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.core.pagination import encode_cursor
from qorgau.settings import Settings
from tests.conftest import PASSWORD, login, make_user

LOCALES = Path(__file__).resolve().parents[2] / "src" / "qorgau" / "core" / "locales"
PROBLEM = "application/problem+json"


def _message(language: str, code: str, **params: Any) -> str:
    template: str = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))[code]
    return template.format(**params)


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"].endswith(code) and body["detail"]
    return body


def _audit(db: Database, action: str) -> list[AuditRecord]:
    with db.reading() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)
                                    .order_by(AuditRecord.seq)))


def _sign_out_locally(client: TestClient) -> None:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)


# --- sign-in and sessions -------------------------------------------------------------------------------


def test_login_session_logout(client: TestClient, app_db: Database) -> None:
    user_id = make_user(app_db, "operator1", "operator")
    response = client.post("/api/auth/login", json={"username": "Operator1", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["id"] == user_id and body["user"]["role"] == "operator"
    assert "events:read" in body["user"]["permissions"] and "users:read" not in body["user"]["permissions"]
    cookie = client.cookies.get("qorgau_session")
    assert cookie and body["csrf_token"] and cookie != body["csrf_token"]
    assert cookie not in response.text
    client.headers["X-CSRF-Token"] = body["csrf_token"]

    session = client.get("/api/auth/session")
    assert session.status_code == 200
    assert session.json() == body

    out = client.post("/api/auth/logout")
    assert out.status_code == 204
    assert client.cookies.get("qorgau_session") is None
    _problem(client.get("/api/auth/session"), 401, "auth.not_authenticated")
    # the server forgot the session too: replaying the old cookie does not work
    client.cookies.set("qorgau_session", cookie)
    _problem(client.get("/api/auth/session"), 401, "auth.not_authenticated")
    assert [r.actor for r in _audit(app_db, "auth.logout")] == [f"user:{user_id}"]


def test_session_cookie_is_http_only_and_same_site_strict(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    response = client.post("/api/auth/login", json={"username": "operator1", "password": PASSWORD})
    assert response.status_code == 200
    [cookie] = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert attributes[0].startswith("qorgau_session=")
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "path=/" in attributes


def test_wrong_password_is_401_in_the_requested_language(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    for language in ("kk", "ru", "en"):
        response = client.post("/api/auth/login", json={"username": "operator1", "password": "not-the-password"},
                               headers={"Accept-Language": f"{language},en;q=0.5"})
        body = _problem(response, 401, "auth.invalid_credentials")
        assert body["detail"] == _message(language, "auth.invalid_credentials")
        assert body["title"] == _message("en", "auth.invalid_credentials")
    assert len({_message(language, "auth.invalid_credentials") for language in ("kk", "ru", "en")}) == 3
    assert client.cookies.get("qorgau_session") is None
    assert [r.outcome for r in _audit(app_db, "auth.login")] == ["failure"] * 3


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    wrong = client.post("/api/auth/login", json={"username": "operator1", "password": "not-the-password"})
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "not-the-password"})
    assert _problem(wrong, 401, "auth.invalid_credentials") == _problem(unknown, 401, "auth.invalid_credentials")


def test_throttled_login_is_429_with_retry_after(client: TestClient, app_db: Database, settings: Settings) -> None:
    settings.login_base_delay_s = 60.0  # the app's own settings: no delay runs out while the test is slow
    make_user(app_db, "operator1", "operator")
    for _ in range(settings.login_free_attempts):
        response = client.post("/api/auth/login", json={"username": "operator1", "password": "not-the-password"})
        _problem(response, 401, "auth.invalid_credentials")
    response = client.post("/api/auth/login", json={"username": "operator1", "password": PASSWORD},
                           headers={"Accept-Language": "en"})
    body = _problem(response, 429, "auth.throttled")
    assert int(response.headers["Retry-After"]) == body["retry_after"] > 0
    assert body["detail"] == _message("en", "auth.throttled", retry_after=body["retry_after"])
    assert client.cookies.get("qorgau_session") is None
    reasons = [r.details.get("reason") for r in _audit(app_db, "auth.login")]
    assert reasons == ["invalid_credentials"] * settings.login_free_attempts + ["throttled"]


def test_login_body_is_validated(client: TestClient) -> None:
    _problem(client.post("/api/auth/login", json={"username": "x"}), 422, "request.validation_failed")
    _problem(client.post("/api/auth/login", json={"username": "x", "password": "y", "remember": True}),
             422, "request.validation_failed")
    _problem(client.post("/api/auth/login", content=b"{", headers={"content-type": "application/json"}),
             400, "request.invalid_json")


# --- cross-site protection ------------------------------------------------------------------------------


def test_cookie_write_without_csrf_token_is_refused(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    token = login(client, "operator1")["csrf_token"]
    client.headers.pop("X-CSRF-Token")
    _problem(client.post("/api/auth/logout"), 403, "auth.csrf_failed")
    _problem(client.post("/api/auth/logout", headers={"X-CSRF-Token": token[:-1] + "x"}), 403, "auth.csrf_failed")
    assert client.get("/api/auth/session").status_code == 200  # reads need no token; still signed in
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204


def test_cookie_request_from_another_origin_is_refused(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    evil = {"Origin": "https://evil.example"}
    _problem(client.post("/api/auth/logout", headers=evil), 403, "auth.origin_rejected")
    _problem(client.get("/api/auth/session", headers=evil), 403, "auth.origin_rejected")
    assert client.get("/api/auth/session").status_code == 200
    assert client.post("/api/auth/logout", headers={"Origin": "http://testserver"}).status_code == 204


# --- bearer tokens --------------------------------------------------------------------------------------


def test_bearer_token_works_without_csrf_and_only_for_its_scopes(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    created = client.post("/api/auth/tokens", json={"name": "wall display", "scopes": ["events:read"]})
    assert created.status_code == 201, created.text
    secret = created.json()["token"]
    assert created.json()["scopes"] == ["events:read"]
    writer = client.post("/api/auth/tokens", json={"name": "script", "scopes": ["tokens:write"]})
    assert writer.status_code == 201
    _sign_out_locally(client)

    reader = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/events", headers=reader).status_code == 200
    denied = _problem(client.get("/api/auth/tokens", headers=reader), 403, "auth.forbidden")
    assert denied["permission"] == "tokens:write"  # the owner holds it, the token does not
    _problem(client.get("/api/auth/session", headers={"Authorization": "Bearer qgt_forged"}),
             401, "auth.not_authenticated")

    # a write with a bearer token needs no CSRF token (no cookie is involved)
    script = {"Authorization": f"Bearer {writer.json()['token']}"}
    listed = client.get("/api/auth/tokens", headers=script)
    assert [t["name"] for t in listed.json()] == ["wall display", "script"]
    assert all("token" not in t for t in listed.json())
    more = client.post("/api/auth/tokens", json={"name": "third", "scopes": ["tokens:write"]}, headers=script)
    assert more.status_code == 201, more.text
    revoked = client.delete(f"/api/auth/tokens/{created.json()['id']}", headers=script)
    assert revoked.status_code == 204
    _problem(client.get("/api/events", headers=reader), 401, "auth.not_authenticated")


def test_a_scoped_token_cannot_mint_a_broader_one(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    minter = client.post("/api/auth/tokens", json={"name": "minter", "scopes": ["tokens:write"]})
    assert minter.status_code == 201
    _sign_out_locally(client)
    bearer = {"Authorization": f"Bearer {minter.json()['token']}"}
    body = _problem(client.post("/api/auth/tokens", json={"name": "escalated", "scopes": ["users:write"]},
                                headers=bearer), 422, "auth.scope_not_allowed")
    assert body["errors"][0]["field"] == "scopes"
    same = client.post("/api/auth/tokens", json={"name": "copy", "scopes": ["tokens:write"]}, headers=bearer)
    assert same.status_code == 201


def test_token_scope_beyond_the_role_is_422(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    body = _problem(client.post("/api/auth/tokens", json={"name": "x", "scopes": ["users:write"]}),
                    422, "auth.scope_not_allowed")
    assert body["errors"][0]["field"] == "scopes"
    _problem(client.post("/api/auth/tokens", json={"name": "x", "scopes": ["no:such"]}),
             422, "request.validation_failed")


# --- permissions ----------------------------------------------------------------------------------------


def test_operator_listing_users_is_forbidden_and_audited(client: TestClient, app_db: Database) -> None:
    user_id = make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    body = _problem(client.get("/api/users", headers={"Accept-Language": "ru"}), 403, "auth.forbidden")
    assert body["permission"] == "users:read"
    assert body["detail"] == _message("ru", "auth.forbidden", permission="users:read")
    [record] = _audit(app_db, "auth.permission_denied")
    assert (record.outcome, record.actor, record.actor_name) == ("denied", f"user:{user_id}", "operator1")
    assert record.details == {"permission": "users:read", "path": "/api/users", "method": "GET"}


def test_anonymous_requests_are_401(client: TestClient) -> None:
    for path in ("/api/users", "/api/auth/session", "/api/auth/tokens", "/api/roles"):
        _problem(client.get(path), 401, "auth.not_authenticated")
    _problem(client.post("/api/users", json={}), 401, "auth.not_authenticated")


# --- users as an administrator --------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_sign_in(admin_client: TestClient) -> None:
    response = admin_client.post("/api/users", json={"username": "Dispatcher7", "display_name": "D. Seven",
                                                     "role": "dispatcher", "password": PASSWORD, "locale": "kk"})
    assert response.status_code == 201, response.text
    assert response.json()["username"] == "dispatcher7" and response.json()["locale"] == "kk"
    assert "password" not in response.text and "hash" not in response.text
    _problem(admin_client.post("/api/users", json={"username": "dispatcher7", "display_name": "Again",
                                                   "role": "operator", "password": PASSWORD}),
             409, "users.exists")
    _problem(admin_client.post("/api/users", json={"username": "weak", "display_name": "W",
                                                   "role": "operator", "password": "short"}),
             422, "auth.weak_password")
    _sign_out_locally(admin_client)
    assert login(admin_client, "dispatcher7")["user"]["role"] == "dispatcher"


def _post_raw(client: TestClient, body: bytes) -> Any:
    return client.post("/api/users", content=body, headers={"content-type": "application/json"})


def test_bad_user_input_is_a_problem_never_a_500(admin_client: TestClient, settings: Settings) -> None:
    _problem(_post_raw(admin_client, b'{"username": "x",'), 400, "request.invalid_json")

    wrong_types = admin_client.post("/api/users", json={"username": 5, "display_name": ["x"],
                                                        "role": "operator", "password": PASSWORD})
    fields = {e["field"] for e in _problem(wrong_types, 422, "request.validation_failed")["errors"]}
    assert fields == {"body.username", "body.display_name"}

    bad_role = admin_client.post("/api/users", json={"username": "abc", "display_name": "A", "role": "king",
                                                     "password": PASSWORD})
    assert [e["field"] for e in _problem(bad_role, 422, "request.validation_failed")["errors"]] == ["body.role"]

    unknown = admin_client.post("/api/users", json={"username": "abc", "display_name": "A", "role": "operator",
                                                    "password": PASSWORD, "is_superuser": True})
    errors = _problem(unknown, 422, "request.validation_failed")["errors"]
    assert errors == [{"field": "body.is_superuser", "message": "unknown field"}]

    _problem(_post_raw(admin_client, b"[]"), 422, "request.validation_failed")
    _problem(_post_raw(admin_client, b""), 422, "request.validation_failed")

    huge = b'{"username": "' + b"a" * settings.max_body_bytes + b'"}'
    body = _problem(_post_raw(admin_client, huge), 413, "request.too_large")
    assert str(settings.max_body_bytes) in body["detail"]
    assert [u["username"] for u in admin_client.get("/api/users").json()["items"]] == ["admin"]


def test_streamed_body_over_the_limit_is_413(admin_client: TestClient, settings: Settings) -> None:
    def chunks() -> Any:
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    response = admin_client.post("/api/users", content=chunks(), headers={"content-type": "application/json"})
    _problem(response, 413, "request.too_large")


def test_users_pagination_follows_the_cursor_to_the_end(admin_client: TestClient, app_db: Database) -> None:
    ids = [make_user(app_db, name, "operator") for name in ("op-a", "op-b")]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 1}
        if cursor is not None:
            params["cursor"] = cursor
        page = admin_client.get("/api/users", params=params)
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        assert len(items) == 1
        seen.append(items[0]["username"])
        pages += 1
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
        assert pages < 10
    assert seen == ["admin", "op-a", "op-b"]
    assert ids == sorted(ids)
    everything = admin_client.get("/api/users", params={"limit": 500}).json()
    assert everything["next_cursor"] is None and len(everything["items"]) == 3


def test_garbage_cursor_is_400(admin_client: TestClient) -> None:
    for cursor in ("!!not-a-cursor!!", "e30", encode_cursor("abc"), encode_cursor({"id": 1}), encode_cursor([1]),
                   encode_cursor(-1), encode_cursor(10**30), encode_cursor(1.5)):
        _problem(admin_client.get("/api/users", params={"cursor": cursor}), 400, "request.bad_cursor")


def test_bad_limit_is_422(admin_client: TestClient) -> None:
    for limit in ("0", "501", "many"):
        _problem(admin_client.get("/api/users", params={"limit": limit}), 422, "request.validation_failed")


def test_patch_changes_role_and_refuses_bad_changes(admin_client: TestClient, app_db: Database) -> None:
    user_id = make_user(app_db, "operator1", "operator")
    response = admin_client.patch(f"/api/users/{user_id}", json={"role": "supervisor"})
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "supervisor"
    assert admin_client.get(f"/api/users/{user_id}").json()["role"] == "supervisor"
    [record] = _audit(app_db, "users.role_change")
    assert record.details == {"from": "operator", "to": "supervisor"} and record.actor.startswith("user:")

    for body, field in (({"role": None}, "body.role"), ({"display_name": None}, "body.display_name"),
                        ({"is_active": None}, "body.is_active"), ({"password": "x"}, "body.password")):
        errors = _problem(admin_client.patch(f"/api/users/{user_id}", json=body), 422,
                          "request.validation_failed")["errors"]
        assert [e["field"] for e in errors] == [field]
    assert admin_client.get(f"/api/users/{user_id}").json()["role"] == "supervisor"

    admin_id = admin_client.get("/api/auth/session").json()["user"]["id"]
    _problem(admin_client.patch(f"/api/users/{admin_id}", json={"role": "operator"}), 409, "users.last_admin")
    _problem(admin_client.patch("/api/users/99999", json={"role": "operator"}), 404, "request.not_found")


def test_disabling_a_user_ends_their_session(admin_client: TestClient, app: Any, app_db: Database) -> None:
    user_id = make_user(app_db, "operator1", "operator")
    other = TestClient(app, base_url="http://testserver")  # a second browser; the app is already running
    login(other, "operator1")
    assert other.get("/api/auth/session").status_code == 200
    assert admin_client.patch(f"/api/users/{user_id}", json={"is_active": False}).status_code == 200
    _problem(other.get("/api/auth/session"), 401, "auth.not_authenticated")
    _problem(other.post("/api/auth/login", json={"username": "operator1", "password": PASSWORD}),
             401, "auth.invalid_credentials")


def test_unlock_clears_a_users_delays(admin_client: TestClient, app_db: Database, settings: Settings) -> None:
    settings.login_base_delay_s = 60.0
    user_id = make_user(app_db, "operator1", "operator")
    for _ in range(settings.login_free_attempts):
        admin_client.post("/api/auth/login", json={"username": "operator1", "password": "not-the-password"})
    _problem(admin_client.post("/api/auth/login", json={"username": "operator1", "password": PASSWORD}),
             429, "auth.throttled")
    # the admin's own session is unaffected by the failed sign-ins of another user
    response = admin_client.post(f"/api/users/{user_id}/unlock")
    assert response.status_code == 200, response.text
    assert response.json() == {"cleared": 2}
    assert [r.target_id for r in _audit(app_db, "users.unlock")] == [str(user_id)]
    _sign_out_locally(admin_client)
    assert login(admin_client, "operator1")["user"]["id"] == user_id


def test_admin_resets_a_password(admin_client: TestClient, app_db: Database) -> None:
    user_id = make_user(app_db, "operator1", "operator")
    response = admin_client.post(f"/api/users/{user_id}/password", json={"password": "brand-new-password"})
    assert response.status_code == 204
    _sign_out_locally(admin_client)
    _problem(admin_client.post("/api/auth/login", json={"username": "operator1", "password": PASSWORD}),
             401, "auth.invalid_credentials")
    login(admin_client, "operator1", "brand-new-password")


def test_change_own_password(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    wrong = client.post("/api/auth/password", json={"current_password": "nope-nope-nope",
                                                    "new_password": "another-long-one"})
    assert _problem(wrong, 400, "auth.wrong_current_password")["errors"][0]["field"] == "current_password"
    ok = client.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": "another-long-one"})
    assert ok.status_code == 204
    assert client.get("/api/auth/session").status_code == 200  # this session stays
    outcomes = [r.outcome for r in _audit(app_db, "auth.password_change")]
    assert outcomes == ["failure", "success"]


def test_roles_lists_every_role(admin_client: TestClient) -> None:
    roles = {r["role"]: r["permissions"] for r in admin_client.get("/api/roles").json()}
    assert set(roles) == {"operator", "dispatcher", "supervisor", "inspector", "analyst", "admin", "auditor",
                          "patrol", "simulator"}
    assert "users:write" in roles["admin"] and "audit:verify" in roles["auditor"]


def test_requests_touch_a_session_about_once_a_minute(admin_client: TestClient, app_db: Database) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from qorgau.auth.models import WebSession
    from qorgau.core.time import utcnow

    def last_seen() -> Any:
        with app_db.reading() as session:
            return session.scalars(select(WebSession.last_seen_at)).one()

    fresh = last_seen()
    assert admin_client.get("/api/auth/session").status_code == 200
    assert last_seen() == fresh  # read-only: no write for a session seen moments ago
    with app_db.unit_of_work() as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
    assert admin_client.get("/api/auth/session").status_code == 200
    assert utcnow() - last_seen() < timedelta(minutes=1)


def test_streamed_body_within_the_limit_still_works(admin_client: TestClient) -> None:
    body = json.dumps({"username": "streamed", "display_name": "S", "role": "analyst",
                       "password": "long-enough-pass"}).encode()

    def chunks() -> Any:
        yield body[:10]
        yield body[10:]

    response = admin_client.post("/api/users", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text


def test_an_api_token_cannot_change_the_password(admin_client: TestClient) -> None:
    token = admin_client.post("/api/auth/tokens", json={"name": "bot", "scopes": ["tokens:write"]}).json()["token"]
    bare = TestClient(admin_client.app)
    response = bare.post("/api/auth/password", headers={"Authorization": f"Bearer {token}"},
                         json={"current_password": PASSWORD, "new_password": "yet-another-pass"})
    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"

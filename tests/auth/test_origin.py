"""Origin checks compare scheme, host and port, and sign-in refuses a foreign Origin as every other write does."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from qorgau.core.db import Database
from qorgau.core.i18n import translate
from tests.conftest import PASSWORD, make_user

SERVER = "http://127.0.0.1:8200"
FOREIGN = ["https://127.0.0.1:8200", "http://127.0.0.1:8201", "http://127.0.0.2:8200", "http://localhost:8200",
           "http://127.0.0.1", "null", "http://127.0.0.1:notaport", "http://127.0.0.1:8200.evil.example"]


@pytest.fixture
def served(app: Any) -> Any:
    with TestClient(app, base_url=SERVER) as client:
        yield client


def _refused(response: Any) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "auth.origin_rejected"
    assert response.json()["detail"] == translate("auth.origin_rejected", "ru")


def _sign_in(client: TestClient, origin: str | None = None) -> Any:
    headers = {"Origin": origin} if origin else {}
    return client.post("/api/auth/login", json={"username": "olga", "password": PASSWORD}, headers=headers)


@pytest.mark.parametrize("origin", FOREIGN)
def test_origin_checks_compare_scheme_host_and_port(served: TestClient, app_db: Database, origin: str) -> None:
    make_user(app_db, "olga", "operator")
    served.headers["X-CSRF-Token"] = _sign_in(served).json()["csrf_token"]
    _refused(served.post("/api/auth/logout", headers={"Origin": origin}))
    _refused(served.get("/api/auth/session", headers={"Origin": origin}))
    assert served.post("/api/auth/logout", headers={"Origin": SERVER}).status_code == 204


@pytest.mark.parametrize("origin", FOREIGN)
def test_login_refuses_a_foreign_origin(served: TestClient, app_db: Database, origin: str) -> None:
    make_user(app_db, "olga", "operator")
    _refused(_sign_in(served, origin))
    assert "qorgau_session" not in served.cookies
    assert _sign_in(served, SERVER).status_code == 200
    assert _sign_in(served, "HTTP://127.0.0.1:8200").status_code == 200  # scheme and host ignore case
    assert _sign_in(served).status_code == 200  # no Origin: not a browser's cross-site request

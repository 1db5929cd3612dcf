"""Values a database cannot hold are the request's fault: a clear 422, never a server error."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import make_user


def test_nul_character_in_text_is_a_client_error_not_a_server_error(admin_client: TestClient,
                                                                    app_db: Database) -> None:
    # The probe's finding: PostgreSQL cannot store NUL in text, and its driver's refusal was a 500.
    user_id = make_user(app_db, "crew1", "patrol")
    details = set()
    for language in ("kk", "ru", "en"):
        response = admin_client.patch(f"/api/users/{user_id}", json={"display_name": "Crew\x00One"},
                                      headers={"Accept-Language": language})
        assert response.status_code in {200, 422}, response.text  # SQLite stores the character; PostgreSQL cannot
        if response.status_code == 422:
            assert response.json()["code"] == "request.value_not_storable", response.text
            details.add(response.json()["detail"])
    assert len(details) in {0, 3}
    if details:  # refused whole: the transaction rolled back
        assert admin_client.get(f"/api/users/{user_id}").json()["display_name"] == "Crew1"
    login = admin_client.post("/api/auth/login", json={"username": "crew\x001", "password": "x" * 12})
    assert login.status_code in {401, 422}, login.text

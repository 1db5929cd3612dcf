from fastapi.testclient import TestClient

from tests.conftest import login


def test_admin_signs_in_and_lists_users(admin_client: TestClient) -> None:
    response = admin_client.get("/api/users")
    assert response.status_code == 200
    assert [u["username"] for u in response.json()["items"]] == ["admin"]
    assert callable(login)  # imported helper is the one the fixtures use

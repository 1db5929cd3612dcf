"""The simulator's account manages the crews it plays and nothing else."""

from __future__ import annotations

from starlette.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import PASSWORD, login, make_user


def test_the_simulator_manages_crew_accounts_only(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "sim", "simulator")
    operator = make_user(app_db, "olga", "operator")
    login(client, "sim")
    crew = client.post("/api/users", json={"username": "sim-pc-01", "display_name": "Экипаж", "role": "patrol",
                                           "password": PASSWORD})
    assert crew.status_code == 201, crew.text
    crew_id = crew.json()["id"]
    assert client.post(f"/api/users/{crew_id}/password", json={"password": PASSWORD + "x"}).status_code == 204
    refused = [
        client.post("/api/users", json={"username": "boss", "display_name": "B", "role": "admin",
                                        "password": PASSWORD}),
        client.patch(f"/api/users/{crew_id}", json={"role": "admin"}),
        client.post(f"/api/users/{operator}/password", json={"password": PASSWORD + "x"}),
        client.patch(f"/api/users/{operator}", json={"is_active": False}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert {r.json()["code"] for r in refused} == {"auth.crew_accounts_only"}

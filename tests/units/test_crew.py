"""A unit's crew is made of existing user accounts: anything else is a clear 422, never a foreign-key failure."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import make_user
from tests.incidents.conftest import ok, problem


def _unit(client: TestClient, code: str) -> dict[str, Any]:
    body: dict[str, Any] = ok(client.post("/api/units", json={"code": code, "kind": "patrol_car", "name": code}), 201)
    return body


def test_crew_of_an_unknown_user_is_a_422_naming_the_user(admin_client: TestClient, app_db: Database) -> None:
    _unit(admin_client, "PC-08")
    patrol = make_user(app_db, "crew1", "patrol")
    ok(admin_client.patch("/api/units/PC-08", json={"members": [patrol]}))
    details = set()
    for language in ("kk", "ru", "en"):
        body = problem(admin_client.patch("/api/units/PC-08", json={"members": [patrol, 999999]},
                                          headers={"Accept-Language": language}), 422, "units.unknown_member")
        assert "999999" in body["detail"], body
        details.add(body["detail"])
    assert len(details) == 3  # translated, not the same text thrice
    problem(admin_client.post("/api/units", json={"code": "PC-09", "kind": "patrol_car", "name": "PC-09",
                                                  "members": [999999]}), 422, "units.unknown_member")
    assert ok(admin_client.get("/api/units/PC-08"))["members"] == [patrol]  # the refused change left no trace
    assert admin_client.get("/api/units/PC-09").status_code == 404


def test_crew_member_that_is_not_a_user_id_is_a_validation_error(admin_client: TestClient) -> None:
    _unit(admin_client, "PC-08")
    for members in ([False], [True], [0], [-1], [2**64], ["1"], [1.5]):
        response = admin_client.patch("/api/units/PC-08", json={"members": members})
        assert response.status_code == 422, (members, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert ok(admin_client.get("/api/units/PC-08"))["members"] == []

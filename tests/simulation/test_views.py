"""Simulation runs over HTTP on SQLite and PostgreSQL: guards, status, start, heartbeat, end, problems."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.simulation.conftest import events

RUN = {"name": "aksai-evening", "seed": 7, "scale": 2.0, "details": {"endpoints": {"dc09": "127.0.0.1:12300"}}}


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"], body
    return body


def test_status_needs_a_sign_in_and_runs_need_simulation_run(client: TestClient, app_db: Database) -> None:
    _problem(client.get("/api/simulation/status"), 401, "auth.not_authenticated")
    make_user(app_db, "op", "operator")
    login(client, "op")
    assert client.get("/api/simulation/status").json() == {"active": False, "runs": []}
    denied = _problem(client.post("/api/simulation/runs", json=RUN), 403, "auth.forbidden")
    assert denied["permission"] == "simulation:run"
    _problem(client.post("/api/simulation/runs/1/heartbeat"), 403, "auth.forbidden")
    _problem(client.post("/api/simulation/runs/1/end", json={"summary": {}}), 403, "auth.forbidden")


def test_start_heartbeat_and_end_drive_the_status(admin_client: TestClient, app_db: Database) -> None:
    created = admin_client.post("/api/simulation/runs", json=RUN)
    assert created.status_code == 201, created.text
    run = created.json()
    assert (run["name"], run["seed"], run["scale"], run["ended_at"]) == ("aksai-evening", 7, 2.0, None)
    assert run["details"] == RUN["details"] and run["started_by"].startswith("user:")
    status = admin_client.get("/api/simulation/status").json()
    assert status["active"] and [r["id"] for r in status["runs"]] == [run["id"]]

    beat = admin_client.post(f"/api/simulation/runs/{run['id']}/heartbeat")
    assert beat.status_code == 200 and beat.json()["last_seen_at"] >= run["last_seen_at"]
    ended = admin_client.post(f"/api/simulation/runs/{run['id']}/end", json={"summary": {"alarms": 3}})
    assert ended.status_code == 200, ended.text
    assert ended.json()["end_reason"] == "ended" and ended.json()["details"]["summary"] == {"alarms": 3}
    assert admin_client.get("/api/simulation/status").json() == {"active": False, "runs": []}
    assert [(e.name, e.context["simulated"]) for e in events(app_db)] == [
        ("simulation.started", True), ("simulation.ended", True)]


def test_problems_are_translated(admin_client: TestClient) -> None:
    run = admin_client.post("/api/simulation/runs", json=RUN).json()
    admin_client.post(f"/api/simulation/runs/{run['id']}/end")  # the body is optional
    english = {"Accept-Language": "en"}
    refused = _problem(admin_client.post(f"/api/simulation/runs/{run['id']}/heartbeat", headers=english), 409,
                       "simulation.run_ended")
    assert refused["detail"] == f"Simulation run {run['id']} has already ended (ended)."
    _problem(admin_client.post(f"/api/simulation/runs/{run['id']}/end", headers={"Accept-Language": "kk"}), 409,
             "simulation.run_ended")
    missing = _problem(admin_client.post("/api/simulation/runs/999/heartbeat", headers={"Accept-Language": "ru"}),
                       404, "simulation.run_not_found")
    assert missing["detail"] == "Прогон симуляции 999 не найден."
    for bad in ({**RUN, "scale": 0}, {**RUN, "seed": -1}, {**RUN, "name": " "}, {**RUN, "extra": 1}):
        _problem(admin_client.post("/api/simulation/runs", json=bad), 422, "request.validation_failed")

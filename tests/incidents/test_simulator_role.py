"""The simulator's role opens, moves and annotates simulated incidents only (403 for a real one)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.incidents import service
from qorgau.incidents.schemas import IncidentCreate
from tests.conftest import login, make_user, simulated_only_refusal

CENTRE = (53.011478, 51.173893)


def _incident(db: Database, simulated: bool) -> int:
    with db.unit_of_work() as session:
        body = IncidentCreate(category="theft", lon=CENTRE[0], lat=CENTRE[1], simulated=simulated)
        return service.create(session, incident_in=body, actor="user:1", ctx=Context.system("test")).id


def test_the_simulator_writes_only_simulated_incidents(client: TestClient, app_db: Database) -> None:
    real, simulated = _incident(app_db, False), _incident(app_db, True)
    make_user(app_db, "sim", "simulator")
    login(client, "sim")
    body = {"category": "theft", "lon": CENTRE[0], "lat": CENTRE[1]}
    simulated_only_refusal(client.post("/api/incidents", json=body))
    assert client.post("/api/incidents", json={**body, "simulated": True}).status_code == 201
    simulated_only_refusal(client.post(f"/api/incidents/{real}/transition", json={"to": "on_hold", "reason": "x"}))
    simulated_only_refusal(client.post(f"/api/incidents/{real}/notes", json={"text": "чужой"}))
    assert client.post(f"/api/incidents/{simulated}/notes", json={"text": "свой"}).status_code == 201
    assert client.get(f"/api/incidents/{real}").json()["state"] == "new"

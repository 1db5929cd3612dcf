"""The simulator's role opens, moves and annotates simulated incidents only (403 for a real one)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.i18n import translate
from qorgau.incidents import service
from qorgau.incidents.schemas import IncidentCreate
from tests.conftest import login, make_user

CENTRE = (53.011478, 51.173893)


def _refused(response: Any) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "auth.simulated_only"
    assert response.json()["detail"] == translate("auth.simulated_only", "ru")


def _incident(db: Database, simulated: bool) -> int:
    with db.unit_of_work() as session:
        body = IncidentCreate(category="theft", lon=CENTRE[0], lat=CENTRE[1], simulated=simulated)
        return service.create(session, incident_in=body, actor="user:1", ctx=Context.system("test")).id


def test_the_simulator_writes_only_simulated_incidents(client: TestClient, app_db: Database) -> None:
    real, simulated = _incident(app_db, False), _incident(app_db, True)
    make_user(app_db, "sim", "simulator")
    login(client, "sim")
    body = {"category": "theft", "lon": CENTRE[0], "lat": CENTRE[1]}
    _refused(client.post("/api/incidents", json=body))
    assert client.post("/api/incidents", json={**body, "simulated": True}).status_code == 201
    _refused(client.post(f"/api/incidents/{real}/transition", json={"to": "on_hold", "reason": "x"}))
    _refused(client.post(f"/api/incidents/{real}/notes", json={"text": "чужой"}))
    assert client.post(f"/api/incidents/{simulated}/notes", json={"text": "свой"}).status_code == 201
    assert client.get(f"/api/incidents/{real}").json()["state"] == "new"

"""The simulator's role sends only its own (simulated) units, and only to simulated incidents."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.devices import geo
from qorgau.incidents import service as incident_service
from qorgau.incidents.schemas import IncidentCreate
from tests.conftest import login, make_user, simulated_only_refusal
from tests.incidents.conftest import ok

CENTRE = (53.011478, 51.173893)


def _incident(db: Database, simulated: bool) -> int:
    lon, lat = CENTRE
    with db.unit_of_work() as session:
        body = IncidentCreate(category="theft", lon=lon, lat=lat, simulated=simulated)
        return incident_service.create(session, incident_in=body, actor="user:1", ctx=Context.system("test")).id


def test_the_simulator_sends_only_its_own_units_to_simulated_incidents(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "admin", "admin")
    make_user(app_db, "sim", "simulator")
    login(client, "admin")
    lon, lat = geo.offset(*CENTRE, 400, 0)
    for code, simulated in (("PC-01", False), ("SIM-PC-01", True)):
        ok(client.post("/api/units", json={"code": code, "kind": "patrol_car", "name": code, "lon": lon, "lat": lat,
                                           "simulated": simulated}), 201)
    real, simulated_incident = _incident(app_db, False), _incident(app_db, True)
    make_user(app_db, "disp", "dispatcher")
    login(client, "disp")
    assert {r["code"] for r in ok(client.get(f"/api/incidents/{real}/recommendations"))} == {"PC-01", "SIM-PC-01"}
    login(client, "sim")
    ranked = ok(client.get(f"/api/incidents/{simulated_incident}/recommendations"))
    assert [r["code"] for r in ranked] == ["SIM-PC-01"]  # its own units only
    simulated_only_refusal(client.post(f"/api/incidents/{simulated_incident}/dispatch", json={"unit_code": "PC-01"}))
    simulated_only_refusal(client.post(f"/api/incidents/{real}/dispatch", json={"unit_code": "SIM-PC-01"}))
    sent = ok(client.post(f"/api/incidents/{simulated_incident}/dispatch", json={"unit_code": "SIM-PC-01"}), 201)
    simulated_only_refusal(client.post(f"/api/assignments/{sent['id']}/reassign", json={"unit_code": "PC-01"}))
    ok(client.post(f"/api/assignments/{sent['id']}/clear"))
    login(client, "disp")
    theirs = ok(client.post(f"/api/incidents/{real}/dispatch", json={"unit_code": "PC-01"}), 201)
    login(client, "sim")
    simulated_only_refusal(client.post(f"/api/assignments/{theirs['id']}/clear"))

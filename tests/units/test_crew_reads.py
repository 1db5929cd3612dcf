"""A patrol can read any unit's assignments: no more — a crew sees its own unit's work only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.i18n import translate
from qorgau.devices import geo
from qorgau.incidents import service as incident_service
from qorgau.incidents.schemas import IncidentCreate
from tests.conftest import login, make_user
from tests.incidents.conftest import ok, problem

CENTRE = (53.011478, 51.173893)


def _incident(db: Database, east_m: float) -> int:
    lon, lat = geo.offset(*CENTRE, east_m, 0)
    with db.unit_of_work() as session:
        return incident_service.create(session, incident_in=IncidentCreate(category="theft", lon=lon, lat=lat),
                                       actor="user:1", ctx=Context.system("test")).id


def test_a_patrol_reads_only_its_own_units_assignments(client: TestClient, app_db: Database) -> None:
    crew_1 = make_user(app_db, "patrol1", "patrol")
    make_user(app_db, "patrol2", "patrol")  # in no unit
    make_user(app_db, "disp", "dispatcher")
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    lon, lat = geo.offset(*CENTRE, 500, 0)
    for code, members in (("PC-01", [crew_1]), ("PC-02", [])):
        ok(client.post("/api/units", json={"code": code, "kind": "patrol_car", "name": code, "lon": lon, "lat": lat,
                                           "members": members}), 201)
    mine, theirs = _incident(app_db, 0), _incident(app_db, 300)
    login(client, "disp")
    ok(client.post(f"/api/incidents/{mine}/dispatch", json={"unit_code": "PC-01"}), 201)
    ok(client.post(f"/api/incidents/{theirs}/dispatch", json={"unit_code": "PC-02"}), 201)
    assert [a["unit_code"] for a in ok(client.get("/api/units/PC-02/assignments"))] == ["PC-02"]
    assert [a["unit_code"] for a in ok(client.get(f"/api/incidents/{theirs}/assignments"))] == ["PC-02"]

    login(client, "patrol1")
    assert [a["incident_id"] for a in ok(client.get("/api/units/PC-01/assignments"))] == [mine]
    assert [a["unit_code"] for a in ok(client.get(f"/api/incidents/{mine}/assignments"))] == ["PC-01"]
    refused = problem(client.get("/api/units/PC-02/assignments"), 403, "units.own_unit_only")
    assert refused["detail"] == translate("units.own_unit_only", "ru")
    problem(client.get(f"/api/incidents/{theirs}/assignments"), 403, "units.own_unit_only")

    login(client, "patrol2")
    problem(client.get("/api/units/PC-01/assignments"), 403, "units.own_unit_only")
    problem(client.get(f"/api/incidents/{mine}/assignments"), 403, "units.own_unit_only")

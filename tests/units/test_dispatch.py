"""Units and dispatch on the seeded Aksai model: recommendation by road time, dispatch, the unit app, races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import TypedDict

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.city import service as city_service
from qorgau.city.enums import Mode
from qorgau.core.bus import Context, publish
from qorgau.core.db import Database
from qorgau.core.errors import Conflict
from qorgau.core.time import utcnow
from qorgau.devices import geo
from qorgau.incidents import service as incident_service
from qorgau.incidents.models import Incident
from qorgau.incidents.schemas import IncidentCreate
from qorgau.ingest.events import GPS_FIX, GpsFix, Position
from qorgau.units import dispatch, seed, service
from qorgau.units.enums import UnitKind
from qorgau.units.models import Assignment, Unit
from qorgau.units.recommend import Candidate, recommend
from qorgau.units.schemas import UnitCreate
from tests.conftest import login, make_user
from tests.incidents.conftest import Flows, ok, problem

CTX = Context.system("test")
CENTRE = (53.011478, 51.173893)


class Limits(TypedDict):
    """When a unit's last position is stale, and when it is lost."""

    stale_s: float
    lost_s: float


LIMITS: Limits = {"stale_s": 120.0, "lost_s": 1800.0}


def _incident(db: Database, east_m: float = 0.0, north_m: float = 0.0) -> int:
    lon, lat = geo.offset(*CENTRE, east_m, north_m)
    with db.unit_of_work() as session:
        return incident_service.create(session, incident_in=IncidentCreate(category="theft", lon=lon, lat=lat),
                                       actor="user:1", ctx=CTX).id


def _unit(db: Database, code: str, kind: UnitKind, east_m: float, north_m: float, age_s: float = 0.0) -> None:
    lon, lat = geo.offset(*CENTRE, east_m, north_m)
    with db.unit_of_work() as session:
        unit = service.create(session, unit_in=UnitCreate(code=code, kind=kind, name=code, lon=lon, lat=lat),
                              ctx=CTX)
        unit.position_at = utcnow() - timedelta(seconds=age_s)


def test_recommendation_ranks_by_road_time_with_stale_and_lost_rules(db: Database) -> None:
    incident_id = _incident(db)
    _unit(db, "PC-NEAR", UnitKind.PATROL_CAR, 600, 0)
    _unit(db, "PC-FAR", UnitKind.PATROL_CAR, 2500, 1500)
    _unit(db, "PC-STALE", UnitKind.PATROL_CAR, 100, 0, age_s=600)
    _unit(db, "PC-LOST", UnitKind.PATROL_CAR, 50, 0, age_s=4000)
    _unit(db, "FP-1", UnitKind.FOOT_PATROL, 0, 300)
    with db.reading() as session:
        found = dispatch.recommendations(session, incident_id=incident_id, now=utcnow(), limit=10, **LIMITS)
        graph = city_service.graph(session, city_service.active_model(session))
    assert [r.code for r in found if not r.stale][:1] in (["PC-NEAR"], ["FP-1"])
    assert [r.code for r in found][-1] == "PC-STALE" and "PC-LOST" not in [r.code for r in found]
    fresh = [r for r in found if not r.stale]
    assert [r.eta_s for r in fresh] == sorted(r.eta_s for r in fresh)
    by_code = {r.code: r for r in found}
    assert by_code["FP-1"].mode == Mode.WALK and by_code["PC-NEAR"].mode == Mode.DRIVE
    # The same times as the city graph's own many-to-one query, and the route runs from the unit to the incident.
    near = by_code["PC-NEAR"]
    expected = graph.times_to([near.route[0][0]], [near.route[0][1]], near.route[-1], Mode.DRIVE)[0]
    assert np.isclose(near.eta_s, expected) and near.meters > 500
    direct = graph.route(near.route[0], near.route[-1], Mode.DRIVE)
    assert direct is not None and np.isclose(direct.seconds, near.eta_s, rtol=1e-6)


def test_dispatch_unit_app_progress_drives_incident_times(client: TestClient, app_db: Database,
                                                          run_flows: Flows) -> None:
    patrol_id = make_user(app_db, "patrol1", "patrol")
    make_user(app_db, "disp", "dispatcher")
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    lon, lat = geo.offset(*CENTRE, 500, 0)
    ok(client.post("/api/units", json={"code": "pc-01", "kind": "patrol_car", "name": "Патруль 1", "lon": lon,
                                       "lat": lat, "members": [patrol_id], "trackers": ["gps-1"]}), 201)
    ok(client.post("/api/units", json={"code": "PC-02", "kind": "patrol_car", "name": "Патруль 2", "lon": lon,
                                       "lat": lat}), 201)
    problem(client.post("/api/units", json={"code": "PC-03", "kind": "patrol_car", "name": "x",
                                            "trackers": ["gps-1"]}), 409, "units.tracker_taken")
    incident_id = _incident(app_db)
    other_id = _incident(app_db, 300, 300)
    login(client, "disp")
    recs = ok(client.get(f"/api/incidents/{incident_id}/recommendations"))
    assert {r["code"] for r in recs} == {"PC-01", "PC-02"} and recs[0]["route"]["type"] == "LineString"
    sent = ok(client.post(f"/api/incidents/{incident_id}/dispatch", json={"unit_code": "PC-01"}), 201)
    assert sent["stage"] == "dispatched" and sent["eta_s"] > 0 and sent["route"]["type"] == "LineString"
    busy = problem(client.post(f"/api/incidents/{other_id}/dispatch", json={"unit_code": "PC-01"}), 409, "units.busy")
    assert "PC-01" in busy["detail"]
    board = {u["code"]: u for u in ok(client.get("/api/units"))["items"]}
    assert board["PC-01"]["status"] == "dispatched" and board["PC-01"]["incident_id"] == incident_id
    assert board["PC-02"]["status"] == "available" and board["PC-02"]["stale"] is False

    login(client, "patrol1")
    mine = ok(client.get("/api/me/unit"))
    assert mine["unit"]["code"] == "PC-01" and mine["assignment"]["id"] == sent["id"]
    assert mine["incident"]["id"] == incident_id
    ok(client.post(f"/api/assignments/{sent['id']}/accept"))
    ok(client.post(f"/api/assignments/{sent['id']}/progress", json={"stage": "en_route"}))
    refused = problem(client.post(f"/api/assignments/{sent['id']}/accept"), 409, "units.invalid_stage")
    assert refused["allowed"] == ["on_scene", "resolved"]
    ok(client.post("/api/me/unit/position", json={"lon": CENTRE[0], "lat": CENTRE[1]}))
    ok(client.post(f"/api/assignments/{sent['id']}/progress", json={"stage": "on_scene"}))
    ok(client.post(f"/api/assignments/{sent['id']}/notes", json={"text": "На месте"}), 201)
    run_flows(app_db)
    with app_db.reading() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.state == "on_scene"
        assert incident.dispatched_at and incident.en_route_at and incident.on_scene_at
        assert incident.dispatched_at <= incident.en_route_at <= incident.on_scene_at
    ok(client.post(f"/api/assignments/{sent['id']}/progress", json={"stage": "resolved"}))
    run_flows(app_db)
    login(client, "disp")
    detail = ok(client.get(f"/api/incidents/{incident_id}"))
    assert detail["state"] == "resolved" and ("unit", "PC-01") in [(k["kind"], k["ref"]) for k in detail["links"]]
    assert [t["actor"] for t in detail["transitions"]][1:] == ["unit:PC-01"] * 4
    assert ok(client.get("/api/units/PC-01"))["status"] == "available"

    # Decline, then reassignment keeps the history.
    second = ok(client.post(f"/api/incidents/{other_id}/dispatch", json={"unit_code": "PC-01"}), 201)
    login(client, "patrol1")
    problem(client.post(f"/api/assignments/{second['id']}/decline", json={"reason": ""}), 422,
            "request.validation_failed")
    declined = ok(client.post(f"/api/assignments/{second['id']}/decline", json={"reason": "Колесо пробито"}))
    assert declined["stage"] == "declined" and declined["decline_reason"] == "Колесо пробито"
    login(client, "disp")
    third = ok(client.post(f"/api/incidents/{other_id}/dispatch", json={"unit_code": "PC-01"}), 201)
    moved = ok(client.post(f"/api/assignments/{third['id']}/reassign", json={"unit_code": "PC-02"}), 201)
    history = ok(client.get(f"/api/incidents/{other_id}/assignments"))
    assert [(h["unit_code"], h["stage"]) for h in history] == [("PC-01", "declined"), ("PC-01", "reassigned"),
                                                               ("PC-02", "dispatched")]
    assert history[1]["replaced_by"] == moved["id"]
    login(client, "patrol1")
    problem(client.post(f"/api/assignments/{moved['id']}/accept"), 403, "units.not_your_assignment")


def test_two_dispatches_of_one_unit_at_once_exactly_one_wins(db: Database) -> None:
    first, second = _incident(db), _incident(db, 200, 0)
    _unit(db, "PC-01", UnitKind.PATROL_CAR, 400, 0)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send(incident_id: int) -> None:
        barrier.wait()
        try:
            with db.unit_of_work() as session:
                dispatch.dispatch(session, incident_id=incident_id, unit_code="PC-01", actor="user:1", ctx=CTX,
                                  **LIMITS)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=send, args=(i,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["units.busy", "won"]
    with db.reading() as session:
        assert len(session.scalars(select(Assignment)).all()) == 1


def test_gps_fixes_move_the_bound_unit_and_seed_is_idempotent(db: Database, run_flows: Flows) -> None:
    with db.unit_of_work() as session:
        assert seed.seed_aksai(session) == 24
        assert seed.seed_aksai(session) == 0
    fix_time = datetime.now(UTC)
    with db.unit_of_work() as session:
        for tracker, at in (("aksai-gps-01", fix_time), ("aksai-gps-01", fix_time - timedelta(minutes=5)),
                            ("unbound", fix_time)):
            publish(session, GPS_FIX, subject_id=tracker, ctx=CTX, payload=GpsFix(
                tracker_id=tracker, position=Position(lon=53.02, lat=51.17), fix_time=at))
    run_flows(db)
    with db.reading() as session:
        unit = session.scalars(select(Unit).where(Unit.code == "PC-01")).one()
        assert (unit.lon, unit.lat, unit.position_at, unit.position_source) == (53.02, 51.17, fix_time, "mqtt")
    graph_free = recommend  # the pure function works without a database too
    assert graph_free is not None and Candidate("X", UnitKind.POST, 0, 0, None).kind == UnitKind.POST

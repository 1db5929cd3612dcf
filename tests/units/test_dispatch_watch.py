"""Dispatch that cannot silently stall: the watch's flags, a decline that leaves the incident uncovered, and
states that need a unit there."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices import geo
from qorgau.incidents.models import Incident
from qorgau.units import dispatch, service, watch
from qorgau.units.config import UnitsSettings
from qorgau.units.enums import Stage, UnitKind
from qorgau.units.models import Assignment
from tests.conftest import login, make_user
from tests.incidents.conftest import Flows, ok, problem
from tests.units.test_dispatch import CENTRE, CTX, LIMITS, _unit

RULES = watch.Rules.of(UnitsSettings())  # high ≤ 30: en route 60 s, on scene reported 60 s, ETA + 120 s


def _incident(db: Database, priority: int) -> int:
    from qorgau.incidents import service as incident_service
    from qorgau.incidents.schemas import IncidentCreate

    with db.unit_of_work() as session:
        body = IncidentCreate(category="theft", priority=priority, lon=CENTRE[0], lat=CENTRE[1])
        return incident_service.create(session, incident_in=body, actor="user:1", ctx=CTX).id


def _pass(db: Database, after_s: float) -> list[tuple[str, str | None, bool]]:
    with db.unit_of_work() as session:
        changes = watch.watch(session, now=utcnow() + timedelta(seconds=after_s), rules=RULES)
    return [(c.unit_code, c.flag, c.urgent) for c in changes]


def _stalled(db: Database, incident_id: int) -> int:
    with db.reading() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        return incident.units_stalled


def test_the_watch_flags_a_unit_not_en_route_at_the_scene_unreported_or_late(db: Database, run_flows: Flows) -> None:
    urgent, routine = _incident(db, 10), _incident(db, 100)
    _unit(db, "PC-01", UnitKind.PATROL_CAR, 1500, 0)
    _unit(db, "PC-02", UnitKind.PATROL_CAR, 1200, 400)
    with db.unit_of_work() as session:
        first = dispatch.dispatch(session, incident_id=urgent, unit_code="PC-01", actor="user:1", ctx=CTX, **LIMITS)
        second = dispatch.dispatch(session, incident_id=routine, unit_code="PC-02", actor="user:1", ctx=CTX,
                                   **LIMITS)
        first_id, second_id, eta = first.id, second.id, second.eta_s
    assert eta is not None and 0 < eta < 600
    assert _pass(db, 30) == []
    # Not en route: a minute for a high priority (and an alert sound), three for the others.
    assert _pass(db, 61) == [("PC-01", "not_en_route", True)]
    assert _pass(db, 181) == [("PC-02", "not_en_route", False)]
    assert _pass(db, 181) == []  # a change is announced once
    run_flows(db)
    assert _stalled(db, urgent) == 1
    with db.unit_of_work() as session:
        dispatch.advance(session, assignment_id=first_id, stage=Stage.EN_ROUTE, ctx=CTX)
        dispatch.advance(session, assignment_id=second_id, stage=Stage.EN_ROUTE, ctx=CTX)
        board = service.to_read(session, service.get(session, "PC-01"), now=utcnow(), stale_s=120)
        assert board.flag == "not_en_route"  # the unit board shows it until the next pass
    # En route: PC-01 reaches the scene and stands there without reporting it; PC-02 is past its ETA + 300 s.
    assert sorted(_pass(db, 62)) == [("PC-01", None, True), ("PC-02", None, False)]
    with db.unit_of_work() as session:
        lon, lat = geo.offset(*CENTRE, 20, 0)
        service.move(session, service.get(session, "PC-01"), lon=lon, lat=lat, at=utcnow(), source="test", ctx=CTX)
    assert _pass(db, 70) == []  # seen at the scene from now on
    assert _pass(db, 131) == [("PC-01", "at_scene_unreported", True)]
    assert _pass(db, eta + 301) == [("PC-02", "eta_passed", False)]
    run_flows(db)
    assert _stalled(db, urgent) == 1 and _stalled(db, routine) == 1
    with db.unit_of_work() as session:
        dispatch.advance(session, assignment_id=first_id, stage=Stage.ON_SCENE, ctx=CTX)
    assert _pass(db, eta + 302) == [("PC-01", None, True)]
    run_flows(db)
    assert _stalled(db, urgent) == 0
    with db.reading() as session:
        rows = {a.unit_id: a for a in session.scalars(select(Assignment))}
        assert [a.flag for a in rows.values()].count("eta_passed") == 1
        names = session.scalars(select(OutboxEvent.name).where(OutboxEvent.name == "units.dispatch_flagged")).all()
        assert len(names) == 7
        changed = session.scalars(select(OutboxEvent.name).where(OutboxEvent.name == "incidents.units_changed"))
        assert len(changed.all()) >= 4


def _settled(client: TestClient, incident_id: int, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The incident once the server's subscribers have followed the units (they run after each commit)."""
    deadline = time.monotonic() + 10
    while True:
        incident: dict[str, Any] = ok(client.get(f"/api/incidents/{incident_id}"))
        if done(incident) or time.monotonic() > deadline:
            return incident
        time.sleep(0.1)


def test_a_declined_dispatch_leaves_the_incident_uncovered_and_new_with_the_reason_on_record(
        client: TestClient, app_db: Database) -> None:
    make_user(app_db, "admin", "admin")
    make_user(app_db, "disp", "dispatcher")
    crew = make_user(app_db, "crew", "patrol")
    login(client, "admin")
    lon, lat = geo.offset(*CENTRE, 600, 0)
    for code, members in (("PC-01", [crew]), ("PC-02", [])):
        ok(client.post("/api/units", json={"code": code, "kind": "patrol_car", "name": code, "lon": lon, "lat": lat,
                                           "members": members}), 201)
    incident_id = _incident(app_db, 20)
    login(client, "disp")
    # States cannot skip what makes them true: no unit is there.
    refused = problem(client.post(f"/api/incidents/{incident_id}/transition", json={"to": "on_scene"},
                                  headers={"Accept-Language": "en"}), 409, "incidents.no_unit_there")
    assert "no unit" in refused["detail"] and "on_hold" in refused["allowed"]
    sent = ok(client.post(f"/api/incidents/{incident_id}/dispatch", json={"unit_code": "PC-01"}), 201)
    board = _settled(client, incident_id, lambda i: i["units_active"] == 1)
    assert board["state"] == "dispatched" and board["units_active"] == 1 and "on_scene" not in board["allowed"]
    problem(client.post(f"/api/incidents/{incident_id}/transition", json={"to": "en_route"}), 409,
            "incidents.no_unit_there")

    login(client, "crew")
    ok(client.post(f"/api/assignments/{sent['id']}/decline", json={"reason": "Колесо пробито"}))
    login(client, "disp")
    detail = _settled(client, incident_id, lambda i: i["state"] == "new")
    assert detail["state"] == "new" and detail["units_active"] == 0
    assert detail["uncovered_at"] is not None and detail["uncovered_reason"] == "Колесо пробито"
    declines = [t for t in detail["transitions"] if t["event"] == "unit_declined"]
    assert [(t["actor"], t["from_state"], t["to_state"], t["reason"]) for t in declines] == [
        ("unit:PC-01", "dispatched", "new", "Колесо пробито")]

    again = ok(client.post(f"/api/incidents/{incident_id}/dispatch", json={"unit_code": "PC-02"}), 201)
    detail = _settled(client, incident_id, lambda i: i["units_active"] == 1)
    assert detail["state"] == "dispatched" and detail["uncovered_at"] is None and detail["uncovered_reason"] is None
    # Released by the dispatcher: uncovered again (no reason of a crew), back to New.
    ok(client.post(f"/api/assignments/{again['id']}/clear"))
    detail = _settled(client, incident_id, lambda i: i["units_active"] == 0)
    assert detail["state"] == "new" and detail["uncovered_at"] is not None and detail["uncovered_reason"] is None

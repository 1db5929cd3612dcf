"""Simulated units on SQLite and PostgreSQL: the flag through the API and the seed, moves flagged simulated."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.core.bus import Context, publish
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.ingest.events import GPS_FIX, GpsFix, Position
from qorgau.settings import Settings
from qorgau.units import seed, service
from qorgau.units.enums import UnitStatus
from qorgau.units.models import Unit
from tests.conftest import login, make_user
from tests.incidents.conftest import Flows, ok
from tests.server import cli_env, run_cli

CTX = Context.system("test")
CENTRE = (53.011478, 51.173893)


def _moves(db: Database) -> dict[str, list[bool]]:
    found: dict[str, list[bool]] = {}
    with db.reading() as session:
        for event in session.scalars(select(OutboxEvent).where(OutboxEvent.name == "units.moved")
                                     .order_by(OutboxEvent.seq)):
            found.setdefault(event.subject_id, []).append(bool(event.context["simulated"]))
    return found


def _simulated(db: Database) -> dict[str, bool]:
    with db.reading() as session:
        return {u.code: u.simulated for u in session.scalars(select(Unit))}


def test_seed_marks_the_plan_simulated_only_when_asked(db: Database) -> None:
    with db.unit_of_work() as session:
        created = seed.seed_aksai(session)
    assert created > 0 and not any(_simulated(db).values())
    with db.unit_of_work() as session:
        assert seed.seed_aksai(session, simulated=True) == 0
    assert all(_simulated(db).values())
    with db.unit_of_work() as session:
        assert seed.seed_aksai(session) == 0
    assert all(_simulated(db).values())  # a plain seed leaves existing units as they are


def test_gps_fixes_and_status_of_a_simulated_unit_are_simulated(db: Database, run_flows: Flows) -> None:
    with db.unit_of_work() as session:
        seed.seed_aksai(session)
        service.get(session, "PC-02").simulated = True
    fix_time = datetime.now(UTC)
    with db.unit_of_work() as session:
        for tracker in ("aksai-gps-01", "aksai-gps-02"):
            publish(session, GPS_FIX, subject_id=tracker, ctx=CTX, payload=GpsFix(
                tracker_id=tracker, position=Position(lon=53.02, lat=51.17), fix_time=fix_time))
    run_flows(db)
    assert _moves(db) == {"PC-01": [False], "PC-02": [True]}
    with db.unit_of_work() as session:
        for code in ("PC-01", "PC-02"):
            service.set_status(session, service.get(session, code), UnitStatus.BUSY, ctx=CTX)
    with db.reading() as session:
        changes = {e.subject_id: e.context["simulated"] for e in session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "units.status_changed"))}
    assert changes == {"PC-01": False, "PC-02": True}


def _unit(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = ok(client.post("/api/units", json=body), 201)
    return result


def test_the_flag_through_the_api_and_the_unit_app(client: TestClient, app_db: Database) -> None:
    patrol_id = make_user(app_db, "patrol1", "patrol")
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    sim = _unit(client, {"code": "SIM-01", "kind": "patrol_car", "name": "Sim 1", "members": [patrol_id],
                         "simulated": True})
    real = _unit(client, {"code": "PC-01", "kind": "foot_patrol", "name": "Пеший 1"})
    assert (sim["simulated"], real["simulated"]) == (True, False)

    def codes(query: str) -> list[str]:
        return [u["code"] for u in ok(client.get(f"/api/units{query}"))["items"]]

    assert codes("?simulated=true") == ["SIM-01"] and codes("?simulated=false") == ["PC-01"]
    assert codes("") == ["PC-01", "SIM-01"]
    assert ok(client.patch("/api/units/PC-01", json={"simulated": True}))["simulated"] is True
    assert codes("?simulated=false") == []
    assert ok(client.patch("/api/units/PC-01", json={"simulated": False}))["simulated"] is False

    login(client, "patrol1")
    ok(client.post("/api/me/unit/position", json={"lon": CENTRE[0], "lat": CENTRE[1]}))
    assert _moves(app_db) == {"SIM-01": [True]}


def test_seed_aksai_simulated_from_the_command_line(settings: Settings, db: Database) -> None:
    env = cli_env(settings.data_dir, settings.effective_database_url)
    first = run_cli(env, "units", "seed-aksai", "--simulated")
    assert first.returncode == 0, first.stderr
    assert "all simulated" in first.stdout
    units = _simulated(db)
    assert units and all(units.values())

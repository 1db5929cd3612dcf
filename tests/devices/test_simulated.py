"""Simulated devices on SQLite and PostgreSQL: the flag through the API, files, health, the seed and the CLI."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from qorgau.cli import app
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices import health, revision, service
from qorgau.devices.models import Device
from qorgau.devices.planner import FallbackPlanner
from qorgau.devices.schemas import DeviceCreate
from qorgau.devices.seed import seed
from tests.conftest import CLI_ACTOR
from tests.devices.conftest import CTX, camera, events, panel


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _codes(client: TestClient, query: str) -> list[str]:
    return [d["code"] for d in _ok(client.get(f"/api/devices?{query}"))["items"]]


def test_the_flag_is_created_read_filtered_and_patched(admin_client: TestClient, app_db: Database) -> None:
    assert _ok(admin_client.post("/api/devices", json=panel(simulated=True)), 201)["simulated"] is True
    assert _ok(admin_client.post("/api/devices", json=camera()), 201)["simulated"] is False
    assert _codes(admin_client, "simulated=true") == ["PNL-01"]
    assert _codes(admin_client, "simulated=false") == ["CAM-0001"]
    assert _codes(admin_client, "") == ["CAM-0001", "PNL-01"]
    with app_db.reading() as session:
        before = revision.current(session)[0]
    patched = _ok(admin_client.patch("/api/devices/CAM-0001", json={"simulated": True}))
    assert patched["simulated"] is True and patched["kind"] == "camera"
    with app_db.reading() as session:
        assert revision.current(session)[0] > before  # the ingest directory reloads
    assert events(app_db, "devices.updated")[-1].payload["changes"] == ["simulated"]
    assert _codes(admin_client, "simulated=true") == ["CAM-0001", "PNL-01"]


def test_csv_and_geojson_carry_the_flag(admin_client: TestClient) -> None:
    _ok(admin_client.post("/api/devices", json=panel(simulated=True)), 201)
    _ok(admin_client.post("/api/devices", json=camera()), 201)
    exported = admin_client.get("/api/devices/export?format=csv")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(exported.text))}
    assert (rows["PNL-01"]["simulated"], rows["CAM-0001"]["simulated"]) == ("true", "false")
    geojson = _ok(admin_client.get("/api/devices/export?format=geojson"))
    assert {f["id"]: f["properties"]["simulated"] for f in geojson["features"]} == {"CAM-0001": False,
                                                                                   "PNL-01": True}
    flipped = "code,simulated\nCAM-0001,true\nPNL-01,false\n"
    result = _ok(admin_client.post("/api/devices/import", content=flipped, headers={"Content-Type": "text/csv"}))
    assert (result["created"], result["updated"]) == (0, 2)
    assert _codes(admin_client, "simulated=true") == ["CAM-0001"]


def _create(db: Database, body: dict[str, Any]) -> None:
    with db.unit_of_work() as session:
        service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR, ctx=CTX)


def test_health_changes_of_a_simulated_device_are_simulated(db: Database) -> None:
    _create(db, panel(simulated=True, supervision_interval_s=60))
    _create(db, camera(supervision_interval_s=60))
    t0 = utcnow()
    with db.unit_of_work() as session:
        for code in ("PNL-01", "CAM-0001"):
            health.heartbeat(session, code=code, ctx=CTX, now=t0)
    with db.unit_of_work() as session:
        assert sorted(health.supervise(session, now=t0 + timedelta(seconds=61))) == ["CAM-0001", "PNL-01"]
    changes = [(e.subject_id, e.payload["current"], e.context["simulated"])
               for e in events(db, "devices.health_changed")]
    assert sorted(changes) == [("CAM-0001", "offline", False), ("CAM-0001", "online", False),
                               ("PNL-01", "offline", True), ("PNL-01", "online", True)]


def test_a_heartbeat_over_http_of_a_simulated_device_is_simulated(admin_client: TestClient,
                                                                  app_db: Database) -> None:
    _ok(admin_client.post("/api/devices", json=panel(simulated=True)), 201)
    _ok(admin_client.post("/api/devices/PNL-01/heartbeat"))
    (change,) = events(app_db, "devices.health_changed")
    assert change.payload["current"] == "online" and change.context["simulated"] is True


@pytest.mark.timeout(240)  # seeds the whole Smart Aqsai plan twice (simulated, then plain)
def test_seeding_simulated_marks_the_whole_plan_and_a_plain_seed_keeps_it(db: Database) -> None:
    with db.unit_of_work() as session:
        first = seed(session, FallbackPlanner(), actor=CLI_ACTOR, ctx=CTX)
    with db.reading() as session:
        assert not any(session.scalars(select(Device.simulated)))
        sos = session.scalars(select(Device).where(Device.kind == "sos_terminal").order_by(Device.code)).all()
        assert [sorted((i.protocol, i.value) for i in d.identifiers) for d in sos[:2]] == [
            [("mqtt", "aksai-sos-001"), ("sip", "7001")], [("mqtt", "aksai-sos-002"), ("sip", "7002")]]
    with db.unit_of_work() as session:
        marked = seed(session, FallbackPlanner(), actor=CLI_ACTOR, ctx=CTX, simulated=True)
    assert (marked.devices.created, marked.devices.updated) == (0, first.devices.created)
    with db.unit_of_work() as session:
        again = seed(session, FallbackPlanner(), actor=CLI_ACTOR, ctx=CTX)
    assert (again.devices.created, again.devices.updated) == (0, 0)
    with db.reading() as session:
        assert all(session.scalars(select(Device.simulated)))


@pytest.mark.timeout(240)  # the city model and the whole plan seeded by CLI processes
def test_seed_aksai_simulated_from_the_command_line(cli_database: str) -> None:
    url = cli_database
    result = CliRunner().invoke(app, ["devices", "seed-aksai", "--simulated"])
    assert result.exit_code == 0, result.stderr
    assert "546 created" in result.stdout and "all simulated" in result.stdout
    database = Database(url)
    try:
        with database.reading() as session:
            assert set(session.scalars(select(Device.simulated))) == {True}
    finally:
        database.dispose()

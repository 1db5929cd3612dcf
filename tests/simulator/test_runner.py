"""The simulator against a real server for a short seeded window: DC-09, MQTT, SIP and the API end to end.

One `qorgau serve` with the adapters inside, the demo broker (Mosquitto), the Aksai model, its devices and units
seeded as simulated. The simulation plays the demo's first minute and a scripted story on top of a busy
background, with a duty officer that dispatches at once and units that travel fast.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from qorgau.city.graph import load_graph
from qorgau.city.models import CityEdge, CityModel
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.simulator.broker import DemoBroker
from qorgau.simulator.plan import Planner
from qorgau.simulator.runner import SimConfig, Simulation
from qorgau.simulator.scenarios import load, resolve
from tests.conftest import PASSWORD
from tests.server import cli_env, free_port, run_cli, running_server

# The module's fixture plays a 60 s simulation (and starts Mosquitto and the server): the first test pays for it.
pytestmark = pytest.mark.timeout(240)

STORY = """
name: test-story
title: A scripted morning
steps:
  - after: 2s
    do: panic
    site: Школа №3
  - after: 4s
    do: call
    category: theft
    address: Советская 12
  - after: 6s
    do: sos
    hold: 2s
  - after: 8s
    do: access
    site: Колледж №1
    action: forced
"""
DURATION_S = 60.0


@dataclass(frozen=True)
class Served:
    base: str
    db: Database
    config: SimConfig


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("simulated")
    dc09, sip = free_port(), free_port()
    url = f"sqlite:///{data}/qorgau.db"
    with DemoBroker(data / "mqtt", prefer="mosquitto") as broker:
        env = cli_env(data / "var", url, QORGAU_INGEST_IN_SERVE="true", QORGAU_DC09_TCP_PORT=str(dc09),
                      QORGAU_DC09_UDP_PORT=str(dc09), QORGAU_SIP_PORT=str(sip), QORGAU_MQTT_URL=broker.url)
        for command in (["migrate"], ["user", "add", "sim", "--role", "simulator"],
                        ["user", "add", "ana", "--role", "analyst"], ["city", "seed-aksai"],
                        ["devices", "seed-aksai", "--simulated"], ["units", "seed-aksai", "--simulated"]):
            result = run_cli(env, *command, stdin=PASSWORD + "\n")
            assert result.returncode == 0, result.stderr
        story = data / "story.yaml"
        story.write_text(STORY, encoding="utf-8")
        database = Database(url)
        with running_server(env, data / "server.log") as base:
            config = SimConfig(url=base, username="sim", password=PASSWORD, dc09_port=dc09, sip_port=sip,
                               mqtt_url=broker.url, seed=42, intensity=40.0, duration_s=DURATION_S,
                               scenarios=("demo-start", str(story)), duty_officer=0.0, scene_s=(3.0, 6.0),
                               speedup=60.0, report_s=2.0)
            yield Served(base, database, config)
        database.engine.dispose()


@pytest.fixture(scope="module")
def played(served: Served) -> Simulation:
    simulation = Simulation(served.config)
    asyncio.run(simulation.run())
    return simulation


def _events(db: Database, name: str) -> list[OutboxEvent]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.name == name).order_by(OutboxEvent.seq)))


def test_everything_sent_was_acknowledged(played: Simulation) -> None:
    summary = played.summary()
    for channel in ("dc09", "mqtt", "sip", "http", "units"):
        assert summary[channel]["sent"] > 0, channel
        assert summary[channel]["failed"] == 0, (channel, summary[channel]["last_error"])


def test_every_simulated_alarm_arrives_as_an_event(served: Served, played: Simulation) -> None:
    sent = Counter(label for label in played.stats.by_action if label.startswith("cid-"))
    acked_alarms = sum(count for label, count in played.stats.by_action.items() if label.startswith("cid-"))
    assert sent and acked_alarms >= 2  # the demo's and the story's panic at least
    events = _events(served.db, "ingest.panel_event")
    assert len(events) == acked_alarms
    assert all(e.context["simulated"] for e in events)
    panics = [e for e in events if e.payload.get("kind") == "panic"]
    assert panics
    alarms = httpx.Client(base_url=served.base)
    alarms.post("/api/auth/login", json={"username": "sim", "password": PASSWORD}).raise_for_status()
    raised = alarms.get("/api/alarms", params={"state": ["new", "acknowledged", "resolved"]}).json()["items"]
    alarms.close()
    assert raised and all(a["simulated"] for a in raised)
    sos = _events(served.db, "ingest.sos_event")
    assert sos and all(e.context["simulated"] for e in sos)
    access = _events(served.db, "ingest.access_event")
    assert any(e.payload.get("action") == "forced" for e in access)


def test_the_plan_played_is_the_seeded_plan(played: Simulation) -> None:
    assert played.started_at is not None and played.world is not None
    start, end = played.started_at, played.started_at + timedelta(seconds=DURATION_S)
    expected = Planner(played.world, seed=42, intensity=40.0).window(start, end)
    for name in played.config.scenarios:
        expected += [p for p in resolve(load(name), played.world, start) if p.at < end]
    key = lambda p: (p.at, p.action, p.target, p.source)  # noqa: E731
    assert sorted(played.sent, key=key) == sorted(expected, key=key)


def _distance_to_network_m(db: Database, points: list[tuple[float, float]]) -> np.ndarray[Any, Any]:
    with db.unit_of_work() as session:
        model = session.scalars(select(CityModel).where(CityModel.active.is_(True))).one()
        graph = load_graph(session, model.id)
        edges = np.array(session.execute(select(CityEdge.source, CityEdge.target)
                                         .where(CityEdge.model_id == model.id)).all())
    a, b = graph.xy[edges[:, 0]], graph.xy[edges[:, 1]]
    x, y = graph.proj.to_xy(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    p = np.column_stack([x, y])[:, None, :]
    ab = (b - a)[None, :, :]
    t = np.clip(((p - a[None]) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-9), 0, 1)
    nearest = a[None] + t[..., None] * ab
    return np.asarray(np.sqrt(((p - nearest) ** 2).sum(-1)).min(axis=1))


def test_units_move_on_the_streets(served: Served, played: Simulation) -> None:
    moves = _events(served.db, "units.moved")
    by_unit: dict[str, list[tuple[float, float]]] = {}
    for event in moves:
        by_unit.setdefault(event.payload["code"], []).append((event.payload["lon"], event.payload["lat"]))
    moving = {code: fixes[2:] for code, fixes in by_unit.items() if len(set(fixes)) > 2}
    assert len(moving) >= 5, "patrol cars and foot patrols move"
    # Past the first fix (off the start ring), and each place once: a crew standing at a scene off the street
    # (a yard, a building) reports the same fix for as long as it stays, and how long that is in a 60 s window
    # depends on how busy the machine is, not on the routing this test is about.
    points = sorted({point for fixes in moving.values() for point in fixes})
    distances = _distance_to_network_m(served.db, points)
    far = sorted(zip(distances.tolist(), points, strict=True))[-5:]
    assert np.percentile(distances, 95) < 15.0, far


def test_a_dispatched_unit_reaches_the_scene_and_the_response_is_recorded(served: Served,
                                                                          played: Simulation) -> None:
    assert played.started_at is not None
    assert played.stats.by_action.get("unit-on-scene", 0) >= 1
    with httpx.Client(base_url=served.base) as client:
        client.post("/api/auth/login", json={"username": "sim", "password": PASSWORD}).raise_for_status()
        assignments = _events(served.db, "units.assignment_changed")
        on_scene = [e for e in assignments if e.payload["stage"] == "on_scene"]
        assert on_scene
        incident = client.get(f"/api/incidents/{on_scene[0].payload['incident_id']}").json()
        assert incident["simulated"] is True
        assert incident["on_scene_at"] is not None
    with httpx.Client(base_url=served.base) as analyst:
        analyst.post("/api/auth/login", json={"username": "ana", "password": PASSWORD}).raise_for_status()
        period = {"from": (played.started_at - timedelta(hours=1)).isoformat(),
                  "to": (played.started_at + timedelta(hours=1)).isoformat()}
        with_sim = analyst.get("/api/incidents/response", params={**period, "include_simulated": "true"}).json()
        without = analyst.get("/api/incidents/response", params=period).json()
    assert with_sim["overall"]["on_scene"]["count"] >= 1
    assert without["overall"]["incidents"] == 0, "simulated incidents are left out unless asked for"


def test_the_run_was_announced_and_ended(served: Served, played: Simulation) -> None:
    with httpx.Client(base_url=served.base) as client:
        client.post("/api/auth/login", json={"username": "sim", "password": PASSWORD}).raise_for_status()
        status = client.get("/api/simulation/status").json()
    assert status["active"] is False
    runs = _events(served.db, "simulation.ended")
    assert runs and runs[-1].payload.get("summary", {}).get("seed", 42) == 42


def test_a_server_without_simulated_devices_is_refused(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "var", f"sqlite:///{tmp_path}/q.db", QORGAU_INGEST_IN_SERVE="false")
    for command in (["migrate"], ["user", "add", "sim", "--role", "simulator"]):
        assert run_cli(env, *command, stdin=PASSWORD + "\n").returncode == 0
    with running_server(env, tmp_path / "server.log") as base:
        simulation = Simulation(SimConfig(url=base, username="sim", password=PASSWORD, duration_s=1))
        with pytest.raises(Exception, match="no simulated devices"):
            asyncio.run(simulation.run())

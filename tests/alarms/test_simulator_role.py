"""The simulator's role handles simulated alarms only: a real alarm is refused (403), a simulated one allowed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qorgau.core.bus import Context
from qorgau.core.db import Database
from tests.alarms.conftest import alarms, panel_signal, registry, signal
from tests.conftest import login, make_user, simulated_only_refusal


def test_the_simulator_handles_only_simulated_alarms(client: TestClient, app_db: Database) -> None:
    registry(app_db)
    signal(app_db, panel_signal("panic"))
    signal(app_db, panel_signal("panic", "PNL-02", "OBJ-02"), ctx=Context(actor="system:test", simulated=True))
    by_flag = {a.simulated: a.id for a in alarms(app_db)}
    real, simulated = by_flag[False], by_flag[True]
    make_user(app_db, "sim", "simulator")
    login(client, "sim")
    simulated_only_refusal(client.post(f"/api/alarms/{real}/acknowledge"))
    simulated_only_refusal(client.post(f"/api/alarms/{real}/steps/call_school", json={"state": "done"}))
    simulated_only_refusal(client.post(f"/api/alarms/{real}/resolve", json={"resolution": "test"}))
    assert client.post(f"/api/alarms/{simulated}/acknowledge").status_code == 200
    assert client.post(f"/api/alarms/{simulated}/resolve", json={"resolution": "test"}).status_code == 200
    assert client.get(f"/api/alarms/{real}").json()["state"] == "new"

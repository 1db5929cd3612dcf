"""The simulator's account acts only on what is marked simulated: its crews, devices and units — nothing else."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import PASSWORD, login, make_user, simulated_only_refusal
from tests.devices.conftest import camera

CSV_HEADER = "code,kind,purpose,name_kk,name_ru,lon,lat,lifecycle,simulated"


def _allowed(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _csv(code: str, simulated: bool) -> bytes:
    lon, lat = camera()["lon"], camera()["lat"]
    flag = "true" if simulated else "false"
    return f"{CSV_HEADER}\n{code},camera,public_space,К {code},К {code},{lon},{lat},commissioned,{flag}\n".encode()


def _simulator(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    _allowed(client.post("/api/devices", json=camera("CAM-0001")), 201)
    _allowed(client.post("/api/devices", json=camera("CAM-0002", east_m=50, simulated=True)), 201)
    _allowed(client.post("/api/units", json={"code": "PC-01", "kind": "patrol_car", "name": "Патруль 1"}), 201)
    _allowed(client.post("/api/units", json={"code": "SIM-PC-01", "kind": "patrol_car", "name": "Сим 1",
                                             "simulated": True}), 201)
    client.post("/api/auth/logout")
    make_user(app_db, "sim", "simulator")
    login(client, "sim")


def test_the_simulator_manages_crew_accounts_only(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "sim", "simulator")
    operator = make_user(app_db, "olga", "operator")
    login(client, "sim")
    crew = client.post("/api/users", json={"username": "sim-pc-01", "display_name": "Экипаж", "role": "patrol",
                                           "password": PASSWORD})
    assert crew.status_code == 201, crew.text
    crew_id = crew.json()["id"]
    assert client.post(f"/api/users/{crew_id}/password", json={"password": PASSWORD + "x"}).status_code == 204
    boss = client.post("/api/users", json={"username": "boss", "display_name": "B", "role": "admin",
                                           "password": PASSWORD})
    promote = client.patch(f"/api/users/{crew_id}", json={"role": "admin"})
    assert [boss.status_code, promote.status_code] == [403, 403]
    assert {boss.json()["code"], promote.json()["code"]} == {"auth.crew_accounts_only"}
    simulated_only_refusal(client.post(f"/api/users/{operator}/password", json={"password": PASSWORD + "x"}))
    simulated_only_refusal(client.patch(f"/api/users/{operator}", json={"is_active": False}))


def test_the_simulator_cannot_reset_or_deactivate_a_real_patrol_account(client: TestClient,
                                                                         app_db: Database) -> None:
    real = make_user(app_db, "pavel", "patrol")
    make_user(app_db, "sim", "simulator")
    login(client, "sim")
    crew = _allowed(client.post("/api/users", json={"username": "sim-pc-01", "display_name": "Экипаж",
                                                    "role": "patrol", "password": PASSWORD}), 201)
    simulated_only_refusal(client.post(f"/api/users/{real}/password", json={"password": PASSWORD + "x"}))
    simulated_only_refusal(client.patch(f"/api/users/{real}", json={"is_active": False}))
    simulated_only_refusal(client.post(f"/api/users/{real}/unlock"))
    _allowed(client.post(f"/api/users/{crew['id']}/password", json={"password": PASSWORD + "x"}), 204)
    assert _allowed(client.patch(f"/api/users/{crew['id']}", json={"is_active": False}))["is_active"] is False
    _allowed(client.post(f"/api/users/{crew['id']}/unlock"))
    login(client, "pavel")  # the real account still signs in with its own password


def test_the_simulator_writes_only_simulated_devices(client: TestClient, app_db: Database) -> None:
    _simulator(client, app_db)
    simulated_only_refusal(client.post("/api/devices", json=camera("CAM-0003", east_m=100)))
    _allowed(client.post("/api/devices", json=camera("CAM-0004", east_m=150, simulated=True)), 201)
    simulated_only_refusal(client.patch("/api/devices/CAM-0001", json={"name_ru": "Чужая"}))
    simulated_only_refusal(client.patch("/api/devices/CAM-0002", json={"simulated": False}))
    _allowed(client.patch("/api/devices/CAM-0002", json={"name_ru": "Своя"}))
    simulated_only_refusal(client.post("/api/devices/CAM-0001/heartbeat"))
    _allowed(client.post("/api/devices/CAM-0002/heartbeat"))
    simulated_only_refusal(client.post("/api/devices/CAM-0001/decommission"))
    _allowed(client.post("/api/devices/CAM-0002/decommission"))
    site = {"code": "S-1", "kind": "police_post", "name_kk": "М", "name_ru": "Ш", "lon": camera()["lon"],
            "lat": camera()["lat"]}
    simulated_only_refusal(client.post("/api/sites", json=site))
    lifecycles = {d["code"]: d["lifecycle"] for d in client.get("/api/devices").json()["items"]}
    assert lifecycles["CAM-0001"] == "commissioned"


def test_the_simulator_imports_only_simulated_rows_and_never_exports(client: TestClient, app_db: Database) -> None:
    _simulator(client, app_db)
    upload = {"content-type": "text/csv"}
    # a real device, then a new real one
    simulated_only_refusal(client.post("/api/devices/import", content=_csv("CAM-0001", True), headers=upload))
    simulated_only_refusal(client.post("/api/devices/import", content=_csv("CAM-0009", False), headers=upload))
    _allowed(client.post("/api/devices/import", content=_csv("CAM-0002", True), headers=upload))
    _allowed(client.post("/api/devices/import", content=_csv("CAM-0009", True), headers=upload))
    flags = {d["code"]: d["simulated"] for d in client.get("/api/devices").json()["items"]}
    assert flags == {"CAM-0001": False, "CAM-0002": True, "CAM-0009": True}
    simulated_only_refusal(client.get("/api/devices/export?format=csv"))
    simulated_only_refusal(client.get("/api/devices/export?format=geojson"))


def test_the_simulator_writes_only_simulated_units_crewed_by_its_accounts(client: TestClient,
                                                                          app_db: Database) -> None:
    real_patrol = make_user(app_db, "pavel", "patrol")
    _simulator(client, app_db)
    crew = _allowed(client.post("/api/users", json={"username": "sim-pc-01", "display_name": "Экипаж",
                                                    "role": "patrol", "password": PASSWORD}), 201)
    simulated_only_refusal(client.post("/api/units", json={"code": "PC-02", "kind": "patrol_car", "name": "Патруль 2"}))
    simulated_only_refusal(client.post("/api/units", json={"code": "SIM-PC-02", "kind": "patrol_car", "name": "Сим 2",
                                             "simulated": True, "members": [real_patrol]}))
    _allowed(client.post("/api/units", json={"code": "SIM-PC-02", "kind": "patrol_car", "name": "Сим 2",
                                             "simulated": True}), 201)
    simulated_only_refusal(client.patch("/api/units/PC-01", json={"members": [crew["id"]]}))
    simulated_only_refusal(client.patch("/api/units/SIM-PC-01", json={"members": [real_patrol]}))
    simulated_only_refusal(client.patch("/api/units/SIM-PC-01", json={"simulated": False}))
    assert _allowed(client.patch("/api/units/SIM-PC-01", json={"members": [crew["id"]]}))["members"] == [crew["id"]]


def test_the_simulator_cannot_create_webhook_integrations(client: TestClient, app_db: Database) -> None:
    _simulator(client, app_db)
    simulated_only_refusal(client.post("/api/ingest/integrations", json={"name": "acme"}))
    simulated_only_refusal(client.patch("/api/ingest/integrations/acme", json={"enabled": False}))
    simulated_only_refusal(client.post("/api/ingest/integrations/acme/rotate"))

"""The device registry over HTTP on SQLite and PostgreSQL: guards, filters, pagination, bulk files, health."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import login, make_user
from tests.devices.conftest import audits, camera, events, near, panel, school

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"], body
    return body


def _post(client: TestClient, path: str, body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def test_reads_need_devices_read_and_writes_devices_write(client: TestClient, app_db: Database) -> None:
    _problem(client.get("/api/devices"), 401, "auth.not_authenticated")
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    assert client.get("/api/devices").json() == {"items": [], "next_cursor": None}
    assert client.get("/api/sites").status_code == 200
    denied = _problem(client.post("/api/devices", json=camera()), 403, "auth.forbidden")
    assert denied["permission"] == "devices:write"
    _problem(client.get("/api/devices/export"), 403, "auth.forbidden")  # an export carries the network layout


def test_create_read_update_decommission(admin_client: TestClient, app_db: Database) -> None:
    created = admin_client.post("/api/devices", json=panel(username="installer", password="pa55-word-1"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["has_credentials"] and "password" not in body and "pa55" not in created.text
    assert body["zones"][0] == {"number": 1, "kind": "panic", "name": "Вахта"}
    assert admin_client.get("/api/devices/pnl-01").json() == body
    patched = admin_client.patch("/api/devices/PNL-01", json={"name_ru": "Панель", "zones": []})
    assert patched.status_code == 200 and patched.json()["zones"] == [] and patched.json()["name_kk"] == "Дабыл панелі"
    _problem(admin_client.patch("/api/devices/PNL-01", json={"name_ru": None}), 422, "request.validation_failed")
    _problem(admin_client.patch("/api/devices/PNL-01", json={"lon": 61.0}), 422, "devices.row.outside_district")
    _problem(admin_client.post("/api/devices", json=panel()), 409, "devices.exists")
    _problem(admin_client.post("/api/devices", json=panel("PNL-02")), 409, "devices.row.duplicate_identifier")
    retired = admin_client.post("/api/devices/PNL-01/decommission")
    assert retired.json()["lifecycle"] == "decommissioned" and retired.json()["identifiers"] == {
        "dc09": None, "mqtt_client_id": None, "sip_user": None}
    _problem(admin_client.get("/api/devices/NOPE-1"), 404, "devices.not_found")
    _problem(admin_client.post("/api/devices/NOPE-1/decommission"), 404, "devices.not_found")
    names = [e.name for e in events(app_db) if e.name.startswith("devices.")]
    assert names == ["devices.registered", "devices.updated", "devices.decommissioned"]
    assert len(audits(app_db, "devices.credentials_change")) == 1


def test_list_filters_bbox_text_and_pagination(admin_client: TestClient) -> None:
    _post(admin_client, "/api/sites", school().model_dump(mode="json"))
    for n in range(1, 8):
        _post(admin_client, "/api/devices", camera(f"CAM-{n:04d}", east_m=n * 100, name_ru=f"Двор Школы {n}",
                                                   purpose="yard" if n % 2 else "public_space",
                                                   site_code="OBJ-01" if n <= 2 else None))
    _post(admin_client, "/api/devices", panel())
    _post(admin_client, "/api/devices/CAM-0007/decommission", None)

    def codes(query: str) -> list[str]:
        response = admin_client.get(f"/api/devices?{query}")
        assert response.status_code == 200, response.text
        return [d["code"] for d in response.json()["items"]]

    assert codes("kind=alarm_panel") == ["PNL-01"]
    assert codes("purpose=yard&lifecycle=commissioned") == ["CAM-0001", "CAM-0003", "CAM-0005"]
    assert codes("kind=camera&kind=alarm_panel&status=unknown&lifecycle=decommissioned") == ["CAM-0007"]
    assert codes("site=obj-01") == ["CAM-0001", "CAM-0002"]
    low, high = near(150, -10), near(450, 10)
    assert codes(f"bbox={low[0]},{low[1]},{high[0]},{high[1]}") == ["CAM-0002", "CAM-0003", "CAM-0004"]
    assert codes("q=двор школы 3") == ["CAM-0003"]  # Cyrillic, any case, on both databases
    assert codes("q=cam-000") == [f"CAM-{n:04d}" for n in range(1, 8)]
    assert codes("q=100%25") == []
    first = admin_client.get("/api/devices?limit=3").json()
    second = admin_client.get(f"/api/devices?limit=3&cursor={first['next_cursor']}").json()
    third = admin_client.get(f"/api/devices?limit=3&cursor={second['next_cursor']}").json()
    assert [d["code"] for d in first["items"] + second["items"] + third["items"]] == [
        *[f"CAM-{n:04d}" for n in range(1, 8)], "PNL-01"]
    assert third["next_cursor"] is None
    for bad in ("bbox=1,2,3", "bbox=10,10,0,0", "bbox=a,b,c,d", "bbox=nan,1,2,3"):
        _problem(admin_client.get(f"/api/devices?{bad}"), 422, "devices.bad_bbox")
    _problem(admin_client.get("/api/devices?cursor=WzFd"), 400, "request.bad_cursor")
    _problem(admin_client.get("/api/devices?cursor=!!"), 400, "request.bad_cursor")
    _problem(admin_client.get("/api/devices?kind=drone"), 422, "request.validation_failed")
    summary = admin_client.get("/api/devices/summary").json()
    assert summary == {"total": 7, "by_kind": {"camera": 6, "alarm_panel": 1},
                       "by_purpose": {"yard": 3, "public_space": 3}, "by_health": {"unknown": 7},
                       "by_lifecycle": {"commissioned": 7, "decommissioned": 1}}


def test_geojson_for_the_map_is_cached_until_the_registry_or_health_changes(admin_client: TestClient) -> None:
    _post(admin_client, "/api/sites", school().model_dump(mode="json"))
    _post(admin_client, "/api/devices", camera(site_code="OBJ-01", fov_deg=80))
    _post(admin_client, "/api/devices", panel())
    response = admin_client.get("/api/devices/geojson")
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 2
    first = collection["features"][0]
    assert first["geometry"]["type"] == "Point" and first["id"] == "CAM-0001"
    assert first["properties"] == {
        "code": "CAM-0001", "kind": "camera", "purpose": "public_space", "health": "unknown",
        "lifecycle": "commissioned", "name_kk": "Камера CAM-0001", "name_ru": "Камера CAM-0001",
        "name_en": "Kamera CAM-0001", "site_code": "OBJ-01", "site_name_kk": "№1 мектеп", "site_name_ru": "Школа №1",
        "site_name_en": "Shkola No. 1", "heading_deg": 0.0, "fov_deg": 80.0, "range_m": None}
    etag = response.headers["etag"]
    assert admin_client.get("/api/devices/geojson", headers={"If-None-Match": etag}).status_code == 304
    assert admin_client.post("/api/devices/CAM-0001/heartbeat").status_code == 200
    fresh = admin_client.get("/api/devices/geojson", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.json()["features"][0]["properties"]["health"] == "online"
    assert admin_client.post("/api/devices/CAM-0001/heartbeat").status_code == 200  # no change: same body
    assert admin_client.get("/api/devices/geojson", headers={"If-None-Match": fresh.headers["etag"]}).status_code == 304
    admin_client.patch("/api/devices/PNL-01", json={"name_ru": "Панель"})
    assert admin_client.get("/api/devices/geojson").json()["features"][1]["properties"]["name_ru"] == "Панель"


def test_import_and_export_over_http(admin_client: TestClient, app_db: Database) -> None:
    lon, lat = near()
    good = f"code,kind,purpose,name_kk,name_ru,lon,lat\nCAM-0001,camera,yard,А,Б,{lon},{lat}\n"
    imported = admin_client.post("/api/devices/import", content=good, headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200 and imported.json() == {"created": 1, "updated": 0, "unchanged": 0}
    bad = good + "CAM-0001,camera,yard,А,Б,1,2\nCAM-0002,camera,,А,Б,x,2\n"
    response = admin_client.post("/api/devices/import", content=bad,
                                 headers={"Content-Type": "text/csv; charset=utf-8", "Accept-Language": "ru"})
    body = _problem(response, 422, "devices.import_rejected")
    assert [(r["line"], r["code"], r["reason"]) for r in body["rows"]] == [
        (3, "CAM-0001", "duplicate_code"), (3, "CAM-0001", "outside_district"), (4, "CAM-0002", "bad_number")]
    assert body["rows"][1]["message"] == "Точка 1.0, 2.0 вне района."
    assert body["rows"][0]["message"] == "Код CAM-0001 повторяется (впервые: 2)."
    assert len(body["errors"]) == 3 and body["detail"].startswith("Импорт ничего не изменил")
    exported = admin_client.get("/api/devices/export?format=geojson")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    again = admin_client.post("/api/devices/import", content=exported.content,
                              headers={"Content-Type": "application/geo+json"})
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1}
    csv_export = admin_client.get("/api/devices/export")
    assert csv_export.headers["content-type"].startswith("text/csv") and csv_export.text.startswith("code,kind,")
    _problem(admin_client.post("/api/devices/import", content=b"x", headers={"Content-Type": "text/plain"}), 415,
             "devices.import_media_type")
    _problem(admin_client.post("/api/devices/import", content=b"\xff\xfe", headers={"Content-Type": "text/csv"}),
             422, "devices.import_rejected")
    _problem(admin_client.get("/api/devices/export?format=xml"), 422, "request.validation_failed")
    assert len(audits(app_db, "devices.export")) == 2 and len(audits(app_db, "devices.import")) == 2


def test_only_the_import_route_takes_large_bodies(tmp_path: Path, db_url: str) -> None:
    from qorgau.runtime.server import create_app

    settings = Settings(data_dir=tmp_path / "var", database_url=db_url, log_json=False, web_dist=tmp_path / "none",
                        max_body_bytes=2_000, max_import_bytes=200_000, ingest_in_serve=False)
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        make_user(client.app.state.runtime.db, "admin", "admin")  # type: ignore[attr-defined]
        login(client, "admin")
        big = {**camera(), "name_ru": "Я" * 190, "name_kk": "Ә" * 190, "stream_main": "rtsp://h/" + "a" * 450,
               "stream_sub": "rtsp://h/" + "b" * 450, "password": "x" * 190, "username": "y" * 190}
        _problem(client.post("/api/devices", content=json.dumps(big) + " " * 1000,
                             headers={"Content-Type": "application/json"}), 413, "request.too_large")
        lon, lat = near()
        rows = "".join(f"CAM-{n:04d},camera,yard,Камера,Камера,{lon},{lat}\n" for n in range(1, 400))
        text = "code,kind,purpose,name_kk,name_ru,lon,lat\n" + rows
        assert len(text.encode()) > 10_000
        response = client.post("/api/devices/import", content=text, headers={"Content-Type": "text/csv"})
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 399
        _problem(client.post("/api/devices/import", content=text * 20, headers={"Content-Type": "text/csv"}), 413,
                 "request.too_large")


def test_heartbeat_with_a_bearer_token_and_nearest_cameras(admin_client: TestClient, app_db: Database) -> None:
    _post(admin_client, "/api/devices", camera("CAM-0001", heading_deg=0.0))
    _post(admin_client, "/api/devices", camera("CAM-0002", east_m=10, heading_deg=90.0))
    token = _post(admin_client, "/api/auth/tokens", {"name": "camera agent", "scopes": ["devices:write"]})["token"]
    device = {"Authorization": f"Bearer {token}"}
    admin_client.cookies.clear()
    beat = admin_client.post("/api/devices/CAM-0001/heartbeat", headers=device)
    assert beat.status_code == 200, beat.text
    assert beat.json()["health"] == "online" and beat.json()["offline_after"] > beat.json()["last_seen_at"]
    degraded = admin_client.post("/api/devices/CAM-0001/heartbeat", json={"status": "degraded", "detail": "fog"},
                                 headers=device)
    assert degraded.json()["health"] == "degraded"
    _problem(admin_client.post("/api/devices/CAM-0001/heartbeat", json={"status": "offline"}, headers=device), 422,
             "request.validation_failed")
    _problem(admin_client.post("/api/devices/CAM-9/heartbeat", headers=device), 404, "devices.not_found")
    _problem(admin_client.get("/api/devices", headers=device), 403, "auth.forbidden")  # the token may only write
    assert [e.payload["current"] for e in events(app_db, "devices.health_changed")] == ["online", "degraded"]

    login(admin_client, "admin")
    lon, lat = near(0, 20)
    found = admin_client.get(f"/api/devices/nearest-cameras?lon={lon}&lat={lat}&limit=5&near_m=0").json()["items"]
    assert [(c["code"], c["health"], c["distance_m"], c["bearing_deg"]) for c in found] == [
        ("CAM-0001", "degraded", 20.0, 0.0)]
    assert found[0]["score"] == pytest.approx(0.6 * (1 - 20 / 60) + 0.4, abs=1e-3)
    # By default the cameras standing near the point follow, marked as not seeing it.
    offered = admin_client.get(f"/api/devices/nearest-cameras?lon={lon}&lat={lat}&limit=5").json()["items"]
    assert [(c["code"], c["sees"]) for c in offered] == [("CAM-0001", True), ("CAM-0002", False)]
    _problem(admin_client.get("/api/devices/nearest-cameras?lon=500&lat=1"), 422, "request.validation_failed")


def test_sites(admin_client: TestClient) -> None:
    created = admin_client.post("/api/sites", json=school().model_dump(mode="json"))
    assert created.status_code == 201 and created.json()["subtype"] == "school"
    _problem(admin_client.post("/api/sites", json=school().model_dump(mode="json")), 409, "devices.site_exists")
    lon, lat = near(-300, 0)
    post = {"code": "MOP-1", "kind": "police_post", "name_kk": "№1 МТП", "name_ru": "МОП №1", "lon": lon, "lat": lat}
    assert admin_client.post("/api/sites", json=post).status_code == 201
    _problem(admin_client.post("/api/sites", json={**post, "code": "MOP-2", "subtype": "school"}), 422,
             "request.validation_failed")
    _problem(admin_client.post("/api/sites", json={**post, "code": "MOP-3", "lon": 70.0}), 422,
             "devices.row.outside_district")
    assert [s["code"] for s in admin_client.get("/api/sites?kind=police_post").json()["items"]] == ["MOP-1"]
    assert [s["code"] for s in admin_client.get("/api/sites?q=школа").json()["items"]] == ["OBJ-01"]
    patched = admin_client.patch("/api/sites/mop-1", json={"address": "ул. Советская, 1"})
    assert patched.json()["address"] == "ул. Советская, 1"
    _problem(admin_client.patch("/api/sites/MOP-1", json={"subtype": "school"}), 422, "request.validation_failed")
    _problem(admin_client.get("/api/sites/NOPE-1"), 404, "devices.site_not_found")

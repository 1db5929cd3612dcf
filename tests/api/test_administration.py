"""Every administration action over HTTP writes its audit record, and only administrators may take it;
the settings screen reads the effective settings, secrets redacted (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.core.settings import redacted
from qorgau.settings import Settings
from tests.conftest import PASSWORD, login, make_user
from tests.devices.conftest import camera


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _last(db: Database, action: str) -> AuditRecord:
    with db.reading() as session:
        row = session.scalars(select(AuditRecord).where(AuditRecord.action == action)
                              .order_by(AuditRecord.seq.desc()).limit(1)).first()
    assert row is not None, f"no {action} record"
    return row


def test_every_admin_action_is_audited(admin_client: TestClient, app_db: Database, settings: Settings) -> None:
    api = admin_client
    user = _ok(api.post("/api/users", json={"username": "new.crew", "display_name": "Жаңа патруль",
                                            "role": "operator", "password": PASSWORD}), 201)
    uid = str(user["id"])
    assert _last(app_db, "users.create").target_id == uid

    _ok(api.patch(f"/api/users/{uid}", json={"role": "patrol"}))
    assert _last(app_db, "users.role_change").details == {"from": "operator", "to": "patrol"}
    _ok(api.post(f"/api/users/{uid}/password", json={"password": "another-long-secret"}), 204)
    assert _last(app_db, "users.password_reset").target_id == uid
    _ok(api.post(f"/api/users/{uid}/unlock"))
    assert _last(app_db, "users.unlock").target_id == uid

    # Binding the patrol's account to a unit: the crew before and after are in the record.
    _ok(api.post("/api/units", json={"code": "PC-90", "kind": "patrol_car", "name": "Патруль 90"}), 201)
    assert _last(app_db, "units.create").target_id == "PC-90"
    unit = _ok(api.patch("/api/units/PC-90", json={"members": [user["id"]]}))
    assert unit["members"] == [user["id"]]
    bound = _last(app_db, "units.update")
    assert bound.target_id == "PC-90" and bound.actor_name == "admin"
    assert bound.details["members_before"] == [] and bound.details["members"] == [user["id"]]

    _ok(api.patch(f"/api/users/{uid}", json={"is_active": False}))
    assert _last(app_db, "users.update").details == {"fields": ["is_active"]}

    site = {"code": "SCH-90", "kind": "social_object", "subtype": "school", "name_kk": "Мектеп", "name_ru": "Школа",
            "lon": 53.0, "lat": 51.17}
    _ok(api.post("/api/sites", json=site), 201)
    assert _last(app_db, "sites.create").target_id == "SCH-90"
    _ok(api.patch("/api/sites/SCH-90", json={"name_ru": "Школа №90"}))
    assert _last(app_db, "sites.update").details == {"fields": ["name_ru"]}

    _ok(api.post("/api/devices", json=camera("CAM-0090")), 201)
    _ok(api.patch("/api/devices/CAM-0090", json={"name_ru": "Вход", "site_code": "SCH-90"}))
    assert _last(app_db, "devices.update").details == {"fields": ["name_ru", "site_code"]}
    _ok(api.post("/api/devices/CAM-0090/decommission"))
    assert _last(app_db, "devices.decommission").target_id == "CAM-0090"

    rule = _ok(api.get("/api/alarms/rules"))[0]
    edited = {k: v for k, v in rule.items() if k not in ("id", "created_at", "updated_at")} | {"enabled": False}
    _ok(api.put(f"/api/alarms/rules/{rule['code']}", json=edited))
    assert _last(app_db, "alarms.rule_update").target_id == rule["code"]

    # Settings: read-only, every value as `qorgau config show` gives it (secrets redacted).
    body = _ok(api.get("/api/settings"))
    assert body["run_time_changes"] is False and body["config_file_env"] == "QORGAU_CONFIG"
    by_name = {s["name"]: s for s in body["items"]}
    assert by_name["time_zone"]["env"] == "QORGAU_TIME_ZONE" and by_name["time_zone"]["title"]
    assert by_name["time_zone"]["section"] == "Core" and by_name["unit_position_stale_s"]["default"] is True
    shown = {name: item["value"] for name, item in by_name.items()}
    assert shown == json.loads(json.dumps(redacted(settings), default=str))

    _non_admins_are_refused(api, app_db)  # in the same app: one start of the server per database


def _non_admins_are_refused(client: TestClient, app_db: Database) -> None:
    target = make_user(app_db, "someone", "operator")
    for username, role in (("op1", "operator"), ("aud1", "auditor")):
        make_user(app_db, username, role)
        login(client, username)
        refused = [
            client.post("/api/users", json={"username": "x1", "display_name": "X", "role": "admin",
                                            "password": PASSWORD}),
            client.patch(f"/api/users/{target}", json={"role": "admin"}),
            client.post(f"/api/users/{target}/password", json={"password": "another-long-secret"}),
            client.post(f"/api/users/{target}/unlock"),
            client.patch("/api/units/PC-01", json={"members": [target]}),
            client.patch("/api/devices/CAM-0001", json={"name_ru": "x"}),
            client.post("/api/devices/CAM-0001/decommission"),
            client.patch("/api/sites/SCH-1", json={"name_ru": "x"}),
            client.delete("/api/alarms/rules/school_panic"),
            client.get("/api/settings"),
        ]
        assert [r.status_code for r in refused] == [403] * len(refused), username
        assert all(r.json()["code"] == "auth.forbidden" for r in refused)
    with app_db.reading() as session:
        denied = session.scalars(select(AuditRecord).where(AuditRecord.action == "auth.permission_denied")).all()
    assert len(denied) >= 20


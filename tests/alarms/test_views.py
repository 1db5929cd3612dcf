"""The alarm desk over HTTP on SQLite and PostgreSQL: guards, the queue, detail, acknowledge, resolve, rules."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.alarms.conftest import alarms, panel_signal, registry, signal
from tests.conftest import login, make_user
from tests.devices.conftest import audits

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"], body
    return body


def _operator(client: TestClient, db: Database, name: str = "aigerim") -> None:
    make_user(db, name, "operator")
    login(client, name)


def test_reading_needs_alarms_read_and_handling_alarms_ack(client: TestClient, app_db: Database) -> None:
    _problem(client.get("/api/alarms"), 401, "auth.not_authenticated")
    make_user(app_db, "analyst", "analyst")
    login(client, "analyst")
    assert _problem(client.get("/api/alarms"), 403, "auth.forbidden")["permission"] == "alarms:read"
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    assert client.get("/api/alarms").json() == {"items": [], "next_cursor": None}
    assert _problem(client.post("/api/alarms/1/acknowledge"), 403, "auth.forbidden")["permission"] == "alarms:ack"


def test_queue_by_priority_then_age_with_filters_and_pages(client: TestClient, app_db: Database) -> None:
    registry(app_db)
    for kind in ("tamper", "panic", "fire"):
        signal(app_db, panel_signal(kind))
    signal(app_db, panel_signal("panic", "PNL-02", "OBJ-02"))
    _operator(client, app_db)
    body = client.get("/api/alarms").json()
    assert [(a["rule"], a["priority"], a["sounds"]) for a in body["items"]] == [
        ("school_panic", 1, True), ("fire", 3, True), ("object_panic", 5, True), ("tamper", 40, False)]
    first = client.get("/api/alarms", params={"limit": 3}).json()
    rest = client.get("/api/alarms", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [a["rule"] for a in first["items"] + rest["items"]] == [a["rule"] for a in body["items"]]
    assert rest["next_cursor"] is None
    assert [a["rule"] for a in client.get("/api/alarms", params={"max_priority": 3}).json()["items"]] == [
        "school_panic", "fire"]
    assert [a["rule"] for a in client.get("/api/alarms", params={"site": "obj-02"}).json()["items"]] == [
        "object_panic"]
    assert len(client.get("/api/alarms", params={"device": "PNL-01"}).json()["items"]) == 3
    assert client.get("/api/alarms", params={"state": "resolved"}).json()["items"] == []
    _problem(client.get("/api/alarms", params={"cursor": "bm9wZQ"}), 400, "request.bad_cursor")


def test_detail_acknowledge_steps_resolve(client: TestClient, app_db: Database) -> None:
    registry(app_db)
    signal(app_db, panel_signal("panic"))
    (alarm,) = alarms(app_db)
    _operator(client, app_db)
    detail = client.get(f"/api/alarms/{alarm.id}").json()
    assert detail["procedure"] == "school_panic" and detail["procedure_title"]["ru"] == "Тревога в школе"
    assert [s["key"] for s in detail["steps"]] == ["call_school", "view_cameras", "dispatch_unit",
                                                   "notify_inspector"]
    assert detail["progress"] == {"done": 0, "skipped": 0, "total": 4} and detail["allowed"] == ["acknowledge"]
    assert [c["code"] for c in detail["cameras"]] == ["CAM-0001"]
    refused = _problem(client.post(f"/api/alarms/{alarm.id}/resolve", json={"resolution": "confirmed"}), 409,
                       "alarms.invalid_transition")
    assert refused["allowed"] == ["acknowledge"] and "acknowledge" in refused["detail"]
    acked = client.post(f"/api/alarms/{alarm.id}/acknowledge")
    assert acked.status_code == 200 and acked.json()["acknowledged_by_name"] == "aigerim"
    assert acked.json()["allowed"] == ["resolve"]
    step = client.post(f"/api/alarms/{alarm.id}/steps/call_school", json={"state": "skipped", "note": "busy"})
    assert step.status_code == 200, step.text
    first = step.json()["steps"][0]
    assert (first["state"], first["by_name"], first["note"]) == ("skipped", "aigerim", "busy")
    assert step.json()["progress"] == {"done": 0, "skipped": 1, "total": 4}
    _problem(client.post(f"/api/alarms/{alarm.id}/steps/nope", json={"state": "done"}), 404, "alarms.step_not_found")
    _problem(client.post(f"/api/alarms/{alarm.id}/steps/call_school", json={"state": "maybe"}), 422,
             "request.validation_failed")
    resolved = client.post(f"/api/alarms/{alarm.id}/resolve", json={"resolution": "test", "note": "drill"})
    assert resolved.json()["state"] == "resolved" and resolved.json()["resolution"] == "test"
    assert client.get("/api/alarms").json()["items"] == []
    _problem(client.get("/api/alarms/999"), 404, "alarms.not_found")


def test_a_second_acknowledgement_is_told_who_was_first(client: TestClient, app_db: Database) -> None:
    registry(app_db)
    signal(app_db, panel_signal("panic"))
    (alarm,) = alarms(app_db)
    _operator(client, app_db, "aigerim")
    assert client.post(f"/api/alarms/{alarm.id}/acknowledge").status_code == 200
    _operator(client, app_db, "bolat")
    taken = _problem(client.post(f"/api/alarms/{alarm.id}/acknowledge", headers={"Accept-Language": "ru"}), 409,
                     "alarms.already_acknowledged")
    assert "aigerim" in taken["detail"] and taken["detail"].startswith("Тревогу")
    assert taken["acknowledged_by_name"] == "aigerim"


def test_rules_are_read_by_the_desk_and_edited_by_admins(admin_client: TestClient, app_db: Database) -> None:
    rules = admin_client.get("/api/alarms/rules").json()
    assert rules[0]["code"] in ("school_duress", "school_panic") and rules[0]["priority"] == 1
    night = next(r for r in rules if r["code"] == "burglary_night")
    assert (night["active_from"], night["active_to"]) == ("19:00:00", "07:00:00")
    procedures = admin_client.get("/api/alarms/procedures").json()
    assert "school_panic" in {p["code"] for p in procedures}
    config = admin_client.get("/api/alarms/config").json()
    assert config["sound_max_priority"] == 20 and config["escalation"][0] == {"up_to_priority": 20, "after_s": 60}
    body = {"code": "kindergarten_panic", "name_kk": "Балабақша", "name_ru": "Детский сад",
            "event": "ingest.panel_event", "match": {"kind": ["panic"]}, "site_subtype": "kindergarten",
            "priority": 2, "alarm_kind": "panic", "procedure": "object_panic", "auto_incident": True,
            "incident_category": "school_alarm"}
    created = admin_client.post("/api/alarms/rules", json=body)
    assert created.status_code == 201, created.text
    _problem(admin_client.post("/api/alarms/rules", json=body), 409, "alarms.rule_exists")
    _problem(admin_client.post("/api/alarms/rules", json={**body, "code": "x_rule", "match": {"colour": ["red"]}}),
             422, "alarms.unknown_match_field")
    _problem(admin_client.post("/api/alarms/rules", json={**body, "code": "x_rule", "procedure": "none_such"}),
             422, "alarms.procedure_not_found")
    _problem(admin_client.post("/api/alarms/rules", json={**body, "code": "x_rule", "active_from": "19:00"}),
             422, "request.validation_failed")
    replaced = admin_client.put("/api/alarms/rules/kindergarten_panic", json={**body, "priority": 4})
    assert replaced.json()["priority"] == 4
    _problem(admin_client.put("/api/alarms/rules/kindergarten_panic", json={**body, "code": "other_code"}), 422,
             "alarms.rule_code_fixed")
    registry(app_db)
    signal(app_db, panel_signal("panic", "PNL-02", "OBJ-02"))
    assert alarms(app_db)[0].rule_code == "kindergarten_panic" and alarms(app_db)[0].priority == 4
    assert admin_client.delete("/api/alarms/rules/kindergarten_panic").status_code == 204
    _problem(admin_client.get("/api/alarms/rules/kindergarten_panic"), 404, "alarms.rule_not_found")
    for action in ("alarms.rule_create", "alarms.rule_update", "alarms.rule_delete"):
        (record,) = audits(app_db, action)
        assert record.target_id == "kindergarten_panic" and record.actor_name == "admin"
    assert audits(app_db, "alarms.rule_update")[0].details == {"changes": {"priority": 4}}


def test_operators_cannot_edit_rules(client: TestClient, app_db: Database) -> None:
    _operator(client, app_db)
    assert len(client.get("/api/alarms/rules").json()) > 5
    denied = _problem(client.delete("/api/alarms/rules/school_panic"), 403, "auth.forbidden")
    assert denied["permission"] == "alarms:rules"


def test_rule_hours_are_local_wall_clock_times_as_the_schema_declares(admin_client: TestClient) -> None:
    import re

    document = admin_client.get("/api/openapi.json").json()
    for model in ("RuleRead", "RuleFields"):
        schema = document["components"]["schemas"][model]
        for name in ("active_from", "active_to"):
            (declared,) = [s for s in schema["properties"][name]["anyOf"] if s.get("type") == "string"]
            assert "format" not in declared and "wall-clock" in declared["description"], declared  # not RFC 3339
    pattern = declared["pattern"]
    rules = admin_client.get("/api/alarms/rules").json()
    hours = [r[name] for r in rules for name in ("active_from", "active_to") if r[name] is not None]
    assert hours and all(re.fullmatch(pattern, value) for value in hours), hours
    body = {"code": "night_gate", "name_kk": "Түн", "name_ru": "Ночь", "event": "ingest.access_event",
            "priority": 9, "alarm_kind": "door_forced", "active_from": "22:30", "active_to": "06:00:00"}
    created = admin_client.post("/api/alarms/rules", json=body)
    assert created.status_code == 201, created.text
    assert (created.json()["active_from"], created.json()["active_to"]) == ("22:30:00", "06:00:00")
    for wrong in ("22:30:00+05:00", "22:30:15", "24:00", "7:00", 3600):
        response = admin_client.post("/api/alarms/rules", json={**body, "code": "x_rule", "active_from": wrong})
        _problem(response, 422, "request.validation_failed")

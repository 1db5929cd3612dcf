"""Appeals over HTTP: register and route, every problem at once, the applicant masked and each view audited,
actions and their conflicts, attachments, the calendar, the deadline check flagging once, simulator confinement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import shapely.geometry
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from qorgau.appeals.config import AppealsSettings
from qorgau.appeals.workers import check_database
from qorgau.audit.models import AuditRecord
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.incidents.conftest import ok, problem


def _point(client: TestClient, index: int = 0) -> tuple[int, float, float]:
    district = ok(client.get("/api/districts"))["districts"][index]
    point = shapely.geometry.shape(district["geometry"]).representative_point()
    return district["id"], point.x, point.y


def _body(lon: float, lat: float, **extra: Any) -> dict[str, Any]:
    return {"channel": "reception", "applicant_name": "Сапарова Айгуль", "applicant_contact": "+77015550101",
            "address": "Аксай, мкр. 2, дом 5", "lon": lon, "lat": lat, "subject": "noise",
            "text": "Шум по ночам", **extra}


def _events(db: Database, kind: str) -> int:
    with db.unit_of_work() as session:
        return len(list(session.scalars(select(OutboxEvent.seq).where(OutboxEvent.name == kind))))


@pytest.mark.timeout(90)
def test_register_route_mask_audit_and_act(client: TestClient, app_db: Database) -> None:
    ids = {name: make_user(app_db, name, role) for name, role in (
        ("insp", "inspector"), ("boss", "supervisor"), ("ana", "analyst"), ("op", "operator"))}
    login(client, "op")
    district_id, lon, lat = _point(client)
    problem(client.get("/api/appeals"), 403, "auth.forbidden")

    login(client, "insp")
    subjects = ok(client.get("/api/appeals/subjects"))
    assert {"noise", "fraud", "other"} <= {s["code"] for s in subjects} and subjects[0]["name_kk"]
    body = problem(client.post("/api/appeals", json=_body(50.0, 50.0, subject="bogus")), 422, "appeals.invalid")
    assert {e["code"] for e in body["errors"]} == {"appeals.problem.unknown_subject",
                                                  "appeals.problem.outside_districts"}
    missing = problem(client.post("/api/appeals", json={"channel": "phone"}), 422, "request.validation_failed")
    assert len(missing["errors"]) >= 5
    created = ok(client.post("/api/appeals", json=_body(lon, lat)), 201)
    assert created["district_id"] == district_id and created["state"] == "registered"
    assert created["applicant_name"] is None and not created["personal_shown"]
    assert created["working_days_left"] == 15
    routed = ok(client.post("/api/appeals", json=_body(50.0, 50.0, district_id=district_id)), 201)
    assert routed["routed_manually"] and routed["district_id"] == district_id
    assert _events(app_db, "appeals.registered") == 2

    masked = ok(client.get(f"/api/appeals/{created['id']}"))
    assert masked["applicant_name"] is None and masked["applicant_contact"] is None
    shown = ok(client.get(f"/api/appeals/{created['id']}", params={"personal": "true"}))
    assert shown["applicant_name"] == "Сапарова Айгуль" and shown["applicant_contact"] == "+77015550101"
    with app_db.unit_of_work() as session:
        views = list(session.scalars(select(AuditRecord).where(AuditRecord.action == "appeals.personal_view")))
        raw = session.execute(text("SELECT applicant_name FROM appeals WHERE id = :id"),
                              {"id": created["id"]}).scalar_one()
    assert len(views) == 1 and views[0].target_id == str(created["id"]) and views[0].actor.startswith("user:")
    assert "Сапарова" not in raw and raw.startswith("enc:v1:")

    login(client, "ana")
    ok(client.get(f"/api/appeals/{created['id']}"))
    problem(client.get(f"/api/appeals/{created['id']}", params={"personal": "true"}), 403, "auth.forbidden")
    problem(client.post(f"/api/appeals/{created['id']}/actions", json={"action": "take"}), 403, "auth.forbidden")

    me = login(client, "insp")["user"]["id"]
    ok(client.post(f"/api/appeals/{created['id']}/actions", json={"action": "reassign", "inspector_id": me}))
    mine = ok(client.get("/api/appeals", params={"mine": "true"}))
    assert [a["id"] for a in mine["items"]] == [created["id"]]
    problem(client.post(f"/api/appeals/{created['id']}/actions", json={"action": "reassign",
                                                                       "inspector_id": ids["ana"]}),
            422, "appeals.invalid")
    taken = ok(client.post(f"/api/appeals/{created['id']}/actions", json={"action": "take"}))
    assert taken["state"] == "in_progress"
    problem(client.post(f"/api/appeals/{created['id']}/actions", json={"action": "take"}), 409,
            "appeals.already_taken")
    problem(client.post(f"/api/appeals/{created['id']}/actions", json={"action": "extend"}), 422, "appeals.invalid")
    extended = ok(client.post(f"/api/appeals/{created['id']}/actions",
                              json={"action": "extend", "reason": "Запрос в акимат"}))
    assert extended["state"] == "extended" and extended["deadline"] > created["deadline"]
    problem(client.post(f"/api/appeals/{created['id']}/actions", json={"action": "extend", "reason": "again"}),
            409, "appeals.already_extended")
    answered = ok(client.post(f"/api/appeals/{created['id']}/actions",
                              json={"action": "answer", "answer": "Проведена беседа с соседями"}))
    assert answered["state"] == "answered" and not answered["overdue"]
    problem(client.post(f"/api/appeals/{created['id']}/actions", json={"action": "transfer",
                                                                       "transferred_to": "Акимат"}),
            409, "appeals.closed")
    assert _events(app_db, "appeals.answered") == 1
    detail = ok(client.get(f"/api/appeals/{created['id']}"))
    assert detail["timeline"][0]["kind"] == "registered" and detail["timeline"][0]["actor_name"]
    assert {"state", "extended", "answered"} <= {e["kind"] for e in detail["timeline"]}

    attached = ok(client.post(f"/api/appeals/{routed['id']}/attachments", params={"filename": "scan.pdf"},
                              content=b"%PDF-1.4 test", headers={"Content-Type": "application/pdf"}), 201)
    got = client.get(f"/api/appeals/{routed['id']}/attachments/{attached['id']}")
    assert got.status_code == 200 and got.content == b"%PDF-1.4 test"
    problem(client.post(f"/api/appeals/{routed['id']}/attachments", params={"filename": "x.exe"}, content=b"MZ",
                        headers={"Content-Type": "application/x-msdownload"}), 415, "appeals.attachment_type")
    assert ok(client.get(f"/api/appeals/{routed['id']}"))["attachments"][0]["filename"] == "scan.pdf"

    listed = ok(client.get("/api/appeals", params={"state": "registered", "limit": 1}))
    assert [a["id"] for a in listed["items"]] == [routed["id"]] and listed["next_cursor"] is None
    assert ok(client.get("/api/appeals", params={"district_id": district_id}))["items"]
    assert ok(client.get("/api/appeals", params={"channel": "phone"}))["items"] == []

    problem(client.put("/api/appeals/calendar", json={"day": "2026-12-19", "working": True, "reason": "decree"}),
            403, "auth.forbidden")
    login(client, "boss")
    ok(client.put("/api/appeals/calendar", json={"day": "2026-12-19", "working": True, "reason": "decree"}))
    days = ok(client.get("/api/appeals/calendar"))
    assert [d["day"] for d in days] == ["2025-01-05", "2026-12-19"]
    assert client.delete("/api/appeals/calendar/2026-12-19").status_code == 204
    problem(client.delete("/api/appeals/calendar/2026-12-19"), 404, "appeals.calendar_not_found")


@pytest.mark.timeout(90)
def test_deadline_check_flags_once_and_simulator_is_confined(client: TestClient, app_db: Database,
                                                             app: Any) -> None:
    make_user(app_db, "insp", "inspector")
    make_user(app_db, "sim", "simulator")
    login(client, "insp")
    _, lon, lat = _point(client, 1)
    long_ago = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    near = (datetime.now(UTC) - timedelta(days=18)).isoformat()  # about 13 working days: the reminder is due
    old = ok(client.post("/api/appeals", json=_body(lon, lat, registered_at=long_ago)), 201)
    soon = ok(client.post("/api/appeals", json=_body(lon, lat, registered_at=near)), 201)
    fresh = ok(client.post("/api/appeals", json=_body(lon, lat)), 201)
    assert old["overdue"] and old["working_days_left"] < 0 and not fresh["overdue"]
    settings = app.state.runtime.settings.part(AppealsSettings)
    first = check_database(app_db, settings)
    assert first.overdue == 1 and first.reminded == (1 if soon["working_days_left"] <= 3 else 0)
    again = check_database(app_db, settings)
    assert again.overdue == 0 and again.reminded == 0
    assert _events(app_db, "appeals.overdue") == 1
    overdue = ok(client.get("/api/appeals", params={"overdue": "true"}))
    assert [a["id"] for a in overdue["items"]] == [old["id"]]

    login(client, "sim")
    problem(client.post("/api/appeals", json=_body(lon, lat)), 403, "auth.simulated_only")
    problem(client.post(f"/api/appeals/{fresh['id']}/actions", json={"action": "take"}), 403, "auth.simulated_only")
    simulated = ok(client.post("/api/appeals", json=_body(lon, lat, simulated=True)), 201)
    assert simulated["simulated"]
    ok(client.post(f"/api/appeals/{simulated['id']}/actions", json={"action": "answer", "answer": "Ответ дан"}))
    problem(client.get("/api/appeals"), 403, "auth.forbidden")

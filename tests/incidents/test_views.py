"""Incidents over HTTP: 102 intake with geocoding, the board, detail, transitions, notes, EIDO, guards."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.incidents.conftest import ok, problem


def test_intake_board_detail_transition_notes_and_eido(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "op", "operator")
    make_user(app_db, "analyst", "analyst")
    problem(client.get("/api/incidents"), 401, "auth.not_authenticated")
    login(client, "op")
    categories = ok(client.get("/api/incidents/categories", headers={"Accept-Language": "ru"}))
    assert {"code": "theft", "name": "Кража", "default_priority": 60} in categories
    call = ok(client.post("/api/incidents", json={
        "source": "call", "category": "domestic_conflict", "caller_name": "Айгүл", "caller_phone": "+77010000000",
        "address": "Советская 12", "description": "Шум, крики"}), 201)
    assert call["source"] == "call" and call["priority"] == 30 and call["area"] == "Ақсай"
    assert call["lon"] is not None and call["caller_phone"] == "+77010000000" and call["state"] == "new"
    for _ in range(2):
        ok(client.post("/api/incidents", json={"category": "theft", "lon": 53.0115, "lat": 51.1739}), 201)
    problem(client.post("/api/incidents", json={"category": "nope"}), 422, "incidents.unknown_category")
    problem(client.post("/api/incidents", json={"alarm_id": 999}), 404, "incidents.alarm_not_found")
    problem(client.post("/api/incidents", json={"category": "theft", "address": "Нет такой улицы 999"}), 422,
            "city.address_not_found")
    page = ok(client.get("/api/incidents?state=new&limit=2"))
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = ok(client.get(f"/api/incidents?state=new&limit=2&cursor={page['next_cursor']}"))
    assert [i["id"] for i in page["items"] + rest["items"]] == [3, 2, 1] and rest["next_cursor"] is None
    assert ok(client.get("/api/incidents?category=domestic_conflict"))["items"][0]["id"] == call["id"]
    moved = ok(client.post(f"/api/incidents/{call['id']}/transition", json={"to": "on_hold", "reason": "ждём"}))
    assert moved["state"] == "on_hold" and "resolved" in moved["allowed"]
    ok(client.post(f"/api/incidents/{call['id']}/transition", json={"to": "resolved"}))
    ok(client.post(f"/api/incidents/{call['id']}/transition", json={"to": "closed"}))
    refused = problem(client.post(f"/api/incidents/{call['id']}/transition", json={"to": "new"}), 409,
                      "incidents.invalid_transition")
    assert refused["allowed"] == []
    ok(client.post(f"/api/incidents/{call['id']}/notes", json={"text": "Составлен протокол"}), 201)
    detail = ok(client.get(f"/api/incidents/{call['id']}"))
    assert [t["to_state"] for t in detail["transitions"]] == ["new", "on_hold", "resolved", "closed"]
    assert detail["transitions"][1]["actor"].startswith("user:") and detail["notes"][0]["text"] == "Составлен протокол"
    assert detail["cameras"] == [] and detail["closed_at"] is not None
    message = ok(client.get(f"/api/incidents/{call['id']}/eido"))
    assert message["incidentComponent"][0]["incidentStatusCommonRegistryText"] == ["Closed"]
    problem(client.get("/api/incidents/9999"), 404, "incidents.not_found")
    problem(client.get("/api/incidents/response?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"), 403,
            "auth.forbidden")

    login(client, "analyst")
    hidden = ok(client.get(f"/api/incidents/{call['id']}"))
    assert hidden["caller_name"] is None and hidden["caller_phone"] is None
    problem(client.post("/api/incidents", json={"category": "theft"}), 403, "auth.forbidden")
    figures = ok(client.get("/api/incidents/response?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z"))
    assert figures["overall"]["incidents"] == 3 and figures["overall"]["closed"]["count"] == 1
    problem(client.get("/api/incidents/response?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), 422,
            "incidents.bad_period")

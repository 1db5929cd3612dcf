"""Likely duplicates and merging over HTTP: detection by category, time and place; the merge closes, moves, audits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.devices.conftest import audits
from tests.incidents.conftest import ok, problem

AT = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)


def _open(client: TestClient, category: str, lon: float, lat: float, minutes: int, **more: str) -> dict[str, object]:
    received = (AT + timedelta(minutes=minutes)).isoformat()
    body = {"category": category, "lon": lon, "lat": lat, "received_at": received, "source": "call", **more}
    created: dict[str, object] = ok(client.post("/api/incidents", json=body), 201)
    return created


def test_duplicates_are_found_and_merged_with_audit_and_event(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "op", "operator")
    login(client, "op")
    first = _open(client, "assault", 53.0115, 51.1739, 0, description="fight at the market")
    near = _open(client, "assault", 53.0125, 51.1741, 10, description="two men fighting")  # ~70 m, 10 min later
    far = _open(client, "assault", 53.0400, 51.1739, 5)  # ~2 km away
    other_kind = _open(client, "theft", 53.0115, 51.1739, 5)  # same place, another category
    late = _open(client, "assault", 53.0115, 51.1739, 50)  # same place, 50 min later
    same_address = _open(client, "assault", 53.0600, 51.1900, 12, address="Советская, 12")
    twin_address = _open(client, "assault", 53.0650, 51.1950, 14, address="советская 12")
    found = ok(client.get(f"/api/incidents/{near['id']}/duplicates"))
    assert [i["id"] for i in found] == [first["id"]]
    assert [i["id"] for i in ok(client.get(f"/api/incidents/{twin_address['id']}/duplicates"))] == [
        same_address["id"]]
    for alone in (far, other_kind, late):
        assert ok(client.get(f"/api/incidents/{alone['id']}/duplicates")) == []

    ok(client.post(f"/api/incidents/{near['id']}/notes", json={"text": "caller saw a knife"}), 201)
    kept = ok(client.post(f"/api/incidents/{near['id']}/merge", json={"into": first["id"]}))
    assert kept["id"] == first["id"] and kept["state"] == "new"
    duplicate = ok(client.get(f"/api/incidents/{near['id']}"))
    assert duplicate["state"] == "closed" and duplicate["merged_into_id"] == first["id"]
    assert duplicate["transitions"][-1]["reason"] == f"merged into {first['number']}"
    detail = ok(client.get(f"/api/incidents/{first['id']}"))
    assert "caller saw a knife" in [n["text"] for n in detail["notes"]]
    assert {"kind": "incident", "ref": near["number"]} in [{"kind": k["kind"], "ref": k["ref"]}
                                                          for k in detail["links"]]
    assert ok(client.get(f"/api/incidents/{first['id']}/duplicates")) == []  # the merged one is closed
    (record,) = audits(app_db, "incidents.merge")
    assert record.target_id == near["number"] and record.details == {"into": first["number"]}
    assert record.actor_name == "op"
    with app_db.reading() as session:
        (event,) = session.scalars(select(OutboxEvent).where(OutboxEvent.name == "incidents.merged")).all()
    assert event.payload["duplicate_id"] == near["id"] and event.payload["incident_id"] == first["id"]

    problem(client.post(f"/api/incidents/{near['id']}/merge", json={"into": first["id"]}), 409,
            "incidents.merge_not_open")
    problem(client.post(f"/api/incidents/{far['id']}/merge", json={"into": far["id"]}), 409, "incidents.merge_same")
    problem(client.post(f"/api/incidents/{far['id']}/merge", json={"into": 9999}), 404, "incidents.not_found")
    searched = ok(client.get("/api/incidents", params={"q": "FIGHT"}))["items"]
    assert [i["id"] for i in searched] == [near["id"], first["id"]]
    assert [i["id"] for i in ok(client.get("/api/incidents", params={"q": str(first["number"])}))["items"]] == [
        first["id"]]
    make_user(app_db, "analyst", "analyst")
    login(client, "analyst")
    problem(client.post(f"/api/incidents/{far['id']}/merge", json={"into": first["id"]}), 403, "auth.forbidden")

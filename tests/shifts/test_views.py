"""Shift handover over HTTP: the summary, both supervisors' signatures (not the same person), audit, history."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.devices.conftest import audits
from tests.incidents.conftest import ok, problem


def test_a_handover_is_signed_by_the_outgoing_then_another_incoming_supervisor(client: TestClient,
                                                                                app_db: Database) -> None:
    for name, role in (("day", "supervisor"), ("night", "supervisor"), ("op", "operator")):
        make_user(app_db, name, role)
    login(client, "op")
    opened = ok(client.post("/api/incidents", json={"category": "theft", "description": "bike stolen"}), 201)
    done = ok(client.post("/api/incidents", json={"category": "noise"}), 201)
    ok(client.post(f"/api/incidents/{done['id']}/transition", json={"to": "closed"}))
    summary = ok(client.get("/api/shifts/current"))
    assert [i["number"] for i in summary["open_incidents"]] == [opened["number"]]
    assert summary["incidents_opened"] == 2 and summary["incidents_closed"] == 1
    assert {i["id"] for i in summary["changed_incidents"]} == {opened["id"], done["id"]}
    problem(client.post("/api/shifts/handovers", json={"notes": "x"}), 403, "auth.forbidden")

    login(client, "day")
    started = ok(client.post("/api/shifts/handovers", json={"notes": "  Watch the market at night.  "}), 201)
    assert started["state"] == "awaiting_incoming" and started["outgoing_name"] == "day"
    assert started["notes"] == "Watch the market at night." and started["incoming_signed_at"] is None
    assert [i["id"] for i in started["summary"]["open_incidents"]] == [opened["id"]]
    problem(client.post("/api/shifts/handovers", json={"notes": ""}), 409, "shifts.handover_pending")
    problem(client.post(f"/api/shifts/handovers/{started['id']}/sign", json={}), 409, "shifts.same_supervisor")

    login(client, "night")
    signed = ok(client.post(f"/api/shifts/handovers/{started['id']}/sign", json={"note": "accepted"}))
    assert signed["state"] == "signed" and signed["incoming_name"] == "night" and signed["incoming_note"] == "accepted"
    problem(client.post(f"/api/shifts/handovers/{started['id']}/sign", json={}), 409,
            "shifts.handover_signed_already")
    problem(client.get("/api/shifts/handovers/999"), 404, "shifts.handover_not_found")
    # The next shift starts at the signature: what changed before it is the last shift's.
    after = ok(client.get("/api/shifts/current"))
    assert datetime.fromisoformat(after["shift_start"]) == datetime.fromisoformat(signed["incoming_signed_at"])
    assert after["changed_incidents"] == [] and [i["id"] for i in after["open_incidents"]] == [opened["id"]]
    second = ok(client.post("/api/shifts/handovers", json={"notes": "quiet"}), 201)
    history = ok(client.get("/api/shifts/handovers", params={"limit": 1}))
    assert [h["id"] for h in history["items"]] == [second["id"]] and history["next_cursor"]
    rest = ok(client.get("/api/shifts/handovers", params={"limit": 1, "cursor": history["next_cursor"]}))
    assert [h["id"] for h in rest["items"]] == [started["id"]] and rest["next_cursor"] is None

    (outgoing, again) = audits(app_db, "shifts.handover_sign_outgoing")
    (incoming,) = audits(app_db, "shifts.handover_sign_incoming")
    assert (outgoing.actor_name, outgoing.target_id) == ("day", str(started["id"]))
    assert (incoming.actor_name, incoming.details) == ("night", {"outgoing": "day"})
    assert again.actor_name == "night"
    login(client, "op")
    assert ok(client.get(f"/api/shifts/handovers/{started['id']}"))["incoming_name"] == "night"

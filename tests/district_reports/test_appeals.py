"""With the appeals domain: an answered appeal gets feedback, and the report counts both by district."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import shapely.geometry
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.incidents.conftest import ok, problem


@pytest.mark.timeout(90)
def test_answered_appeal_feedback_and_report(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "boss", "supervisor")
    login(client, "boss")
    district = ok(client.get("/api/districts"))["districts"][2]
    point = shapely.geometry.shape(district["geometry"]).representative_point()
    now = datetime.now(UTC)
    appeal = ok(client.post("/api/appeals", json={
        "channel": "reception", "applicant_name": "Сапарова Ә. Қ.", "address": "Ақсай, 1", "lon": point.x,
        "lat": point.y, "subject": "noise", "text": "Түнде шу.", "registered_at": (now - timedelta(days=3)).isoformat(),
    }), 201)
    assert appeal["district_id"] == district["id"]
    problem(client.post("/api/feedback/links", json={"appeal_id": appeal["id"]}), 409, "feedback.not_finished")
    ok(client.post(f"/api/appeals/{appeal['id']}/actions", json={"action": "answer", "answer": "Беседа проведена."}))
    link = ok(client.post("/api/feedback/links", json={"appeal_id": appeal["id"]}), 201)
    public = TestClient(client.app, base_url="http://testserver")
    assert ok(public.get(f"/api/feedback/t/{link['token']}"))["subject_kind"] == "appeal"
    ok(public.post(f"/api/feedback/t/{link['token']}", json={"score": 4}), 201)
    problem(client.post("/api/feedback/links", json={"appeal_id": 999999}), 404, "appeals.not_found")

    today = now.astimezone(ZoneInfo("Asia/Oral")).date()  # the report's local days (the default zone)
    report = ok(client.get("/api/district-reports", params={"start": (today - timedelta(days=7)).isoformat(),
                                                            "end": today.isoformat()}))
    row = next(d for d in report["districts"] if d["district_id"] == district["id"])
    assert (row["appeals_received"], row["appeals_answered"], row["appeals_on_time"], row["appeals_open"]) == (
        1, 1, 1, 0)
    assert (row["feedback_requests"], row["feedback_answers"], row["satisfied_share"]) == (1, 1, 1.0)
    assert report["total"]["appeals_received"] == 1
    inspector = next(r for r in report["inspectors"] if r["user_id"] == appeal["inspector_id"])
    assert inspector["appeals_answered"] == 1 and inspector["feedback_answers"] == 1

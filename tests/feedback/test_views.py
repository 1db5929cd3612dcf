"""Feedback over HTTP: one-time links, the public answer's validation, officer entries, figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.feedback import views as feedback_views
from tests.conftest import login, make_user
from tests.feedback.conftest import closed_incident
from tests.incidents.conftest import ok, problem

WIDE = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}


@pytest.fixture(autouse=True)
def _fresh_limiter() -> None:
    feedback_views.PUBLIC._hits.clear()  # the limiter is per process; each test starts with a clean slate


def _districts(client: TestClient) -> list[dict[str, Any]]:
    districts: list[dict[str, Any]] = ok(client.get("/api/districts"))["districts"]
    return districts


@pytest.mark.timeout(90)
def test_link_is_answered_once_and_validated(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "boss", "supervisor")
    make_user(app_db, "crew", "patrol")
    login(client, "boss")
    district = _districts(client)[0]
    still_open = closed_incident(client, district, close=False)
    problem(client.post("/api/feedback/links", json={"incident_id": still_open["id"]}), 409,
            "feedback.not_finished")
    problem(client.post("/api/feedback/links", json={"incident_id": 999999}), 404, "incidents.not_found")
    assert client.post("/api/feedback/links", json={}).status_code == 422  # neither subject
    assert client.post("/api/feedback/links", json={"incident_id": 1, "appeal_id": 1}).status_code == 422

    incident = closed_incident(client, district)
    first = ok(client.post("/api/feedback/links", json={"incident_id": incident["id"]}), 201)
    link = ok(client.post("/api/feedback/links", json={"incident_id": incident["id"]}), 201)  # re-issued
    assert link["feedback_id"] == first["feedback_id"] and link["token"] != first["token"]
    assert link["path"] == f"/feedback/{link['token']}" and len(link["token"]) >= 32

    public = TestClient(client.app, base_url="http://testserver")  # a resident: no session, no CSRF token
    problem(public.get(f"/api/feedback/t/{first['token']}"), 404, "feedback.link_not_found")  # the old one died
    shown = ok(public.get(f"/api/feedback/t/{link['token']}"))
    assert shown == {"subject_kind": "incident", "subject_number": incident["number"], "answered": False,
                     "expired": False}
    for bad in ({"score": 6}, {"score": 0}, {"score": "five"}, {}, {"score": 3, "comment": "x" * 1001},
                {"score": 3, "extra": 1}):
        assert public.post(f"/api/feedback/t/{link['token']}", json=bad).status_code == 422, bad
    assert public.get("/api/feedback/t/short").status_code == 422
    assert public.get("/api/feedback/t/" + "*" * 30).status_code == 422
    answered = ok(public.post(f"/api/feedback/t/{link['token']}", json={"score": 5, "comment": " Рақмет! "}), 201)
    assert answered["answered"] is True
    problem(public.post(f"/api/feedback/t/{link['token']}", json={"score": 1}), 409, "feedback.already_answered")
    assert ok(public.get(f"/api/feedback/t/{link['token']}"))["answered"] is True
    problem(client.post("/api/feedback/links", json={"incident_id": incident["id"]}), 409,
            "feedback.already_answered")
    problem(client.post("/api/feedback", json={"incident_id": incident["id"], "score": 2}), 409,
            "feedback.already_answered")

    rows = ok(client.get("/api/feedback", params=WIDE))
    assert len(rows) == 1 and rows[0]["score"] == 5 and rows[0]["comment"] == "Рақмет!"
    assert rows[0]["channel"] == "link" and rows[0]["district_id"] == district["id"]
    assert rows[0]["inspector_id"] == district["inspectors"][0]["user_id"]
    with app_db.reading() as session:
        actions = [r.action for r in session.scalars(select(AuditRecord).where(
            AuditRecord.target_type == "feedback").order_by(AuditRecord.seq))]
    assert actions == ["feedback.link", "feedback.link", "feedback.answer"]

    login(client, "crew")
    problem(client.get("/api/feedback/figures", params=WIDE), 403, "auth.forbidden")
    problem(client.post("/api/feedback/links", json={"incident_id": incident["id"]}), 403, "auth.forbidden")


@pytest.mark.timeout(90)
def test_officer_entries_and_figures_per_district_and_inspector(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "boss", "supervisor")
    login(client, "boss")
    first, second = _districts(client)[:2]
    public = TestClient(client.app, base_url="http://testserver")
    scores = []
    for score in (5, 4, 2):  # three links in the first district, all answered
        incident = closed_incident(client, first)
        token = ok(client.post("/api/feedback/links", json={"incident_id": incident["id"]}), 201)["token"]
        ok(public.post(f"/api/feedback/t/{token}", json={"score": score}), 201)
        scores.append(score)
    unanswered = closed_incident(client, first)
    ok(client.post("/api/feedback/links", json={"incident_id": unanswered["id"]}), 201)
    entered = closed_incident(client, second)
    row = ok(client.post("/api/feedback", json={"incident_id": entered["id"], "score": 1, "comment": "Ұзақ күттім"}),
             201)
    assert row["channel"] == "officer" and row["score"] == 1 and row["district_id"] == second["id"]

    figures = {f["district_id"]: f for f in ok(client.get("/api/feedback/figures", params=WIDE))}
    assert set(figures) == {first["id"], second["id"]}
    one = figures[first["id"]]
    assert (one["requests"], one["answers"], one["satisfied"], one["score_sum"]) == (4, 3, 2, 11)
    assert one["mean_score"] == pytest.approx(11 / 3, abs=1e-3)
    assert one["satisfied_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert one["response_rate"] == pytest.approx(0.75)
    two = figures[second["id"]]
    assert (two["requests"], two["answers"], two["mean_score"], two["satisfied_share"], two["response_rate"]) == (
        1, 1, 1.0, 0.0, 1.0)
    # A period that ended before any of this counts nothing; the same period asked twice gives the same figures.
    assert ok(client.get("/api/feedback/figures", params={"start": "2000-01-01T00:00:00Z",
                                                          "end": "2001-01-01T00:00:00Z"})) == []
    assert ok(client.get("/api/feedback/figures", params=WIDE)) == list(figures.values())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the limiter is in memory: one database is enough
def test_rate_limit_on_the_public_routes(client: TestClient) -> None:
    for _ in range(feedback_views.PUBLIC_LIMIT):
        problem(client.get("/api/feedback/t/" + "a" * 32), 404, "feedback.link_not_found")
    problem(client.get("/api/feedback/t/" + "a" * 32), 429, "feedback.too_many")
    response = client.get("/api/feedback/t/" + "a" * 32)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1


def test_expired_link_is_refused(client: TestClient, app_db: Database) -> None:
    from qorgau.feedback import service
    from qorgau.feedback.models import Feedback

    make_user(app_db, "boss", "supervisor")
    login(client, "boss")
    incident = closed_incident(client, _districts(client)[0])
    token = ok(client.post("/api/feedback/links", json={"incident_id": incident["id"]}), 201)["token"]
    with app_db.unit_of_work() as session:
        row = session.scalars(select(Feedback).where(Feedback.token_hash == service.token_hash(token))).one()
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    assert ok(client.get(f"/api/feedback/t/{token}"))["expired"] is True
    problem(client.post(f"/api/feedback/t/{token}", json={"score": 4}), 410, "feedback.link_expired")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # refused before any query
def test_bad_periods_are_refused(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "boss", "supervisor")
    login(client, "boss")
    for start, end in (("2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"),
                       ("2026-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00")):
        problem(client.get("/api/feedback/figures", params={"start": start, "end": end}), 422, "feedback.bad_period")
        problem(client.get("/api/feedback", params={"start": start, "end": end}), 422, "feedback.bad_period")

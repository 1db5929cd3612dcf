"""The district report over HTTP: figures on a small hand-built case, the exports, their reproducibility."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import shapely.geometry
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from qorgau.core.db import Database
from qorgau.district_reports import service
from tests.conftest import login, make_user
from tests.core.test_reports import KAZAKH, _pdf_unicode_map
from tests.coverage.conftest import add_police_points
from tests.incidents.conftest import ok, problem

LOCAL = ZoneInfo("Asia/Oral")  # the settings' default time zone


@dataclass(frozen=True)
class Appeals:
    """Hand-built rows in the shape of the appeals domain's figures."""

    district_id: int | None
    inspector_id: int | None
    received: int
    answered: int
    answered_on_time: int
    overdue: int
    open: int


def _point(district: dict[str, Any]) -> tuple[float, float]:
    point = shapely.geometry.shape(district["geometry"]).representative_point()
    return point.x, point.y


def _incident(client: TestClient, district: dict[str, Any], received_at: datetime, *, simulated: bool = False,
              close: bool = False) -> dict[str, Any]:
    lon, lat = _point(district)
    incident: dict[str, Any] = ok(client.post("/api/incidents", json={
        "category": "theft", "lon": lon, "lat": lat, "received_at": received_at.isoformat(),
        "simulated": simulated}), 201)
    if close:
        incident = ok(client.post(f"/api/incidents/{incident['id']}/transition", json={"to": "closed"}))
    return incident


@pytest.mark.timeout(120)
def test_report_figures_exports_and_reproducibility(client: TestClient, app_db: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    add_police_points(str(app_db.url))
    make_user(app_db, "boss", "supervisor")
    make_user(app_db, "crew", "patrol")
    login(client, "boss")
    districts = ok(client.get("/api/districts"))["districts"]
    first, second = districts[0], districts[1]
    inspector = min(i["user_id"] for i in first["inspectors"])  # feedback on an incident goes to the first
    now = datetime.now(UTC)
    today = now.astimezone(LOCAL).date()  # the report's days are Aksai's: from 19:00 UTC it is tomorrow there
    start, end = today - timedelta(days=9), today
    for _ in range(2):
        _incident(client, first, now - timedelta(days=2))
    _incident(client, first, now - timedelta(days=40))  # before the period
    _incident(client, second, now - timedelta(days=1), simulated=True)  # the simulator's: out unless asked
    public = TestClient(client.app, base_url="http://testserver")
    for score in (5, 4, 1):
        closed = _incident(client, first, now - timedelta(days=1), close=True)
        token = ok(client.post("/api/feedback/links", json={"incident_id": closed["id"]}), 201)["token"]
        ok(public.post(f"/api/feedback/t/{token}", json={"score": score}), 201)
    rows = [Appeals(first["id"], inspector, received=4, answered=3, answered_on_time=2, overdue=2, open=1),
            Appeals(None, None, received=1, answered=0, answered_on_time=0, overdue=0, open=1)]
    monkeypatch.setattr(service, "appeal_figures", lambda *_a, **_k: rows)

    params = {"start": start.isoformat(), "end": end.isoformat()}
    report = ok(client.get("/api/district-reports", params=params))
    assert report["walk_minutes"] == [5, 10, 15] and report["set_version"] == 1
    assert [d["number"] for d in report["districts"]] == list(range(1, 9))
    one = report["districts"][0]
    assert one["residents"] == first["residents"] and one["inspectors"] == [i["name"] for i in first["inspectors"]]
    assert one["incidents"] == 5  # two open and three closed in the period; the one 40 days ago is not
    assert (one["appeals_received"], one["appeals_on_time"], one["appeals_overdue"], one["on_time_share"]) == (
        4, 2, 2, pytest.approx(2 / 3, abs=1e-4))
    assert (one["feedback_requests"], one["feedback_answers"], one["mean_score"]) == (3, 3, pytest.approx(10 / 3,
                                                                                                          abs=1e-3))
    assert one["satisfied_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert "overdue_appeals" in one["flags"] and "low_satisfaction" in one["flags"]
    assert ("over_norm" in one["flags"]) == first["over_norm"]
    assert all(0.0 <= (s or 0.0) <= 1.0 for d in report["districts"] for s in d["walk_shares"])
    assert report["districts"][1]["incidents"] == 0
    assert report["total"]["incidents"] == 5 and report["total"]["appeals_received"] == 5
    mine = next(r for r in report["inspectors"] if r["user_id"] == inspector)
    assert mine["appeals_received"] == 4 and mine["feedback_answers"] == 3 and mine["district_numbers"] == [1]
    assert report["inspectors"][-1]["user_id"] is None and report["inspectors"][-1]["appeals_open"] == 1
    with_simulated = ok(client.get("/api/district-reports", params={**params, "include_simulated": "true"}))
    assert with_simulated["districts"][1]["incidents"] == 1
    assert ok(client.get("/api/district-reports", params=params)) == report  # same period, same figures

    files: dict[str, bytes] = {}
    for fmt, lang in (("xlsx", "kk"), ("pdf", "kk"), ("pdf", "ru")):
        response = client.get("/api/district-reports", params={**params, "format": fmt, "lang": lang})
        assert response.status_code == 200, response.text
        assert f"{start.isoformat()}-{end.isoformat()}-{lang}.{fmt}" in response.headers["content-disposition"]
        again = client.get("/api/district-reports", params={**params, "format": fmt, "lang": lang})
        assert again.content == response.content  # byte for byte
        files[f"{fmt}-{lang}"] = response.content
    workbook = load_workbook(io.BytesIO(files["xlsx-kk"]))
    assert workbook.sheetnames[0].startswith("Учаскелер мен учаскелік")
    people = workbook.worksheets[1]
    assert [c.value for c in people[2]][:4] == ["№", "Учаске", "Инспекторлар", "Тұрғындар"]
    assert people["A3"].value == 1 and people["D3"].value == pytest.approx(first["residents"])
    assert people.cell(row=11, column=2).value == "Қала бойынша барлығы"
    assert set("әғқңөұүһі") <= set(KAZAKH)
    assert set("қңөұүі") <= _pdf_unicode_map(files["pdf-kk"])
    assert files["pdf-kk"] != files["pdf-ru"]

    problem(client.get("/api/district-reports", params={"start": end.isoformat(), "end": start.isoformat()}), 422,
            "district_reports.bad_period")
    for start_day, end_day in (("2024-01-01", "2025-06-01"), ("9999-12-31", "9999-12-31"),
                               ("0001-01-01", "0001-01-02")):
        problem(client.get("/api/district-reports", params={"start": start_day, "end": end_day}), 422,
                "district_reports.bad_period")
    assert client.get("/api/district-reports", params={**params, "format": "doc"}).status_code == 422
    login(client, "crew")
    problem(client.get("/api/district-reports", params=params), 403, "auth.forbidden")


def test_period_is_local_days() -> None:
    from zoneinfo import ZoneInfo

    p = service.period(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("Asia/Almaty"))
    assert p.start_at.astimezone(UTC) == datetime(2026, 10, 31, 19, tzinfo=UTC)  # UTC+5 since 2024
    assert p.end_at.astimezone(UTC) == datetime(2026, 11, 30, 19, tzinfo=UTC)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the registry's points, not the database, decide
def test_without_police_points_coverage_is_unknown_not_low(client: TestClient, app_db: Database) -> None:
    make_user(app_db, "boss", "supervisor")
    login(client, "boss")
    today = datetime.now(LOCAL).date().isoformat()
    report = ok(client.get("/api/district-reports", params={"start": today, "end": today}))
    assert report["walk_minutes"] == [5, 10, 15] and report["total_walk_shares"] == [None, None, None]
    assert all(d["walk_shares"] == [None, None, None] and "low_coverage" not in d["flags"]
               for d in report["districts"])

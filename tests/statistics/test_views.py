"""Statistics API on SQLite and PostgreSQL: figures from the offences table, the cube following inserts and updates."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import login, make_user

NOW = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    # The cube looks for changes on every request here, so the test sees its own writes at once.
    return Settings(data_dir=tmp_path / "var", database_url=db_url, log_json=False, event_poll_interval_s=1.0,
                    web_dist=tmp_path / "no-web", ingest_in_serve=False, stats_refresh_s=0)


def _offence(id_: int, day: date, status: str, group: str = "theft", source: str = "import",
             draft: bool = False) -> dict[str, Any]:
    return {"id": id_, "reg_number": f"2026-{id_:06d}", "kind": "criminal", "registered_on": day,
            "committed_at": datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC), "article_code": "UK-188-1",
            "offence_class": "crime", "severity": "minor", "article_group": group, "status": status,
            "termination_ground": None, "status_on": None, "persons_identified": 1, "lon": 51.17, "lat": 51.17,
            "settlement": "Aksai", "district_id": None, "place_type": "street", "incident_id": None,
            "call_ref": None, "source": source, "draft": draft, "created_at": NOW, "updated_at": NOW,
            "updated_by": "import"}


def _write(db: Database, sql: str, rows: list[dict[str, Any]]) -> None:
    with db.unit_of_work() as session:
        session.execute(sa.text(sql), rows)


INSERT = ("INSERT INTO offences (id, reg_number, kind, registered_on, committed_at, article_code, offence_class, "
          "severity, article_group, status, termination_ground, status_on, persons_identified, lon, lat, "
          "settlement, district_id, place_type, incident_id, call_ref, source, draft, created_at, updated_at, "
          "updated_by) VALUES (:id, :reg_number, :kind, :registered_on, :committed_at, :article_code, "
          ":offence_class, :severity, :article_group, :status, :termination_ground, :status_on, "
          ":persons_identified, :lon, :lat, :settlement, :district_id, :place_type, :incident_id, :call_ref, "
          ":source, :draft, :created_at, :updated_at, :updated_by)")


@pytest.fixture
def analyst(client: TestClient, app_db: Database) -> TestClient:
    _write(app_db, "INSERT INTO offence_articles (code, code_kind, article, part, title_ru, title_kk, title_en, "
                   "offence_class, severity, article_group, editable) VALUES ('UK-188-1', 'uk', 188, 1, "
                   "'Кража', 'Ұрлық', 'Theft', 'crime', 'minor', 'theft', true)", [{}])
    _write(app_db, INSERT, [
        _offence(1, date(2026, 3, 3), "sent_to_court"), _offence(2, date(2026, 3, 4), "interrupted"),
        _offence(3, date(2026, 3, 5), "investigating", group="fraud"),
        _offence(4, date(2026, 3, 6), "investigating", source="generated"),
        _offence(5, date(2026, 3, 7), "investigating", draft=True),
        _offence(6, date(2025, 3, 10), "sent_to_court")])
    make_user(app_db, "an", "analyst")
    login(client, "an")
    return client


MARCH = {"period": "month", "anchor": "2026-03-15"}


def test_headline_slices_heatmap_trend_from_the_table(analyst: TestClient) -> None:
    body = analyst.get("/api/statistics/headline", params=MARCH).json()
    assert (body["first"], body["last"], body["previous_first"]) == ("2026-03-01", "2026-03-31", "2025-03-01")
    assert body["total"] == {"current": 3, "previous": 1, "delta": 2, "percent": 200.0}
    department = next(c for c in body["clearance"] if c["reading"] == "department")
    assert department["default"] is True and department["current"] == 0.5 and department["previous"] == 1.0
    assert department["inputs"]["completed"] == 1 and "completed" in department["formula"]["en"]
    assert {p["label"]: p["current"] for p in body["by_group"]} == {"theft": 2, "fraud": 1}
    generated = analyst.get("/api/statistics/headline", params={**MARCH, "include_generated": True}).json()
    assert generated["total"]["current"] == 4
    groups = analyst.get("/api/statistics/slices", params={**MARCH, "dimension": "article_group",
                                                           "article_group": "fraud"}).json()
    assert [(p["label"], p["current"]) for p in groups["parts"]] == [("fraud", 1)]
    unknown = analyst.get("/api/statistics/headline", params={**MARCH, "article_group": "nothing"}).json()
    assert unknown["total"]["current"] == 0
    heat = analyst.get("/api/statistics/heatmap", params=MARCH).json()
    assert heat["total"] == 3 and heat["cells"][1][20] == 1  # Tuesday 3 March, 15:00 UTC = 20:00 local
    months = analyst.get("/api/statistics/trend", params={"period": "custom", "first": "2026-02-01",
                                                          "last": "2026-03-31"}).json()["months"]
    assert [(m["month"], m["current"], m["previous"]) for m in months] == [(2, 0, 0), (3, 3, 1)]
    readings = analyst.get("/api/statistics/readings").json()
    assert readings[0]["code"] == "department" and readings[0]["default"] is True


def test_the_cube_follows_inserts_updates_and_drafts(analyst: TestClient, app_db: Database) -> None:
    assert analyst.get("/api/statistics/headline", params=MARCH).json()["total"]["current"] == 3
    later = datetime(2026, 4, 3, tzinfo=UTC)
    _write(app_db, INSERT, [{**_offence(7, date(2026, 3, 20), "investigating"), "updated_at": later}])
    _write(app_db, "UPDATE offences SET status = 'sent_to_court', updated_at = :at WHERE id = 2", [{"at": later}])
    _write(app_db, "UPDATE offences SET draft = :no, updated_at = :at WHERE id = 5", [{"at": later, "no": False}])
    body = analyst.get("/api/statistics/headline", params=MARCH).json()
    assert body["total"]["current"] == 5
    department = next(c for c in body["clearance"] if c["reading"] == "department")
    assert department["inputs"]["sent_to_court"] == 2 and department["inputs"]["interrupted"] == 0
    _write(app_db, "DELETE FROM offences WHERE id = 7", [{}])
    assert analyst.get("/api/statistics/headline", params=MARCH).json()["total"]["current"] == 4


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_who_may_read_and_bad_periods(client: TestClient, app_db: Database) -> None:
    assert client.get("/api/statistics/headline").status_code == 401
    make_user(app_db, "op", "operator")
    login(client, "op")
    assert client.get("/api/statistics/slices").status_code == 403
    make_user(app_db, "an", "analyst")
    login(client, "an")
    bad = client.get("/api/statistics/headline", params={"period": "custom", "first": "2026-02-01"})
    assert bad.status_code == 422 and bad.json()["code"] == "statistics.bad_period"
    assert client.get("/api/statistics/slices", params={"dimension": "colour"}).status_code == 422
    ancient = client.get("/api/statistics/trend", params={"period": "custom", "first": "0001-01-01",
                                                          "last": "0001-12-31"})
    assert ancient.status_code == 422


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_configured_reading_comes_first(tmp_path: Path, db_url: str) -> None:
    from qorgau.runtime.server import create_app

    settings = Settings(data_dir=tmp_path / "var", database_url=db_url, log_json=False, web_dist=tmp_path / "no",
                        ingest_in_serve=False, stats_clearance_reading="court")
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        make_user(client.app.state.runtime.db, "an", "analyst")  # type: ignore[attr-defined]
        login(client, "an")
        readings = client.get("/api/statistics/readings").json()
        assert [r["code"] for r in readings if r["default"]] == ["court"] and readings[0]["code"] == "court"
        clearance = client.get("/api/statistics/headline").json()["clearance"]
        assert clearance[0]["reading"] == "court" and clearance[0]["default"] is True


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_background_refresh_swaps_in_a_copy_and_leaves_the_read_cube_alone(analyst: TestClient,
                                                                            app_db: Database) -> None:
    from qorgau.statistics.source import CubeStore

    store = CubeStore(app_db.engine, utc_offset_s=5 * 3600, refresh_s=0.05)
    first = store.get()
    size = len(first)
    later = datetime(2026, 4, 3, tzinfo=UTC)
    _write(app_db, "UPDATE offences SET status = 'sent_to_court', updated_at = :at WHERE id = 2", [{"at": later}])
    _write(app_db, INSERT, [{**_offence(8, date(2026, 3, 21), "investigating"), "updated_at": later}])
    deadline = time.monotonic() + 10
    while store.get() is first and time.monotonic() < deadline:
        time.sleep(0.05)
    fresh = store.get()
    assert fresh is not first and len(fresh) == size + 1 and len(first) == size
    status = first.vocab["status"]
    march = (date(2026, 3, 1), date(2026, 3, 31))
    old_counts = first.select(*march).bincount("status", len(status))
    new_counts = fresh.select(*march).bincount("status", len(status))
    assert new_counts[status.find("sent_to_court")] == old_counts[status.find("sent_to_court")] + 1

"""Hot spots, Moran's I, district and inspector slices and the cameras' table through the API, over the Aksai
model and its seeded police districts (SQLite: the figures are numpy's; both databases are covered by test_views)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.city.conftest import aksai_data, seeded_pg_template, seeded_sqlite_template
from tests.conftest import login, make_user
from tests.districts.conftest import db_url, districts_pg_template, districts_sqlite_template
from tests.statistics.test_views import INSERT, _offence, _write

__all__ = ["aksai_data", "db_url", "districts_pg_template", "districts_sqlite_template", "seeded_pg_template",
           "seeded_sqlite_template"]
YEAR = {"period": "year", "anchor": "2026-06-01"}
Seeded = tuple[TestClient, dict[int, tuple[float, float]], int]  # client, district centres, the town's population


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=db_url, log_json=False, event_poll_interval_s=1.0,
                    web_dist=tmp_path / "no-web", ingest_in_serve=False, stats_refresh_s=0)


@pytest.fixture
def analyst(client: TestClient, app_db: Database) -> Seeded:
    with app_db.reading() as session:
        rows = session.execute(sa.text("SELECT id, min_lon, min_lat, max_lon, max_lat FROM districts")).all()
        town = session.execute(sa.text("SELECT name, population FROM city_places WHERE kind = 'settlement' "
                                       "ORDER BY population DESC LIMIT 1")).one()
    boxes = {int(r[0]): ((r[1] + r[3]) / 2, (r[2] + r[4]) / 2) for r in rows}
    _write(app_db, "INSERT INTO offence_articles (code, code_kind, article, part, title_ru, title_kk, title_en, "
                   "offence_class, severity, article_group, editable) VALUES ('UK-188-1', 'uk', 188, 1, "
                   "'Кража', 'Ұрлық', 'Theft', 'crime', 'minor', 'theft', true)", [{}])
    rng = np.random.default_rng(2)
    hot = min(boxes)
    offences, next_id = [], 1
    for district, (lon, lat) in boxes.items():
        for k in range(60 if district == hot else 6):
            spread = 0.0012 if district == hot else 0.004
            row = _offence(next_id, date(2026, 1 + k % 12, 1 + k % 28), "investigating")
            row.update(lon=lon + rng.normal(0, spread), lat=lat + rng.normal(0, spread), district_id=district,
                       committed_at=datetime(2026, 1 + k % 12, 1 + k % 28, k % 24, tzinfo=UTC),
                       reg_number=f"R-{next_id}", settlement=town[0])
            offences.append(row)
            next_id += 1
    _write(app_db, INSERT, offences)
    make_user(app_db, "an", "analyst")
    login(client, "an")
    return client, boxes, int(town[1])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_hot_spots_moran_and_district_slices(analyst: Seeded) -> None:
    client, boxes, town_population = analyst
    found = client.get("/api/statistics/hotspots", params={**YEAR, "grid": "settlement"}).json()
    assert found["cell_m"] == 100 and found["bands"] == [[0, 6], [6, 12], [12, 18], [18, 24]]
    cells = found["cells"]
    assert sum(c["count"] for c in cells) == 60 + 6 * (len(boxes) - 1)
    hottest = max(cells, key=lambda c: c["value"])
    lon, lat = boxes[min(boxes)]
    assert abs(hottest["lon"] - lon) < 0.01 and abs(hottest["lat"] - lat) < 0.01
    assert hottest["level"] == "unsafe" and hottest["p"] < 0.05
    assert {c["level"] for c in cells} <= {"safe", "unsafe", "unsafe_at_hours"}
    kde = client.get("/api/statistics/hotspots", params={**YEAR, "method": "kde", "bandwidth_m": 300}).json()
    assert max(kde["cells"], key=lambda c: c["value"])["count"] > 0 and kde["cells"][0]["p"] is None
    moran = client.get("/api/statistics/moran", params=YEAR).json()
    assert moran["i"] > 0 and moran["p_norm"] < 0.05 and moran["cells"] == len(cells)
    by_district = client.get("/api/statistics/hotspots", params={**YEAR, "grid": "districts"}).json()["cells"]
    assert len(by_district) == len(boxes) and max(c["count"] for c in by_district) == 60
    assert all(c["level"] in {"safe", "unsafe", "unsafe_at_hours"} and 0 <= c["p"] <= 1 for c in by_district)
    district_moran = client.get("/api/statistics/moran", params={**YEAR, "grid": "districts"}).json()
    assert district_moran["cells"] == len(boxes) and -1 <= district_moran["i"] <= 1
    area = client.get("/api/statistics/hotspots", params={**YEAR, "grid": "area"}).json()
    assert area["cell_m"] == 500
    districts = client.get("/api/statistics/slices", params={**YEAR, "dimension": "district"}).json()["parts"]
    assert districts[0]["label"] == str(min(boxes)) and districts[0]["current"] == 60
    assert districts[0]["name"] and districts[0]["name_kk"] and districts[0]["name_en"] and districts[0]["rate"] > 0
    inspectors = client.get("/api/statistics/slices", params={**YEAR, "dimension": "inspector"}).json()["parts"]
    assert sum(p["current"] for p in inspectors) >= 60 + 6 * (len(boxes) - 1) and inspectors[0]["label"]
    headline = client.get("/api/statistics/headline", params={**YEAR, "district": min(boxes)}).json()
    assert headline["total"]["current"] == 60 and headline["population"] > 0 and headline["rate"] > 0
    settlements = client.get("/api/statistics/slices", params={**YEAR, "dimension": "settlement"}).json()["parts"]
    total = 60 + 6 * (len(boxes) - 1)
    assert [(p["current"], p["rate"]) for p in settlements] == [(total, round(total * 10_000 / town_population, 3))]
    official = client.get("/api/statistics/headline", params={**YEAR, "population": "official"})
    assert official.status_code == 422 and official.json()["code"] == "statistics.no_official_population"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cameras_effect_without_cameras_says_so(analyst: Seeded) -> None:
    client, _, _ = analyst
    found = client.get("/api/statistics/cameras-effect", params={"installed_on": "2026-06-01"}).json()
    assert found["install_date_source"] == "given" and found["radius_m"] == 100
    assert found["ratio"] is None and found["cameras"] == []

"""Coverage API on SQLite and PostgreSQL over the Aksai model: who may read it, figures, isochrones, placement."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import login, make_user


@pytest.fixture
def analyst(client: TestClient, app_db: Database) -> TestClient:
    make_user(app_db, "an", "analyst")
    login(client, "an")
    return client


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # storage-independent: one database is enough
def test_supervisors_and_analysts_read_coverage_operators_do_not(client: TestClient, app_db: Database) -> None:
    assert client.get("/api/coverage").status_code == 401
    assert client.post("/api/coverage/placement", json={"mode": "set"}).status_code == 401
    make_user(app_db, "op", "operator")
    login(client, "op")
    refused = client.get("/api/coverage/isochrones")
    assert refused.status_code == 403 and refused.json()["code"] == "auth.forbidden"
    make_user(app_db, "sv", "supervisor")
    login(client, "sv")
    assert client.get("/api/coverage").status_code == 200


def test_figures_and_isochrones_of_the_aksai_model(analyst: TestClient) -> None:
    body = analyst.get("/api/coverage").json()
    assert body["generated"] is True and body["walk_speed_kmh"] == 4.5
    assert {p["kind"] for p in body["points"]} == {"police_post", "reception_point", "situation_center"}
    assert len(body["points"]) == 5 + 3 + 1  # МОП, УПП and the department
    levels = body["levels"]
    assert [(lv["mode"], lv["minutes"]) for lv in levels] == [("walk", 5), ("walk", 10), ("walk", 15), ("drive", 7)]
    walk = [lv["overall"]["covered"] for lv in levels[:3]]
    assert 0 < walk[0] <= walk[1] <= walk[2] < levels[0]["overall"]["residents"]
    for level in levels:
        assert sum(s["residents"] for s in level["settlements"]) == pytest.approx(level["overall"]["residents"], abs=5)
        assert sum(s["covered"] for s in level["settlements"]) == pytest.approx(level["overall"]["covered"], abs=5)
    uncovered = [c["residents"] for c in body["uncovered"]]
    assert uncovered == sorted(uncovered, reverse=True) and uncovered[0] > 1000
    assert all(c["geometry"]["type"] == "MultiPolygon" and c["geometry"]["coordinates"] for c in body["uncovered"])
    geo = analyst.get("/api/coverage/isochrones")
    assert geo.headers["content-type"] == "application/geo+json"
    features = geo.json()["features"]
    assert [f["properties"]["minutes"] for f in features] == [5, 10, 15, 7]
    assert all(f["geometry"]["type"] == "MultiPolygon" and f["geometry"]["coordinates"] for f in features)
    ring = features[0]["geometry"]["coordinates"][0][0]
    assert ring[0] == ring[-1] and all(52 < x < 54 and 50 < y < 52 for x, y in ring)


def test_placement_maximal_set_and_infeasible(analyst: TestClient) -> None:
    found = analyst.post("/api/coverage/placement", json={"mode": "maximal", "posts": 2, "minutes": 10}).json()
    assert found["optimal"] is True and found["gap"] == 0 and len(found["chosen"]) == 2
    assert found["candidates"] == 500 and found["after"]["covered"] > found["before"]["covered"]
    assert found["after"]["covered"] - found["before"]["covered"] == pytest.approx(found["objective"], abs=1)
    # Three candidate sites given, and a minute's walk: most residents are out of reach of all of them.
    sites = [[53.0115, 51.1739], [53.02, 51.18], [52.99, 51.17]]
    refused = analyst.post("/api/coverage/placement", json={"mode": "set", "minutes": 1, "candidates": sites})
    problem = refused.json()
    assert refused.status_code == 422 and problem["code"] == "coverage.unreachable_demand"
    assert problem["unreachable"][0]["residents"] >= problem["unreachable"][-1]["residents"] > 0
    assert "residents" in problem["title"] and problem["detail"]
    skipped = analyst.post("/api/coverage/placement", json={"mode": "set", "minutes": 1, "candidates": sites,
                                                            "skip_unreachable": True}).json()
    assert skipped["optimal"] is True and skipped["skipped_residents"] > 0
    too_many = analyst.post("/api/coverage/placement", json={"mode": "maximal", "posts": 4, "candidates": sites})
    assert too_many.status_code == 422 and too_many.json()["code"] == "coverage.too_many_posts"
    invalid = analyst.post("/api/coverage/placement", json={"mode": "both"})
    assert invalid.status_code == 422


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the district seed is costly; SQL is F's, tested there
def test_coverage_per_police_district_in_force(analyst: TestClient, app_db: Database) -> None:
    assert all(level["districts"] == [] for level in analyst.get("/api/coverage").json()["levels"])
    from qorgau.districts.config import DistrictsSettings, default_reception
    from qorgau.districts.seed import seed_aksai
    from tests.conftest import CLI_ACTOR

    with app_db.unit_of_work() as session:
        assert seed_aksai(session, actor=CLI_ACTOR, default_reception=default_reception(DistrictsSettings()))
    levels = analyst.get("/api/coverage").json()["levels"]
    districts = levels[1]["districts"]
    assert [d["number"] for d in districts] == sorted(d["number"] for d in districts) and len(districts) == 8
    assert all(d["name_ru"] and 0 <= d["covered"] <= d["residents"] for d in districts)
    # The districts cover the town, not the whole district: their residents are part of the total.
    assert 0 < sum(d["residents"] for d in districts) <= levels[1]["overall"]["residents"]
    assert sum(d["covered"] for d in levels[0]["districts"]) <= sum(d["covered"] for d in districts)


def test_candidates_outside_the_earth_are_refused() -> None:
    from pydantic import ValidationError

    from qorgau.coverage.schemas import PlacementRequest

    with pytest.raises(ValidationError):
        PlacementRequest.model_validate({"mode": "set", "candidates": [[200.0, 51.0]]})
    assert PlacementRequest.model_validate({"mode": "set", "candidates": [[53.0, 51.1]]}).candidates == [(53.0, 51.1)]

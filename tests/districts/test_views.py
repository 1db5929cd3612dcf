"""Districts over HTTP: who may read and write, the GeoJSON round trip, proposals accepted as new versions."""

from __future__ import annotations

import pytest
import shapely.geometry
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.incidents.conftest import ok, problem


def _same_polygons(a: dict[str, object], b: dict[str, object]) -> bool:
    return shapely.geometry.shape(a).symmetric_difference(shapely.geometry.shape(b)).area < 1e-12


@pytest.mark.timeout(90)
def test_districts_read_write_round_trip_and_proposal(client: TestClient, app_db: Database) -> None:
    for name, role in (("op", "operator"), ("boss", "supervisor"), ("crew", "patrol")):
        make_user(app_db, name, role)
    login(client, "crew")
    problem(client.get("/api/districts"), 403, "auth.forbidden")

    login(client, "op")
    today = ok(client.get("/api/districts"))
    assert today["version"] == 1 and len(today["districts"]) == 8 and today["balance"]["norm"] == 2500
    assert today["balance"]["residents"] == pytest.approx(36352, abs=1)
    flagged = [d for d in today["districts"] if d["over_norm"]]
    assert len(flagged) == 4 and all(len(d["inspectors"]) == 1 for d in flagged)
    district = today["districts"][0]
    passport = ok(client.get(f"/api/districts/{district['id']}/passport"))
    assert passport["district"]["number"] == 1 and passport["cameras"] == 0 and passport["incidents"] == []
    point = shapely.geometry.shape(district["geometry"]).representative_point()
    incident = ok(client.post("/api/incidents", json={"category": "theft", "lon": point.x, "lat": point.y}), 201)
    passport = ok(client.get(f"/api/districts/{district['id']}/passport"))
    assert [i["id"] for i in passport["incidents"]] == [incident["id"]]
    at = ok(client.get("/api/districts/at", params={"lon": point.x, "lat": point.y}))
    assert at["district_id"] == district["id"] and at["version"] == 1
    assert ok(client.get("/api/districts/at", params={"lon": 50.0, "lat": 50.0})) is None
    problem(client.post("/api/districts/propose", json={"inspectors": 10}), 403, "auth.forbidden")

    exported = client.get("/api/districts/export")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/geo+json")
    collection = exported.json()
    problem(client.post("/api/districts/import", json=collection), 403, "auth.forbidden")

    login(client, "boss")
    second = ok(client.post("/api/districts/import", json=collection), 201)
    assert second["version"] == 2 and second["source"] == "import"
    for old, new in zip(today["districts"], second["districts"], strict=True):
        assert _same_polygons(old["geometry"], new["geometry"])
        assert [i["username"] for i in old["inspectors"]] == [i["username"] for i in new["inspectors"]]
        assert new["residents"] == pytest.approx(old["residents"], abs=0.5)
        assert new["reception"] == {"days": [0, 1, 2, 3, 4], "from": "17:00", "to": "20:00"}

    broken = {**collection, "features": collection["features"][1:]}  # district 1 missing: a gap
    body = problem(client.post("/api/districts/import", json=broken), 422, "districts.invalid")
    assert [e["code"] for e in body["errors"]] == ["districts.problem.gap"]

    proposal = ok(client.post("/api/districts/propose", json={"inspectors": 15}))
    assert len(proposal["districts"]) == 15 and proposal["current"]["districts"] == 8
    assert proposal["balance"]["std"] < proposal["current"]["std"] * 10
    third = ok(client.post("/api/districts/accept", json={"geojson": proposal["geojson"], "source": "proposal",
                                                          "note": "15 inspectors"}), 201)
    assert third["version"] == 3 and len(third["districts"]) == 15
    versions = ok(client.get("/api/districts/versions"))
    assert [v["version"] for v in versions] == [3, 2, 1] and versions[0]["valid_to"] is None
    assert ok(client.get(f"/api/districts/versions/{versions[2]['id']}"))["version"] == 1

    make_user(app_db, "insp", "inspector")  # the seeded inspectors' passwords are unknown: an own one
    login(client, "insp")
    assert ok(client.get("/api/districts/mine")) == []
    login(client, "boss")
    collection["features"][0]["properties"]["inspectors"] = ["insp"]
    ok(client.post("/api/districts/import", json=collection), 201)
    login(client, "insp")
    (mine,) = ok(client.get("/api/districts/mine"))
    assert mine["district"]["number"] == 1 and [i["username"] for i in mine["district"]["inspectors"]] == ["insp"]
    assert [i["id"] for i in mine["incidents"]] == [incident["id"]]

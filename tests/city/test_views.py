"""City API on SQLite and PostgreSQL: guards, base map, geocoding, routing, places and population."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import login, make_user

AKSAI = "53.011478,51.173893"
LAYERS = {"boundary", "settlements", "microdistricts", "streets", "blocks"}


@pytest.fixture
def operator(client: TestClient, app_db: Database) -> TestClient:
    make_user(app_db, "op", "operator")
    login(client, "op")
    return client


def _all_pages(client: TestClient, url: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        body = client.get(url, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_every_route_needs_a_signed_in_user(client: TestClient) -> None:
    for path in ("/api/city/models", "/api/city/map", "/api/city/geocode?q=Aksai", "/api/city/places",
                 f"/api/city/route?from={AKSAI}&to={AKSAI}", "/api/city/population", "/api/city/places/1"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["content-type"].startswith("application/problem+json")


def test_operators_read_admins_switch_models(operator: TestClient, app_db: Database) -> None:
    models = operator.get("/api/city/models").json()
    (aksai,) = models["items"]
    assert (aksai["name"], aksai["generated"], aksai["active"], aksai["source"]) == ("aksai", True, True, "generated")
    assert models["next_cursor"] is None
    refused = operator.post(f"/api/city/models/{aksai['id']}/activate")
    assert refused.status_code == 403 and refused.json()["code"] == "auth.forbidden"
    make_user(app_db, "boss", "admin")
    login(operator, "boss")
    assert operator.post(f"/api/city/models/{aksai['id']}/activate").json()["active"] is True
    assert operator.post("/api/city/models/999/activate").json()["code"] == "city.model_not_found"


def test_the_base_map_of_the_whole_district(operator: TestClient) -> None:
    response = operator.get("/api/city/map")
    assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
    assert len(response.content) < 2_000_000
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["model"]["generated"] is True
    features = body["features"]
    assert {f["properties"]["layer"] for f in features} == LAYERS
    required = {"layer", "name_kk", "name_ru", "name_en", "kind", "highway", "generated"}
    assert all(required <= set(f["properties"]) for f in features)
    by_layer: dict[str, list[dict[str, Any]]] = {}
    for f in features:
        by_layer.setdefault(f["properties"]["layer"], []).append(f)
    assert len(by_layer["settlements"]) == 27 and not any(f["properties"]["generated"] for f in by_layer["settlements"])
    aksai = next(f for f in by_layer["settlements"] if f["properties"]["name"] == "Ақсай")["properties"]
    assert (aksai["place"], aksai["population"], aksai["name_en"]) == ("town", 36_352, "Aksay")
    assert by_layer["boundary"][0]["properties"]["generated"] is False  # the real geoBoundaries polygon
    for layer in ("streets", "blocks", "microdistricts"):
        assert all(f["properties"]["generated"] for f in by_layer[layer]), layer
    sovetskaya = next(f for f in by_layer["streets"] if f["properties"]["name"] == "Советская")
    assert sovetskaya["properties"]["name_en"] == "Sovetskaya Street" and sovetskaya["geometry"]["type"] == \
        "MultiLineString"


    # Cut to the town and to two layers.
    whole = [f for f in features if f["properties"]["layer"] == "streets"]
    town = operator.get("/api/city/map", params={"layers": "streets,settlements",
                                                 "bbox": "52.98,51.16,53.04,51.19"}).json()["features"]
    assert {f["properties"]["layer"] for f in town} == {"streets", "settlements"}
    assert [f["properties"]["name"] for f in town if f["properties"]["layer"] == "settlements"] == ["Ақсай"]

    def size(features: list[dict[str, Any]]) -> int:
        return sum(len(line) for f in features for line in f["geometry"]["coordinates"])

    assert 0 < size([f for f in town if f["properties"]["layer"] == "streets"]) < size(whole)
    # Unknown layers, malformed boxes and unknown parameters are refused, naming the parameter.
    for params, field in (({"layers": "streets,tiles"}, "layers"), ({"bbox": "1,2,3"}, "bbox"),
                          ({"bbox": "5,5,1,1"}, "bbox"), ({"zoom": "3"}, "zoom")):
        problem = operator.get("/api/city/map", params=params).json()
        assert problem["status"] == 422 and problem["code"] == "request.validation_failed"
        assert any(field in e["field"] for e in problem["errors"]), params


def test_geocode(operator: TestClient) -> None:
    found = operator.get("/api/city/geocode", params={"q": "ул. Советская, 12"}).json()
    assert found["kind"] == "address" and found["generated"] is True and found["label"] == "Советская, 12"
    burlin = operator.get("/api/city/geocode", params={"q": "Бөрлі"}, headers={"Accept-Language": "en"}).json()
    assert (burlin["lon"], burlin["lat"], burlin["kind"], burlin["generated"]) == (52.715065, 51.427292,
                                                                                    "settlement", False)
    for language, word in (("ru", "Невская 5"), ("kk", "Невская 5"), ("en", "Невская 5")):
        problem = operator.get("/api/city/geocode", params={"q": "Невская 5"},
                               headers={"Accept-Language": language})
        assert problem.status_code == 422 and problem.headers["content-type"].startswith("application/problem+json")
        assert problem.json()["code"] == "city.address_not_found" and word in problem.json()["detail"]
    outside = operator.get("/api/city/geocode", params={"q": "55.75, 37.62"}).json()
    assert outside["code"] == "city.outside_model"


def test_route_by_car_and_on_foot(operator: TestClient) -> None:
    drive = operator.get("/api/city/route", params={"from": AKSAI, "to": "52.715065,51.427292"}).json()
    assert drive["mode"] == "drive" and drive["generated"] is True and drive["meters"] > 35_000
    line = drive["geometry"]
    assert line["type"] == "LineString" and line["coordinates"][0] == [53.011478, 51.173893]
    walk = operator.get("/api/city/route", params={"from": AKSAI, "to": "53.02,51.18", "mode": "walk"}).json()
    assert walk["seconds"] == pytest.approx(walk["meters"] / (5 / 3.6), rel=1e-3)
    for params in ({"from": "x", "to": AKSAI}, {"from": AKSAI}, {"from": AKSAI, "to": AKSAI, "mode": "fly"}):
        assert operator.get("/api/city/route", params=params).status_code == 422
    outside = operator.get("/api/city/route", params={"from": AKSAI, "to": "37.6,55.7"}).json()
    assert outside["code"] == "city.outside_model"


def test_places_are_paginated_and_searchable(operator: TestClient) -> None:
    settlements = _all_pages(operator, "/api/city/places", kind="settlement", limit=10)
    assert len(settlements) == 27
    (burlin,) = operator.get("/api/city/places", params={"q": "burlin", "kind": "settlement"}).json()["items"]
    assert burlin["name_ru"] == "Бурлин" and burlin["population"] == 3870 and "geometry" not in burlin
    detail = operator.get(f"/api/city/places/{burlin['id']}").json()
    assert detail["geometry"] == {"type": "Point", "coordinates": [52.715065, 51.427292]}
    assert operator.get("/api/city/places/999999").status_code == 404
    assert operator.get("/api/city/places", params={"kind": "castle"}).status_code == 422
    assert operator.get("/api/city/places", params={"cursor": "!!"}).json()["code"] == "request.bad_cursor"


    # Population: every page together is the district.
    cells = _all_pages(operator, "/api/city/population", limit=500)
    assert sum(c["residents"] for c in cells) == 58_290 and all(c["generated"] for c in cells)
    town = _all_pages(operator, "/api/city/population", bbox="52.98,51.16,53.04,51.19", limit=10_000)
    assert sum(c["residents"] for c in town) == 36_352 and {c["settlement"] for c in town} == {"Ақсай"}


def test_without_a_model_reads_say_how_to_get_one(empty_city: None, admin_client: TestClient) -> None:
    problem = admin_client.get("/api/city/map").json()
    assert problem["status"] == 409 and problem["code"] == "city.no_model" and "seed-aksai" in problem["detail"]
    assert admin_client.get("/api/city/models").json() == {"items": [], "next_cursor": None}
    assert admin_client.get("/api/city/map", params={"model": "nope"}).json()["code"] == "city.model_not_found"

"""Editing districts: a draft checked without saving (problems per district, residents, incidents), an edit
accepted as a new version, and proposals weighing workload beside residents."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
import shapely.geometry
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from qorgau.districts.geometry import Frame
from qorgau.districts.proposal import Workload, _mixed
from tests.conftest import login, make_user
from tests.incidents.conftest import ok, problem

Coordinate = list[float]


def _rings(geometry: dict[str, Any]) -> list[list[Coordinate]]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for polygon in polygons for ring in polygon]


def _inner_shared_vertex(collection: dict[str, Any]) -> Coordinate:
    """A vertex that district 1 shares with a neighbour and that does not lie on the town's edge."""
    edge = shapely.geometry.shape(collection["area"]).boundary
    first = collection["features"][0]["geometry"]
    others = {tuple(c) for f in collection["features"][1:] for ring in _rings(f["geometry"]) for c in ring}
    for ring in _rings(first):
        for c in ring:
            if tuple(c) in others and edge.distance(shapely.geometry.Point(c)) > 1e-4:
                return c
    raise AssertionError("district 1 shares no inner vertex")


def _moved(collection: dict[str, Any], vertex: Coordinate, d_lon: float, d_lat: float,
           only_first: bool = False) -> dict[str, Any]:
    """The collection with ``vertex`` moved in every district holding it (or in district 1 only)."""
    moved = copy.deepcopy(collection)
    for feature in moved["features"][:1] if only_first else moved["features"]:
        for ring in _rings(feature["geometry"]):
            for c in ring:
                if c == vertex:
                    c[0], c[1] = vertex[0] + d_lon, vertex[1] + d_lat
    return moved


@pytest.mark.timeout(90)
def test_a_draft_is_checked_without_saving_and_an_edit_becomes_a_version(client: TestClient,
                                                                          app_db: Database) -> None:
    make_user(app_db, "op", "operator")
    make_user(app_db, "boss", "supervisor")
    login(client, "op")
    collection = client.get("/api/districts/export").json()
    problem(client.post("/api/districts/check", json={"geojson": collection}), 403, "auth.forbidden")

    login(client, "boss")
    today = ok(client.get("/api/districts"))
    same = ok(client.post("/api/districts/check", json={"geojson": collection}))
    assert same["valid"] and same["problems"] == []
    assert [d["residents"] for d in same["districts"]] == pytest.approx([d["residents"] for d in today["districts"]],
                                                                        abs=0.5)
    assert same["balance"]["residents"] == pytest.approx(today["balance"]["residents"], abs=1)
    assert [d["inspectors"] for d in same["districts"]] == [len(d["inspectors"]) for d in today["districts"]]

    vertex = _inner_shared_vertex(collection)
    # District 1 alone pushed outwards: it overlaps its neighbour. Pulled inwards: a gap opens. Each listed.
    for d_lon in (0.0004, -0.0004):
        for d_lat in (0.0003, -0.0003):
            broken = ok(client.post("/api/districts/check", json={
                "geojson": _moved(collection, vertex, d_lon, d_lat, only_first=True)}))
            codes = {e["code"] for e in broken["problems"]}
            assert not broken["valid"] and codes & {"districts.problem.overlap", "districts.problem.gap",
                                                    "districts.problem.self_intersecting"}
            assert len(broken["districts"]) == 8
    unreadable = ok(client.post("/api/districts/check", json={"geojson": {"type": "Feature"}}))
    assert not unreadable["valid"] and unreadable["districts"] == [] and unreadable["balance"] is None
    assert [v["version"] for v in ok(client.get("/api/districts/versions"))] == [1]  # nothing saved

    # Two neighbours merged on the server into a draft: one district fewer, both inspectors, still valid.
    first = shapely.geometry.shape(collection["features"][0]["geometry"])
    touching = [f["properties"]["number"] for f in collection["features"][1:]
                if shapely.geometry.shape(f["geometry"]).intersection(first).length > 0]
    apart = [f["properties"]["number"] for f in collection["features"][1:]
             if not shapely.geometry.shape(f["geometry"]).intersects(first)]
    assert touching and apart
    merged = ok(client.post("/api/districts/merge", json={"geojson": collection, "keep": 1, "absorb": touching[0]}))
    assert len(merged["features"]) == 7 and merged["features"][0]["geometry"]["type"] == "Polygon"
    absorbed = next(f for f in collection["features"] if f["properties"]["number"] == touching[0])
    assert merged["features"][0]["properties"]["inspectors"] == \
        collection["features"][0]["properties"]["inspectors"] + absorbed["properties"]["inspectors"]
    joined = ok(client.post("/api/districts/check", json={"geojson": merged}))
    assert joined["valid"] and len(joined["districts"]) == 7
    assert joined["districts"][0]["residents"] == pytest.approx(
        same["districts"][0]["residents"] + same["districts"][touching[0] - 1]["residents"], abs=1)
    body = problem(client.post("/api/districts/merge", json={"geojson": collection, "keep": 1, "absorb": apart[0]}),
                   422, "districts.invalid")
    assert [e["code"] for e in body["errors"]] == ["districts.problem.not_adjacent"]
    body = problem(client.post("/api/districts/merge", json={"geojson": collection, "keep": 1, "absorb": 1}),
                   422, "districts.invalid")
    assert [e["code"] for e in body["errors"]] == ["districts.problem.merge_same"]
    body = problem(client.post("/api/districts/merge", json={"geojson": collection, "keep": 1, "absorb": 99}),
                   422, "districts.invalid")
    assert [e["code"] for e in body["errors"]] == ["districts.problem.merge_unknown"]

    edited = _moved(collection, vertex, 0.0004, 0.0003)
    draft = ok(client.post("/api/districts/check", json={"geojson": edited}))
    assert draft["valid"], draft["problems"]
    assert draft["balance"]["residents"] == pytest.approx(today["balance"]["residents"], abs=1)
    assert draft["districts"][0]["residents"] != pytest.approx(same["districts"][0]["residents"], abs=0.01)
    second = ok(client.post("/api/districts/accept", json={"geojson": edited, "source": "edit",
                                                           "note": "vertex moved"}), 201)
    assert second["version"] == 2 and second["source"] == "edit"
    assert second["districts"][0]["residents"] == pytest.approx(draft["districts"][0]["residents"], abs=0.5)
    assert [i["username"] for i in second["districts"][0]["inspectors"]] == \
        [i["username"] for i in today["districts"][0]["inspectors"]]


@pytest.mark.timeout(90)
def test_proposals_weigh_workload_and_every_102_call_falls_into_a_district(client: TestClient,
                                                                          app_db: Database) -> None:
    make_user(app_db, "boss", "supervisor")
    login(client, "boss")
    today = ok(client.get("/api/districts"))
    centre = shapely.geometry.shape(today["districts"][0]["geometry"]).representative_point()
    for k in range(12):  # a hot spot: a dozen calls a hundred metres or so apart around district 1's middle
        ok(client.post("/api/incidents", json={"category": "theft", "lon": centre.x + 0.0015 * (k % 4 - 1.5),
                                               "lat": centre.y + 0.001 * (k // 4 - 1)}), 201)
    by_residents = ok(client.post("/api/districts/propose", json={"inspectors": 6, "workload_share": 0}))
    by_calls = ok(client.post("/api/districts/propose", json={"inspectors": 6, "workload_share": 1,
                                                              "workload_days": 30}))
    assert by_residents["workload"]["incidents"] == by_calls["workload"]["incidents"] == 12
    assert by_residents["current_workload"]["incidents"] == 12 and by_residents["current_workload"]["min"] == 0
    assert by_calls["workload"]["share"] == 1 and by_calls["workload"]["days"] == 30
    assert by_calls["workload"]["max"] < by_residents["workload"]["max"]  # the hot spot is split
    assert sum(d["incidents"] for d in by_calls["districts"]) == 12
    problem(client.post("/api/districts/propose", json={"inspectors": 6, "workload_share": 1.5}), 422,
            "request.validation_failed")
    # Every 102 call falls into the district in force when it came in (its address geocoded by incidents).
    call = ok(client.post("/api/incidents", json={
        "category": "theft", "source": "call", "caller_name": "Иванов И.", "caller_phone": "+7 701 000 00 00",
        "address": "Советская 12"}), 201)
    assert call["lon"] is not None and call["lat"] is not None
    at = ok(client.get("/api/districts/at", params={"lon": call["lon"], "lat": call["lat"],
                                                    "at": call["received_at"]}))
    assert at is not None and at["version"] == 1 and 1 <= at["number"] <= 8
    before = ok(client.get("/api/districts/at", params={"lon": call["lon"], "lat": call["lat"],
                                                        "at": "2000-01-01T00:00:00Z"}))
    assert before is None  # no district set was in force then


def test_a_cell_weighs_residents_and_incidents_as_shares_of_the_totals() -> None:
    from qorgau.city.geometry import LocalProjection

    frame = Frame(LocalProjection(53.0, 51.17), 100.0)
    grid = {(0, 0): 300.0, (1, 0): 100.0, (2, 0): 0.0}
    incidents = Workload(x=np.array([250.0, 250.0, 50.0, 250.0]), y=np.array([10.0, 20.0, 30.0, 40.0]), share=0.5)
    mixed = _mixed(grid, frame, incidents)
    assert mixed == pytest.approx({(0, 0): 0.5 * 0.75 + 0.5 * 0.25, (1, 0): 0.5 * 0.25, (2, 0): 0.5 * 0.75})
    assert _mixed(grid, frame, Workload(x=incidents.x, y=incidents.y, share=0.0)) is grid


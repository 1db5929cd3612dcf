"""The districts desk in real Chromium: the seeded districts on the map and in the table, a passport, and a
supervisor's redistricting proposal accepted as a new version."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import shapely.geometry
from playwright.sync_api import Page, expect

from qorgau.core.db import Database
from tests.conftest import PASSWORD, make_user
from tests.districts.conftest import districts_sqlite_template, seeded_sqlite_template
from tests.server import cli_env, running_server

pytestmark = pytest.mark.browser
__all__ = ["districts_sqlite_template", "seeded_sqlite_template"]


@pytest.fixture(scope="module")
def districts_server(districts_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`qorgau serve` on a copy of the districts tests' database (Aksai model, generated districts), with an
    operator `op` and a supervisor `boss` added in this process (starting the CLI per step costs seconds each)."""
    data = tmp_path_factory.mktemp("districts-browser")
    path = data / "qorgau.db"
    path.write_bytes(districts_sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    database = Database(url)
    try:
        make_user(database, "op", "operator")
        make_user(database, "boss", "supervisor")
        make_user(database, "insp", "inspector")  # the seeded inspectors' passwords are unknown: an own one
    finally:
        database.dispose()
    with running_server(cli_env(data / "var", url), data / "server.log") as base:
        yield base


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.evaluate("() => { history.pushState(null, '', '/districts'); dispatchEvent(new PopStateEvent('popstate')); }")


@pytest.mark.timeout(120)
def test_districts_desk_shows_figures_and_accepts_a_proposal(page: Page, districts_server: str,
                                                             tmp_path: Path) -> None:
    _sign_in(page, districts_server, "op")
    expect(page.get_by_test_id("districts-desk")).to_be_visible()
    rows = page.get_by_test_id("district-row")
    expect(rows).to_have_count(8, timeout=15_000)
    expect(page.locator('[data-testid="district-row"][data-over="true"]')).to_have_count(4)
    expect(page.get_by_test_id("tab-redistrict")).to_have_count(0)  # an operator reads, does not redraw
    expect(page.locator("[data-district]")).to_have_count(8)  # the polygons on the map
    rows.nth(2).click()
    passport = page.get_by_test_id("district-passport")
    expect(passport).to_have_attribute("data-number", "3")
    expect(page.get_by_test_id("passport-residents")).not_to_have_text("0")

    page.context.clear_cookies()  # signed out: the next sign-in is the supervisor's
    _sign_in(page, districts_server, "boss")
    expect(page.get_by_test_id("districts-version")).to_contain_text("1")
    page.get_by_test_id("tab-redistrict").click()
    page.get_by_test_id("proposal-count").fill("10")
    page.get_by_test_id("proposal-run").click()
    expect(page.get_by_test_id("balance-table")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="balance-table"] tr[data-row="districts"] td').nth(2)).to_have_text("10")
    expect(page.get_by_test_id("map-proposal").locator("[data-district]")).to_have_count(10)
    page.get_by_test_id("proposal-accept").click()
    expect(page.get_by_test_id("districts-version")).to_contain_text("2", timeout=15_000)
    _version_in_force(page, districts_server, 2)
    page.get_by_test_id("tab-overview").click()
    expect(page.get_by_test_id("district-row")).to_have_count(10)

    # An incident's card names the district its position falls into (under the set in force when received).
    api = httpx.Client(base_url=districts_server, timeout=30)
    try:
        signed = api.post("/api/auth/login", json={"username": "boss", "password": PASSWORD})
        api.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        centre = api.get("/api/districts").json()["districts"][0]["geometry"]
        lon, lat = shapely.geometry.shape(centre).representative_point().coords[0]
        made = api.post("/api/incidents", json={"category": "theft", "lon": lon, "lat": lat})
        assert made.status_code == 201, made.text
        exported = api.get("/api/districts/export").json()
    finally:
        api.close()
    # A file with a district left out is refused with the gap it leaves, in words; nothing changes.
    gap_file = tmp_path / "gap.geojson"
    gap_file.write_text(json.dumps({**exported, "features": exported["features"][1:]}), encoding="utf-8")
    page.get_by_test_id("tab-redistrict").click()
    page.locator('input[type="file"]').set_input_files(str(gap_file))
    expect(page.get_by_test_id("proposal-error")).to_contain_text(re.compile("[mм]²"), timeout=15_000)
    expect(page.get_by_test_id("districts-version")).to_contain_text("2")

    page.evaluate(f"() => {{ history.pushState(null, '', '/incidents/{made.json()['id']}'); "
                  "dispatchEvent(new PopStateEvent('popstate')); }")
    expect(page.get_by_test_id("incident-district")).to_have_attribute("data-number", "1", timeout=15_000)


def _version_in_force(page: Page, base: str, wanted: int) -> None:
    """Wait until the set in force is version ``wanted`` (the desk's label also holds a time, whose digits would
    satisfy a text check before a slow accept has committed)."""
    deadline = time.monotonic() + 30
    while (found := page.request.get(base + "/api/districts").json()["version"]) != wanted:
        assert time.monotonic() < deadline, f"version {found} in force, {wanted} expected"
        time.sleep(0.2)


def _inner_vertex(collection: dict[str, object]) -> tuple[str, str]:
    """District 1's first vertex shared with a neighbour and off the town's edge, as the edit map names its
    handle ("polygon-ring-index"), and the district's number."""
    features: list[dict[str, Any]] = collection["features"]  # type: ignore[assignment]
    edge = shapely.geometry.shape(collection["area"]).boundary  # type: ignore[arg-type]
    others = {tuple(c) for f in features[1:] for polygon in _polygons(f["geometry"]) for ring in polygon
              for c in ring}
    for p, polygon in enumerate(_polygons(features[0]["geometry"])):
        for r, ring in enumerate(polygon):
            for i, c in enumerate(ring[:-1]):
                if tuple(c) in others and edge.distance(shapely.geometry.Point(c)) > 1e-3:
                    return f"{p}-{r}-{i}", str(features[0]["properties"]["number"])
    raise AssertionError("no inner shared vertex")


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else list(geometry["coordinates"])


@pytest.mark.timeout(120)
def test_a_supervisor_moves_a_vertex_on_the_map_and_saves_a_version(page: Page, districts_server: str) -> None:
    _sign_in(page, districts_server, "boss")
    expect(page.get_by_test_id("districts-desk")).to_be_visible()
    version = page.request.get(districts_server + "/api/districts").json()["version"]
    collection = page.request.get(districts_server + "/api/districts/export").json()
    handle, number = _inner_vertex(collection)
    first = shapely.geometry.shape(collection["features"][0]["geometry"])
    neighbour = next(f["properties"]["number"] for f in collection["features"][1:]
                     if shapely.geometry.shape(f["geometry"]).intersection(first).length > 0)
    page.get_by_test_id("tab-edit").click()
    page.locator(f'[data-testid="edit-figures"] tr[data-number="{number}"]').click()
    # Merging a neighbour in (the server joins the polygons in the draft) checks valid; undo takes it back.
    page.get_by_test_id("edit-merge-with").click()
    page.get_by_role("option", name=str(neighbour), exact=True).click()
    page.get_by_test_id("edit-merge").click()
    expect(page.get_by_test_id("edit-valid")).to_be_visible(timeout=30_000)
    absorbed = page.locator(f'[data-testid="edit-figures"] tr[data-number="{neighbour}"]')
    absorbed = absorbed.get_by_test_id("edit-draft-residents")
    expect(absorbed).to_have_text("—")
    page.get_by_test_id("edit-undo").click()
    expect(page.get_by_test_id("edit-valid")).to_have_count(0)
    vertex = page.locator(f'[data-vertex="{handle}"]')
    expect(vertex).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("edit-save")).to_be_disabled()  # nothing changed yet
    box = vertex.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 4, y + 3, steps=3)
    page.mouse.move(x + 8, y + 6, steps=3)
    page.mouse.up()
    # The shared boundary moved with it: the server finds the draft valid and residents recomputed.
    expect(page.get_by_test_id("edit-valid")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("edit-draft-residents").first).not_to_have_text("—")
    page.get_by_test_id("edit-note").fill("vertex moved")
    page.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("districts-version")).to_contain_text(str(version + 1), timeout=15_000)
    _version_in_force(page, districts_server, version + 1)
    versions = page.request.get(districts_server + "/api/districts/versions").json()
    saved = max(versions, key=lambda v: v["version"])  # the newest version, whatever the listing's order
    assert (saved["version"], saved["source"], saved["note"]) == (version + 1, "edit", "vertex moved"), versions


@pytest.mark.timeout(120)
def test_an_inspector_sees_the_district_in_the_unit_app(page: Page, districts_server: str) -> None:
    api = httpx.Client(base_url=districts_server, timeout=30)
    try:  # the supervisor puts `insp` on district 1 (a new version), as the desk or an import would
        signed = api.post("/api/auth/login", json={"username": "boss", "password": PASSWORD})
        api.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        collection = api.get("/api/districts/export").json()
        first = collection["features"][0]["properties"]
        first["inspectors"] = [*first["inspectors"], "insp"]
        assert api.post("/api/districts/import", json=collection).status_code == 201
    finally:
        api.close()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(districts_server + "/unit")
    page.get_by_test_id("login-username").fill("insp")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    district = page.get_by_test_id("unit-district")
    expect(district).to_be_visible(timeout=20_000)
    expect(district).to_have_attribute("data-number", str(first["number"]))
    expect(page.get_by_test_id("unit-district-residents")).not_to_have_text("0")
    expect(page.get_by_test_id("unit-district-map").locator("[data-district]")).to_have_count(1)
    expect(page.get_by_test_id("unit-district-reception")).to_contain_text(":00")
    expect(page.get_by_test_id("unit-not-member")).to_have_count(0)
    # The appeals section answers: a list, "none", or "not available on this server"; never an error.
    expect(page.get_by_text(re.compile("Appeals|Обращения|Өтініштер")).first).to_be_visible()

"""The Service-model desk and a resident's feedback page in real Chromium: a resident answers through the
one-time link without signing in, and the supervisor sees the answer and the districts' figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
def service_server(districts_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`qorgau serve` on a copy of the districts tests' database, with a supervisor `boss`."""
    data = tmp_path_factory.mktemp("service-browser")
    path = data / "qorgau.db"
    path.write_bytes(districts_sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    database = Database(url)
    try:
        make_user(database, "boss", "supervisor")
    finally:
        database.dispose()
    with running_server(cli_env(data / "var", url), data / "server.log") as base:
        yield base


def _closed_incident_link(base: str) -> str:
    """A closed incident in district 1 and a one-time feedback link for it, through the API as the supervisor."""
    api = httpx.Client(base_url=base, timeout=30)
    try:
        signed = api.post("/api/auth/login", json={"username": "boss", "password": PASSWORD})
        api.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        first = api.get("/api/districts").json()["districts"][0]["geometry"]
        lon, lat = shapely.geometry.shape(first).representative_point().coords[0]
        made = api.post("/api/incidents", json={"category": "theft", "lon": lon, "lat": lat}).json()
        closed = api.post(f"/api/incidents/{made['id']}/transition", json={"to": "closed"})
        assert closed.status_code == 200, closed.text
        link = api.post("/api/feedback/links", json={"incident_id": made["id"]})
        assert link.status_code == 201, link.text
        path: str = link.json()["path"]
        return path
    finally:
        api.close()


@pytest.mark.timeout(120)
def test_resident_answers_by_link_and_the_desk_shows_it(page: Page, service_server: str) -> None:
    path = _closed_incident_link(service_server)
    page.goto(service_server + path)  # no session: the public page, not the sign-in form
    expect(page.get_by_test_id("public-feedback")).to_be_visible()
    page.get_by_test_id("public-feedback-score").get_by_text("5", exact=True).click()
    page.get_by_role("textbox").fill("Рақмет, тез келді!")
    page.get_by_test_id("public-feedback-send").click()
    expect(page.get_by_test_id("public-feedback-thanks")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("public-feedback")).not_to_contain_text("Рақмет, тез")  # no form again: answered

    page.goto(service_server + "/")
    page.get_by_test_id("login-username").fill("boss")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.evaluate("() => { history.pushState(null, '', '/service'); dispatchEvent(new PopStateEvent('popstate')); }")
    expect(page.get_by_test_id("service-district-row")).to_have_count(8, timeout=30_000)
    expect(page.locator('[data-testid="service-flag"][data-flag="over_norm"]').first).to_be_visible()
    expect(page.get_by_test_id("service-satisfied")).to_contain_text("100")
    expect(page.get_by_test_id("feedback-answer")).to_have_count(1)
    expect(page.get_by_test_id("feedback-answer")).to_contain_text("Рақмет, тез келді!")
    href = page.get_by_test_id("service-export-pdf-kk").get_attribute("href") or ""
    assert "format=pdf" in href and "lang=kk" in href
    pdf = page.request.get(service_server + href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")

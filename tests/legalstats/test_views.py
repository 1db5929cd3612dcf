"""The legal statistics API over HTTP: who may read and import, upload and refusal, figures and clearance."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.legalstats.conftest import POPULATION, WKO_1M, WKO_SNG1, needs_raw_forms

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _files(*paths: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (path.name, path.read_bytes(), XLSX)) for path in paths]


@pytest.fixture
def analyst(client: TestClient, app_db: Database) -> TestClient:
    make_user(app_db, "an", "analyst")
    login(client, "an")
    return client


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # storage-independent: one database is enough
def test_who_may_read_and_import(client: TestClient, app_db: Database) -> None:
    assert client.get("/api/legalstats/regions").status_code == 401
    make_user(app_db, "op", "operator")
    login(client, "op")
    refused = client.get("/api/legalstats/figures", params={"form": "sng1", "period": "2023"})
    assert refused.status_code == 403 and refused.json()["code"] == "auth.forbidden"
    make_user(app_db, "sv", "supervisor")
    login(client, "sv")
    regions = client.get("/api/legalstats/regions").json()
    assert len(regions) == 21 and regions[-1] == {"code": "kz", "names": {
        "kk": "Қазақстан Республикасы", "ru": "Республика Казахстан", "en": "Republic of Kazakhstan"},
        "national": True}
    # A supervisor reads statistics but does not import forms (offences:write).
    assert client.post("/api/legalstats/import", data={"period": "2023"},
                       files=[("files", ("x.xlsx", b"x", XLSX))]).status_code == 403


@needs_raw_forms
def test_upload_figures_and_clearance(analyst: TestClient) -> None:
    created = analyst.post("/api/legalstats/import", data={"period": "2023"}, files=_files(WKO_SNG1, WKO_1M))
    assert created.status_code == 201, created.text
    assert [(i["form"], i["region"], i["replaced"]) for i in created.json()] == [
        ("sng1", "west_kazakhstan", False), ("1m", "west_kazakhstan", False)]
    assert analyst.get("/api/legalstats/available").json() == [
        {"form": "sng1", "period": "2023", "regions": ["west_kazakhstan"], "national_total": False},
        {"form": "1m", "period": "2023", "regions": ["west_kazakhstan"], "national_total": False}]
    body = analyst.get("/api/legalstats/figures", params={"form": "1m", "period": "2023"}).json()
    wko = body["regions"][0]
    assert (wko["values"]["all"]["registered"], wko["values"]["crimes"]["registered"],
            wko["values"]["misdemeanours"]["registered"]) == (5908, 4935, 973)
    assert wko["cells"]["crimes"]["sent_to_court"] == "R1!K9"
    clearance = analyst.get("/api/legalstats/clearance", params={"period": "2023", "form": "1m"}).json()
    assert clearance["reading"] == "department"
    assert [r["code"] for r in clearance["readings"] if r["default"]] == ["department"]
    assert all(set(r["formula"]) == {"kk", "ru", "en"} for r in clearance["readings"])
    row = clearance["regions"][0]
    assert row["inputs"]["completed"] == 2986 and row["inputs"]["carried_over"] == 751
    assert {k: round(v, 4) for k, v in row["values"].items()} == {
        "department": 0.5845, "registered": 0.6051, "unidentified": 0.5954, "court": 0.4625, "caseload": 0.5251}
    assert analyst.get("/api/legalstats/rates", params={"period": "2023"}).status_code == 404  # no population
    assert analyst.post("/api/legalstats/import", data={"period": "2023"}, files=_files(POPULATION)).status_code == 201
    rates = analyst.get("/api/legalstats/rates", params={"period": "2023", "form": "1m", "subject": "all"}).json()
    assert [(r["region"], r["value"], r["residents"], round(r["per_10000"], 1)) for r in rates["regions"]] == [
        ("west_kazakhstan", 5908, 688091, 85.9)]
    sng1 = analyst.get("/api/legalstats/clearance", params={"period": "2023"}).json()["regions"][0]
    assert sng1["inputs"]["sent_to_court"] is None and sng1["values"]["court"] is None
    assert round(sng1["values"]["department"], 4) == 0.5845


@needs_raw_forms
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_refused_upload_lists_the_cell_and_stores_nothing(analyst: TestClient, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(WKO_SNG1)
    book["R1"]["G7"] = "много"
    altered = tmp_path / "West Kazakhstan region.xlsx"
    book.save(altered)
    refused = analyst.post("/api/legalstats/import", data={"period": "2023"}, files=_files(altered),
                           headers={"Accept-Language": "ru"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "legalstats.layout_refused"
    assert [(e["file"], e["sheet"], e["cell"]) for e in body["errors"]] == [(altered.name, "R1", "G7")]
    assert analyst.get("/api/legalstats/available").json() == []
    bad_period = analyst.post("/api/legalstats/import", data={"period": "last year"}, files=_files(WKO_SNG1))
    assert bad_period.status_code == 422
    missing = analyst.get("/api/legalstats/figures", params={"form": "sng1", "period": "2023"})
    assert missing.status_code == 404 and missing.json()["code"] == "legalstats.not_found"

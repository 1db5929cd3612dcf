"""`qorgau districts …` in-process against an SQLite data directory holding the seeded districts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import data_dir_from, run


@pytest.fixture
def data_dir(tmp_path: Path, districts_sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return data_dir_from(districts_sqlite_template, tmp_path, monkeypatch)


@pytest.mark.timeout(60)
def test_export_import_round_trip_and_a_refused_file(data_dir: Path, tmp_path: Path) -> None:
    assert "already present" in run("districts", "seed-aksai")
    out = tmp_path / "districts.geojson"
    run("districts", "export", "--output", str(out))
    body = json.loads(out.read_text(encoding="utf-8"))
    assert body["version"] == 1 and len(body["features"]) == 8 and body["area"]["type"] == "Polygon"
    assert "districts version 2: 8 districts" in run("districts", "import", str(out))
    again = json.loads(run("districts", "export"))
    assert again["version"] == 2
    assert [f["geometry"] for f in again["features"]] == [f["geometry"] for f in body["features"]]
    body["features"][0]["geometry"]["coordinates"][0].reverse()  # same ring, other way round: still valid
    body["features"][1]["properties"]["number"] = 1  # two districts numbered 1
    out.write_text(json.dumps(body), encoding="utf-8")
    refused = run("districts", "import", str(out), code=2)
    assert "District 1: the number is used twice." in refused
    assert json.loads(run("districts", "export"))["version"] == 2  # nothing was saved

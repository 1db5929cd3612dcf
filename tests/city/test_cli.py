"""`qorgau city …` in-process against an SQLite data directory (the CLI is the same code on both databases)."""

from __future__ import annotations

import json
from pathlib import Path

import pyrosm
import pytest

from tests.cli_support import data_dir_from, run


@pytest.fixture
def data_dir(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return data_dir_from(sqlite_template, tmp_path, monkeypatch)


def test_seed_import_list_activate_and_export(data_dir: Path, tmp_path: Path) -> None:
    assert "created city model aksai (generated; active)" in run("city", "seed-aksai")
    assert "already present: city model aksai" in run("city", "seed-aksai")  # idempotent
    extract = pyrosm.get_data("test_pbf")
    imported = run("city", "import", extract, "--name", "test")
    assert "as city model test" in imported and "1091 nodes, 1144 edges" in imported
    listed = run("city", "list").splitlines()
    assert [line.split()[:3] for line in listed] == [["1", "aksai", "generated"], ["*", "2", "test"]]
    assert "exists already" in run("city", "import", extract, "--name", "test", code=2)
    assert "city model aksai is active" in run("city", "activate", "aksai")
    out = tmp_path / "aksai.geojson"
    run("city", "export", "--name", "aksai", "--layer", "settlements", "--layer", "population", "--output", str(out))
    body = json.loads(out.read_text(encoding="utf-8"))
    layers = [f["properties"]["layer"] for f in body["features"]]
    assert layers.count("settlements") == 27 and body["model"]["generated"] is True
    assert sum(f["properties"]["residents"] for f in body["features"] if f["properties"]["layer"] == "population") \
        == 58_290
    streets = json.loads(run("city", "export", "--layer", "streets"))
    assert {f["properties"]["layer"] for f in streets["features"]} == {"streets"}
    assert "unknown layer" in run("city", "export", "--layer", "tiles", code=2)

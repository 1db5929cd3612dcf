"""`qorgau offences …` in-process against an SQLite data directory holding the Aksai model and districts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import data_dir_from, run


@pytest.fixture
def data_dir(tmp_path: Path, districts_sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return data_dir_from(districts_sqlite_template, tmp_path, monkeypatch)


@pytest.mark.timeout(60)
def test_seed_once_import_with_a_mapping_and_a_refused_extract(data_dir: Path, tmp_path: Path) -> None:
    assert "generated" in run("offences", "seed-aksai") and "already present" in run("offences", "seed-aksai")
    assert "2023: " in run("offences", "generate", "--years", "2023-2024", "--seed", "3")
    run("offences", "generate", "--years", "2024-2023", code=2)
    assert "Номер ЕРДР" in run("offences", "import", "--help")
    extract = tmp_path / "extract.csv"
    extract.write_text("Рег№,Дата регистрации,Статья\n251127030000001,01.02.2025,КоАП 434\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"reg_number": "Рег№"}), encoding="utf-8")
    assert "1 new, 0 updated" in run("offences", "import", str(extract), "--mapping", str(mapping))
    assert "0 new, 1 updated" in run("offences", "import", str(extract), "--mapping", str(mapping))
    extract.write_text("Рег№,Дата регистрации,Статья\n251127030000002,01.02.2035,188-1\n", encoding="utf-8")
    out = run("offences", "import", str(extract), "--mapping", str(mapping), code=2)
    assert "line 2: registered_on:" in out

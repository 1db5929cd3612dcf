"""`qorgau coverage show|place` in-process against an SQLite data directory holding Aksai and its police points."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qorgau.cli import app
from qorgau.coverage import service
from tests.coverage.conftest import add_police_points


@pytest.fixture
def data_dir(tmp_path: Path, seeded_sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.upper().startswith("QORGAU_"):
            monkeypatch.delenv(key)
    directory = tmp_path / "var"
    directory.mkdir()
    (directory / "qorgau.db").write_bytes(seeded_sqlite_template.read_bytes())
    add_police_points(f"sqlite:///{directory / 'qorgau.db'}")
    monkeypatch.setenv("QORGAU_DATA_DIR", str(directory))
    service.RESULTS.clear()
    return directory


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_show_and_place(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = run("coverage", "show")
    assert "9 police points, walking at 4.5 km/h" in shown  # 5 МОП, 3 УПП and the department
    shares = [float(s) for s in re.findall(r"walk\s+\d+ min: .*\((\d+\.\d)%\)", shown)]
    assert len(shares) == 3 and shares == sorted(shares)
    assert "drive  7 min" in shown and "uncovered:" in shown
    placed = run("coverage", "place", "--posts", "2", "--minutes", "10")
    assert re.search(r"2 new posts among 500 candidates \(optimal, gap 0\.0000%", placed)
    monkeypatch.setenv("QORGAU_COVERAGE_WALK_SPEED_KMH", "3")
    service.RESULTS.clear()
    slower = [float(s) for s in re.findall(r"walk\s+\d+ min: .*\((\d+\.\d)%\)", run("coverage", "show"))]
    assert all(a <= b for a, b in zip(slower, shares, strict=True)) and slower != shares
    refused = run("coverage", "place", "--mode", "set", "--minutes", "1", code=2)
    assert "residents" in refused and "candidate site" in refused

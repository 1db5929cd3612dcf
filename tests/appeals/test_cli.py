"""`qorgau appeals …` in-process against an SQLite data directory: the calendar overrides and the deadline check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qorgau.cli import app


@pytest.fixture
def data_dir(tmp_path: Path, districts_sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.upper().startswith("QORGAU_"):
            monkeypatch.delenv(key)
    directory = tmp_path / "var"
    directory.mkdir()
    (directory / "qorgau.db").write_bytes(districts_sqlite_template.read_bytes())
    monkeypatch.setenv("QORGAU_DATA_DIR", str(directory))
    return directory


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.timeout(60)
def test_calendar_add_list_remove_and_check(data_dir: Path) -> None:
    assert "2025-01-05  working" in run("appeals", "calendar", "list")
    run("appeals", "calendar", "add", "2026-12-31", "--off", "--reason", "Decree: 31 December off")
    listed = run("appeals", "calendar", "list", "--year", "2026")
    assert listed.splitlines() == ["2026-12-31  off      Decree: 31 December off"]
    assert "removed" in run("appeals", "calendar", "remove", "2026-12-31")
    assert "no calendar override" in run("appeals", "calendar", "remove", "2026-12-31", code=2).lower()
    run("appeals", "calendar", "add", "2026-13-01", "--reason", "x", code=2)
    assert run("appeals", "check").strip() == "reminded 0, overdue 0"

"""`qorgau appeals …` in-process against an SQLite data directory: the calendar overrides and the deadline check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import data_dir_from, run


@pytest.fixture
def data_dir(tmp_path: Path, districts_sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return data_dir_from(districts_sqlite_template, tmp_path, monkeypatch)


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

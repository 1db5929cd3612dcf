"""`qorgau feedback figures` in-process against an SQLite data directory with one answered link."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qorgau.cli import app
from qorgau.core.db import Database
from qorgau.domains import load_models
from qorgau.feedback.models import Feedback


@pytest.fixture
def data_dir(tmp_path: Path, seeded_sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.upper().startswith("QORGAU_"):
            monkeypatch.delenv(key)
    directory = tmp_path / "var"
    directory.mkdir()
    (directory / "qorgau.db").write_bytes(seeded_sqlite_template.read_bytes())
    monkeypatch.setenv("QORGAU_DATA_DIR", str(directory))
    load_models()
    database = Database(f"sqlite:///{directory / 'qorgau.db'}")
    now = datetime.now(UTC) - timedelta(hours=1)
    try:
        with database.unit_of_work() as session:  # an appeal's answered link: no other table is needed
            session.add(Feedback(subject_kind="appeal", appeal_id=7, subject_number="2026-000007", requested_at=now,
                                 requested_by="user:1", score=5, answered_at=now, channel="link", simulated=False))
            session.add(Feedback(subject_kind="appeal", appeal_id=8, subject_number="2026-000008", requested_at=now,
                                 requested_by="user:1", simulated=False))
    finally:
        database.dispose()
    return directory


def test_figures_for_a_period(data_dir: Path) -> None:
    today = datetime.now(UTC).date()
    period = ["--start", (today - timedelta(days=1)).isoformat(), "--end", (today + timedelta(days=1)).isoformat()]
    result = CliRunner().invoke(app, ["feedback", "figures", *period])
    assert result.exit_code == 0, result.output
    assert "2 asked, 1 answered, mean 5.0, satisfied 100%, response 50%" in result.output
    reversed_period = ["--start", today.isoformat(), "--end", (today - timedelta(days=3)).isoformat()]
    refused = CliRunner().invoke(app, ["feedback", "figures", *reversed_period])
    assert refused.exit_code == 2

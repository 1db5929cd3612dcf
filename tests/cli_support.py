"""In-process `qorgau …` commands against a data directory copied from a migrated SQLite template."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qorgau.cli import app


def data_dir_from(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory holding a copy of ``template`` as its database, and no other QORGAU_* setting."""
    for key in list(os.environ):
        if key.upper().startswith("QORGAU_"):
            monkeypatch.delenv(key)
    directory = tmp_path / "var"
    directory.mkdir()
    (directory / "qorgau.db").write_bytes(template.read_bytes())
    monkeypatch.setenv("QORGAU_DATA_DIR", str(directory))
    return directory


def run(*args: str, code: int = 0) -> str:
    """Run a command, insist on its exit code, and return what it printed."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output

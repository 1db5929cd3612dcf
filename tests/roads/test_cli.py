"""`qorgau roads …` in-process against a migrated SQLite data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qorgau.cli import app
from tests.cli_support import data_dir_from


@pytest.fixture
def data_dir(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return data_dir_from(sqlite_template, tmp_path, monkeypatch)


@pytest.mark.timeout(60)
def test_import_refuses_a_bad_file_with_its_lines_then_takes_a_good_one(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("list,kind,pattern,reason\nРозыск,wanted,123ABC02,ok\nРозыск,parked,555AAA02,x y z\n",
                   encoding="utf-8")
    refused = CliRunner().invoke(app, ["roads", "import-watchlists", str(bad), "--reason", "bulletin 5"])
    assert refused.exit_code != 0 and "line 3: Unknown list kind: parked" in refused.output, refused.output
    good = tmp_path / "good.csv"
    good.write_text("list,kind,pattern,reason\nРозыск,wanted,123ABC02,ok\n", encoding="utf-8")
    taken = CliRunner().invoke(app, ["roads", "import-watchlists", str(good), "--reason", "bulletin 5"])
    assert taken.exit_code == 0 and "1 entries added" in taken.output, taken.output
    pruned = CliRunner().invoke(app, ["roads", "prune"])
    assert pruned.exit_code == 0 and "plate reads pruned: 0" in pruned.output, pruned.output

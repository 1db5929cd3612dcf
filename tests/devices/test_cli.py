"""`qorgau devices seed-aksai | export | import` in-process on SQLite (the CLI is the same code on both databases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qorgau.cli import app


@pytest.mark.timeout(120)  # seeds the whole Smart Aqsai plan, then exports and re-imports it through the CLI
@pytest.mark.usefixtures("cli_database")
def test_seed_export_and_import_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = run("devices", "seed-aksai")
    assert code == 0 and "546 created" in out
    assert "0 created, 0 updated, 546 unchanged" in run("devices", "seed-aksai")[1]
    assert run("devices", "export", str(tmp_path / "all.csv"))[0] == 0
    assert run("devices", "export", str(tmp_path / "all.json"), "--format", "geojson")[0] == 0
    code, out, _ = run("devices", "import", str(tmp_path / "all.json"), "--format", "geojson")
    assert code == 0 and "0 created, 0 updated, 546 unchanged" in out
    lines = (tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 547 and "password" not in lines[0]
    bad = [lines[0], lines[1], lines[1], lines[2].replace(",commissioned,", ",retired,")]
    (tmp_path / "bad.csv").write_text("\n".join(bad) + "\n", encoding="utf-8")
    code, _, err = run("devices", "import", str(tmp_path / "bad.csv"))
    assert code == 1
    assert "line 3: ACC-001: Code ACC-001 appears again (first at 2)." in err
    assert "line 3: ACC-001: mqtt identifier aksai-acc-001 is also used earlier in the file (2)." in err
    assert "line 4: ACC-002: Unknown lifecycle stage." in err and "nothing imported: 3 problem(s)" in err
    code, _, err = run("devices", "export", str(tmp_path / "x.txt"), "--format", "xml")
    assert code == 2 and "unknown format" in err

"""The README's benchmark table is what bench/results/*.json say, and each figure it quotes is in its result."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "readme_table.py"


def _check(results: Path, readme: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--check", "--results", str(results), "--readme", str(readme)],
                          capture_output=True, text=True, timeout=60, check=False)


def test_readme_table_matches_the_recorded_results() -> None:
    done = _check(ROOT / "bench" / "results", ROOT / "README.md")
    assert done.returncode == 0, done.stderr


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    results = tmp_path / "results"
    shutil.copytree(ROOT / "bench" / "results", results)
    readme = tmp_path / "README.md"
    shutil.copy(ROOT / "README.md", readme)
    return results, readme


def _with_readme_rows(results: Path) -> Path:
    """A result written through the harness (it has README rows): the one the checks below tamper with."""
    return next(p for p in sorted(results.glob("*.json")) if "readme" in json.loads(p.read_text()))


def test_a_figure_typed_into_the_readme_fails(tmp_path: Path) -> None:
    results, readme = _copy(tmp_path)
    data = json.loads(_with_readme_rows(results).read_text())
    row = data["readme"][0]["result"]
    readme.write_text(readme.read_text().replace(row, row + "; 12,345 frames/s on a better day", 1))
    done = _check(results, readme)
    assert done.returncode == 1
    assert "differs from bench/results" in done.stderr


def test_a_row_whose_figure_is_not_in_its_result_fails(tmp_path: Path) -> None:
    results, readme = _copy(tmp_path)
    path = _with_readme_rows(results)
    data = json.loads(path.read_text())
    data["readme"][0]["result"] += "; 98,765.4 on a better day"
    path.write_text(json.dumps(data))
    done = _check(results, readme)
    assert done.returncode == 1
    assert "quotes 98,765.4" in done.stderr


def test_a_result_off_the_schema_fails(tmp_path: Path) -> None:
    results, readme = _copy(tmp_path)
    path = _with_readme_rows(results)
    data = json.loads(path.read_text())
    data["notes"] = "keys beyond the schema"
    path.write_text(json.dumps(data))
    done = _check(results, readme)
    assert done.returncode == 1
    assert "result keys" in done.stderr

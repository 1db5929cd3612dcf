"""`qorgau legalstats`: seed once, re-import a folder for the period (replacing), print clearance, refuse a file."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import data, migrated_template, ok, qorgau
from tests.legalstats.conftest import FORM_1M, needs_raw_forms

__all__ = ["data", "migrated_template"]


@needs_raw_forms
def test_seed_import_and_clearance(data: Path, tmp_path: Path) -> None:
    assert "44 forms stored" in ok(qorgau(data, "legalstats", "seed"))
    out = ok(qorgau(data, "legalstats", "import", "--period", "2023", str(FORM_1M)))
    assert "1m west_kazakhstan 2023: 152 figures (replaced) from West-Kazakhstan Region.XLSX" in out
    assert out.count("(replaced)") == 4
    table = ok(qorgau(data, "legalstats", "clearance", "--period", "2023", "--form", "1m"))
    assert "west_kazakhstan" in table and "58.4 %" in table and "46.3 %" in table
    broken = tmp_path / "Aktobe region.xlsx"
    broken.write_bytes(b"not a workbook")
    refused = qorgau(data, "legalstats", "import", "--period", "2023", str(broken))
    assert refused.returncode != 0 and "Aktobe region.xlsx is not an XLSX workbook" in refused.stderr

"""Legal statistics fixtures: the published raw forms (../shared/data/kz-stats, beside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

KZ_STATS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "kz-stats"
SNG1 = KZ_STATS / "sng1"
FORM_1M = KZ_STATS / "form-1m"
POPULATION = KZ_STATS / "population" / "source.xlsx"
WKO_SNG1 = SNG1 / "West Kazakhstan region.XLSX"
WKO_1M = FORM_1M / "West-Kazakhstan Region.XLSX"

needs_raw_forms = pytest.mark.skipif(not KZ_STATS.is_dir(), reason=f"the raw forms are not at {KZ_STATS}")

"""Units carry an English form of their name for the English interface: a transliteration of the name."""

from __future__ import annotations

from datetime import UTC, datetime

from qorgau.units.schemas import UnitRead


def test_a_unit_reads_with_the_latin_form_of_its_name() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    unit = UnitRead(code="FP-01", kind="foot_patrol", name="Пеший патруль 1", site_code=None, active=True,
                    simulated=False, status="available", status_changed_at=now, time_in_status_s=0, lon=None, lat=None,
                    position_at=None, position_age_s=None, stale=True, members=[], trackers=[], assignment_id=None,
                    incident_id=None)
    assert unit.name_en == "Peshiy patrul 1"
    assert UnitRead.model_validate({**unit.model_dump(), "name": "Ақсай посты", "name_en": ""}).name_en == "Aqsay posty"

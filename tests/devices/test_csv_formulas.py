"""Exports that cannot carry formulas: formula-leading CSV cells are neutralised, and import back unchanged."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from qorgau.core.db import Database
from qorgau.devices import importexport as ie
from qorgau.devices import service
from qorgau.devices.schemas import DeviceCreate
from tests.conftest import CLI_ACTOR
from tests.devices.conftest import CTX, camera

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)"]


def test_csv_export_neutralises_formula_cells_and_imports_them_back_unchanged(db: Database) -> None:
    with db.unit_of_work() as session:
        for index, text in enumerate(FORMULAS):
            body = camera(f"CAM-{index + 1:04d}", east_m=index * 20, name_kk=text, name_ru=f"Камера {index}")
            service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR, ctx=CTX)
    with db.unit_of_work() as session:
        exported = ie.export_devices(session, "csv", actor=CLI_ACTOR)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["name_kk"] for r in rows] == ["'" + text for text in FORMULAS]
    assert all(not cell.startswith(ie.FORMULA_LEADS) for row in rows for cell in row.values())
    assert [r["lon"] for r in rows] == [repr(camera(east_m=i * 20)["lon"]) for i in range(4)]  # numbers stay
    with db.unit_of_work() as session:
        result = ie.import_devices(session, exported.encode(), "csv", actor=CLI_ACTOR, ctx=CTX)
    assert result.unchanged == len(FORMULAS)
    with db.reading() as session:
        assert [service.get(session, f"CAM-{i + 1:04d}").name_kk for i in range(4)] == FORMULAS


def test_a_cell_that_starts_with_a_quote_but_no_formula_keeps_its_quote() -> None:
    rows, problems = ie.parse_csv("code,name_kk\nCAM-0001,'quoted'\nCAM-0002,''=1\nCAM-0003,'-2+3\n")
    assert problems == []
    assert [r.values["name_kk"] for r in rows] == ["'quoted'", "'=1", "-2+3"]


@given(st.text(alphabet="'=+-@\t\r a1") | st.text())
def test_neutralised_text_never_leads_with_a_formula_and_restores_exactly(text: str) -> None:
    safe = ie.neutralise(text)
    assert not safe.startswith(ie.FORMULA_LEADS)
    assert ie.restore(safe) == text
